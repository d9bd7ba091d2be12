"""Property: any data the app can hold survives export -> import -> export unchanged, on SQLite and
PostgreSQL.  Hypothesis generates every table of user data with every optional field (present
or absent), days off, loop rounds, JSON columns of arbitrary (finite) JSON, model presets and code drafts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loopprep.domain import CompanyType, Level, Role, RoundId
from loopprep.services.backup import export_document, import_document
from loopprep.store.backup import EXPORT_VERSION, FORMAT, SECTIONS

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
INT32 = 2**31 - 1

# Text a database can hold: any Unicode but NUL and surrogates (which an import refuses).
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
name = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20).filter(str.strip)
slug = st.from_regex(r"\A[a-z0-9][a-z0-9\-]{0,20}\Z")
dates = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
stamps = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC))
finite = st.floats(allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-300, max_value=1e300)
nonneg = st.floats(min_value=0.0, max_value=1e300)
minutes = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))
hhmm = st.times().map(lambda t: t.strftime("%H:%M"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | finite | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
ids = st.integers(1, INT32)


def rows_with_unique(key: str, row: st.SearchStrategy[dict[str, Any]], max_size: int) -> st.SearchStrategy[list]:
    return st.lists(row, max_size=max_size, unique_by=lambda r: r[key])


profile = st.fixed_dictionaries(
    {
        "id": st.just(1),
        "role": st.sampled_from(list(Role)),
        "level": st.sampled_from(list(Level)),
        "company_types": st.lists(st.sampled_from(list(CompanyType)), min_size=1, max_size=4, unique=True),
        "loop_date": dates,
        "target_companies": st.lists(name, max_size=20, unique_by=str.lower),
        "updated_at": stamps,
    }
)
drill = st.fixed_dictionaries(
    {
        "id": ids,
        "kind": st.sampled_from(["qps", "weights", "kv", "gpus"]),
        "seed": st.integers(0, INT32),
        "answer": positive,
        "truth": positive,
        "ratio": st.floats(min_value=1, max_value=1e300),
        "grade": st.sampled_from(["exact", "good", "order", "off"]),
        "seconds": st.none() | nonneg,
        "answered_at": stamps,
    }
)
plan_settings = st.fixed_dictionaries(
    {
        "id": st.just(1),
        "start_date": dates,
        "weekday_minutes": st.integers(0, 960),
        "weekend_minutes": st.integers(0, 960),
        "days_off": st.lists(dates, max_size=5),
        "loop_rounds": st.lists(
            st.fixed_dictionaries(
                {"round": st.sampled_from(list(RoundId)), "start": minutes, "minutes": st.integers(5, 480)}
            ),
            max_size=4,
        ),
        "start_times": st.lists(hhmm, min_size=7, max_size=7),
        "time_zone": st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
        "alarm_minutes": st.integers(0, 1440),
        "profile_snapshot": st.dictionaries(text, json_values, max_size=4),
        "notices": st.lists(text, max_size=3),
        "created_at": stamps,
        "updated_at": stamps,
    }
)
task = st.fixed_dictionaries(
    {
        "key": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=40),
        "day": dates,
        "position": st.integers(0, INT32),
        "kind": slug,
        "title": text,
        "minutes": st.integers(0, 1440),
        "phase": st.sampled_from(["ramp-up", "deep-study", "mock-sharpen", "review", "light-touch", "day-of"]),
        "item_kind": st.sampled_from(["topic", "framework", "round", "activity"]),
        "item": slug,
        "round": st.none() | st.sampled_from(list(RoundId)),
        "new_material": st.booleans(),
        "at": st.none() | minutes,
        "counts": st.booleans(),
        "status": st.sampled_from(["pending", "done", "skipped", "dropped"]),
        "reason": text,
        "sequence": st.integers(0, INT32),
        "fingerprint": st.text("0123456789abcdef", max_size=64),
        "updated_at": stamps,
    }
)
stats_attempt = st.fixed_dictionaries(
    {
        "id": ids,
        "case_id": slug,
        "answer": text,
        "checked": st.lists(st.integers(0, 1000), max_size=5),
        "checklist_total": st.integers(0, INT32),
        "numeric": st.dictionaries(
            st.text(max_size=10).filter(lambda s: "\x00" not in s), st.none() | finite, max_size=3
        ),
        "numeric_correct": st.integers(0, INT32),
        "numeric_total": st.integers(0, INT32),
        "created_at": stamps,
    }
)
case = st.fixed_dictionaries(
    {
        "index": st.integers(0, 10000),
        "visible": st.booleans(),
        "note": text,
        "status": st.sampled_from(["passed", "failed", "error", "not-run"]),
    },
    optional={"ms": st.none() | nonneg},
)
perf = st.fixed_dictionaries(
    {"available": st.booleans()},
    optional={
        "note": text,
        "ms": st.none() | nonneg,
        "reference_ms": st.none() | nonneg,
        "ratio": st.none() | nonneg,
        "peak_bytes": st.none() | st.integers(0, 2**62),
        "reference_peak_bytes": st.none() | st.integers(0, 2**62),
        "memory_ratio": st.none() | nonneg,
        "slow": st.booleans(),
        "mutated": st.lists(slug, max_size=3),
    },
)
code_attempt = st.fixed_dictionaries(
    {
        "id": ids,
        "problem_id": slug,
        "mode": st.sampled_from(["run", "submit"]),
        "code": text,
        "verdict": st.sampled_from(["accepted", "wrong-answer", "runtime-error", "time-limit", "judge-error"]),
        "message": text,
        "passed": st.integers(0, INT32),
        "total": st.integers(0, INT32),
        "cases": st.lists(case, max_size=3),
        "elapsed_s": st.none() | nonneg,
        "latency_ms": nonneg,
        "perf": st.none() | perf,
        "created_at": stamps,
    }
)
user_model = st.fixed_dictionaries(
    {
        "id": slug.map(lambda s: f"user-{s}"),
        "config": st.fixed_dictionaries(
            {
                "num_attention_heads": st.just(8),
                "hidden_size": st.just(1024),
                "num_hidden_layers": st.integers(1, 200),
                "intermediate_size": st.integers(1, 20000),
                "vocab_size": st.integers(1, 300_000),
            },
            optional={
                "model_type": st.sampled_from(["llama", "mistral", "qwen2", "gemma2", "bert"]),
                "_name_or_path": text,
                "num_key_value_heads": st.sampled_from([1, 2, 4, 8]),
                "tie_word_embeddings": st.booleans(),
                "max_position_embeddings": st.integers(1, 1_000_000),
                "torch_dtype": st.just("bfloat16"),
            },
        ),
        "created_at": stamps,
    }
)
code_draft = st.fixed_dictionaries(
    {
        "problem_id": slug,
        "code": text,
        "saved_at": stamps,
        "reason": st.sampled_from(["judge-busy", "judge-error"]),
    }
)

SECTION_ROWS = {
    "profile": st.lists(profile, max_size=1),
    "estimate_drills": rows_with_unique("id", drill, 3),
    "plan_settings": st.lists(plan_settings, max_size=1),
    "plan_tasks": rows_with_unique("key", task, 4),
    "stats_case_attempts": rows_with_unique("id", stats_attempt, 2),
    "code_attempts": rows_with_unique("id", code_attempt, 2),
    "user_models": rows_with_unique("id", user_model, 2),
    "code_drafts": rows_with_unique("problem_id", code_draft, 2),
}
assert set(SECTION_ROWS) == {s.name for s in SECTIONS}, "generate every section"


def _canonical(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """As an export writes it: through each row model, in primary-key order."""
    out = {}
    for s in SECTIONS:
        rows = [s.row_model.model_validate(r).model_dump(mode="json") for r in data[s.name]]
        keys = [c.name for c in s.table.primary_key.columns]
        out[s.name] = sorted(rows, key=lambda r: tuple(r[k] for k in keys))
    return out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.fixed_dictionaries(SECTION_ROWS))
def test_export_import_export_is_the_identity(ctx, data: dict[str, list[dict[str, Any]]]) -> None:  # noqa: ANN001
    expected = _canonical(data)
    doc = {"format": FORMAT, "version": EXPORT_VERSION, "app_version": "test", "exported_at": "", "data": expected}
    import_document(ctx, json.dumps(doc, allow_nan=False), replace=True)
    first = export_document(ctx, now=NOW)
    assert first["data"] == expected
    import_document(ctx, json.dumps(first, allow_nan=False), replace=True)
    assert export_document(ctx, now=NOW) == first
