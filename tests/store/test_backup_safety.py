"""Imports never break the app: every row is checked with the models the app reads with, and
hostile files (duplicate or huge ids, huge integers, deep nesting, NaN) are refused with a
message naming the section, item and field, changing nothing.  Exports are strict JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from loopprep.errors import BackupError
from loopprep.services.backup import export_document, import_document

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
V4 = json.loads((Path(__file__).parent.parent / "fixtures" / "export-v4.json").read_text())


def _with(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], str]:
    def mutate(doc: dict[str, Any]) -> str:
        doc = copy.deepcopy(doc)
        target = doc["data"]
        for p in path[:-1]:
            target = target[p]
        target[path[-1]] = value
        return json.dumps(doc)

    return mutate


def _dup(section: str) -> Callable[[dict[str, Any]], str]:
    def mutate(doc: dict[str, Any]) -> str:
        doc = copy.deepcopy(doc)
        doc["data"][section].append(copy.deepcopy(doc["data"][section][0]))
        return json.dumps(doc)

    return mutate


def _raw(old: str, new: str) -> Callable[[dict[str, Any]], str]:
    def mutate(doc: dict[str, Any]) -> str:
        text = json.dumps(doc)
        assert old in text
        return text.replace(old, new, 1)

    return mutate


HOSTILE: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "25-companies": (
        _with(("profile", 0, "target_companies"), [f"Company {i}" for i in range(25)]),
        "Section 'profile', item 1, field 'target_companies'",
    ),
    "profile-id-2": (_with(("profile", 0, "id"), 2), "Section 'profile', item 1, field 'id'"),
    "loop-round-unknown": (
        _with(("plan_settings", 0, "loop_rounds"), [{"round": "karaoke", "start": "2026-12-21T10:00", "minutes": 45}]),
        "field 'loop_rounds.0.round'",
    ),
    "loop-round-bad-start": (
        _with(("plan_settings", 0, "loop_rounds"), [{"round": "ml-coding", "start": "soon", "minutes": 45}]),
        "field 'loop_rounds.0.start'",
    ),
    "loop-round-not-object": (_with(("plan_settings", 0, "loop_rounds"), [7]), "field 'loop_rounds.0'"),
    "task-unknown-round": (_with(("plan_tasks", 0, "round"), "karaoke"), "Section 'plan_tasks', item 1, field 'round'"),
    "task-bad-at": (_with(("plan_tasks", 0, "at"), "25:99"), "field 'at'"),
    "bad-time-zone": (_with(("plan_settings", 0, "time_zone"), "Mars/Olympus"), "field 'time_zone'"),
    "bad-start-time": (
        _with(("plan_settings", 0, "start_times"), ["7pm"] * 7),
        "field 'start_times.0'",
    ),
    "bad-day-off": (_with(("plan_settings", 0, "days_off"), ["someday"]), "field 'days_off.0'"),
    "code-cases-malformed": (
        _with(("code_attempts", 0, "cases"), [{"index": "x"}]),
        "Section 'code_attempts', item 1, field 'cases.0.index'",
    ),
    "code-perf-malformed": (_with(("code_attempts", 0, "perf"), {"ms": "fast"}), "field 'perf.available'"),
    "stats-numeric-malformed": (
        _with(("stats_case_attempts", 0, "numeric"), {"x": {"deep": 1}}),
        "Section 'stats_case_attempts', item 1, field 'numeric.x'",
    ),
    "user-model-absurd": (
        _with(("user_models", 0, "config", "num_hidden_layers"), 10**30),
        "Section 'user_models', item 1, field 'config'",
    ),
    "user-model-bool": (
        _with(("user_models", 0, "config", "num_hidden_layers"), True),
        "Section 'user_models', item 1, field 'config'",
    ),
    "duplicate-drill-id": (_dup("estimate_drills"), "items 1 and 2 have the same id 1"),
    "duplicate-task-key": (_dup("plan_tasks"), "Section 'plan_tasks', items 1 and 58 have the same id"),
    "duplicate-user-model": (_dup("user_models"), "have the same id 'user-tiny-llama'"),
    "id-over-2-63": (_with(("code_attempts", 0, "id"), 2**63 + 5), "Section 'code_attempts', item 1, field 'id'"),
    "id-over-int32": (_with(("estimate_drills", 0, "id"), 2**31), "field 'id'"),
    "position-over-int32": (_with(("plan_tasks", 0, "position"), 2**40), "field 'position'"),
    "thousands-of-digits": (_raw('"seed": 7', '"seed": ' + "7" * 5000), "number loopprep cannot read"),
    "nested-100000": (_raw('"notices": []', '"notices": ' + "[" * 100_000 + "]" * 100_000), "nests JSON"),
    "nested-40": (_raw('"notices": []', '"notices": ' + "[" * 40 + "]" * 40), "more than 32 levels"),
    "nan-answer": (_raw('"answer": 2000.0', '"answer": NaN'), "not finite"),
    "infinite-answer": (_raw('"answer": 2000.0', '"answer": Infinity'), "not finite"),
    "overflowing-answer": (_raw('"answer": 2000.0', '"answer": 1e400'), "not finite"),
    "nul-in-text": (_with(("stats_case_attempts", 0, "answer"), "a\x00b"), "NUL"),
    "lone-surrogate": (_raw('"example/tiny-llama"', '"example/\\ud800"'), "surrogate"),
}


@pytest.mark.parametrize(("mutate", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_or_unreadable_rows_are_refused_and_change_nothing(ctx, mutate, message: str) -> None:  # noqa: ANN001
    import_document(ctx, json.dumps(V4), replace=False)
    before = export_document(ctx, now=NOW)
    with pytest.raises(BackupError) as exc:
        import_document(ctx, mutate(V4), replace=True)
    assert message in exc.value.message, exc.value.message
    assert exc.value.hint
    assert export_document(ctx, now=NOW) == before


def test_a_stored_infinity_is_never_exported(ctx) -> None:  # noqa: ANN001
    """A drill answer stored as infinity by an older version makes export refuse clearly rather
    than write `Infinity`, which is not JSON."""
    from loopprep.store.tables import estimate_drill_attempt

    with ctx.engine.begin() as conn:
        conn.execute(
            insert(estimate_drill_attempt).values(
                kind="qps", seed=1, answer=float("inf"), truth=2.0, ratio=float("inf"), grade="off", answered_at=NOW
            )
        )
    with pytest.raises(BackupError, match="estimation drill 1 .*field 'answer'"):
        export_document(ctx, now=NOW)


def test_every_export_is_strict_json(ctx) -> None:  # noqa: ANN001
    import_document(ctx, json.dumps(V4), replace=False)
    doc = export_document(ctx, now=NOW)
    assert json.loads(json.dumps(doc, allow_nan=False)) == doc
