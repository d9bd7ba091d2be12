"""ML coding service on both databases: the bank with the user's own problems, statuses, history,
the code kept on every path, performance beside the verdict and its cached reference figures."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from loopprep.content.loader import load_bank
from loopprep.content.paths import PROBLEMS_DIR as SHIPPED_DIR
from loopprep.errors import InvalidInput, NotFound
from loopprep.judge.client import Judge, JudgeBusy, JudgeUnavailable
from loopprep.services import code
from loopprep.services.context import AppContext
from loopprep.store.tables import code_reference_perf

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
SOFTMAX = load_bank().coding.problems["stable-softmax"]


@pytest.fixture(scope="module")
def j():
    with Judge() as judge:
        yield judge


def _with_dir(ctx: AppContext, directory: Path) -> AppContext:
    settings = ctx.settings.model_copy(update={"problems_dir": directory})
    return AppContext(settings=settings, engine=ctx.engine, bank=load_bank(problems_dir=directory))


def test_status_moves_from_new_to_attempted_to_solved(ctx: AppContext, j: Judge) -> None:
    assert code.show_problem(ctx, "stable-softmax").status == "new"
    wrong = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.mutants[0].source, now=NOW)
    assert wrong.verdict == "wrong-answer" and not wrong.accepted
    assert code.show_problem(ctx, "stable-softmax").status == "attempted"
    assert [p.id for p in code.list_problems(ctx, status="attempted").problems] == ["stable-softmax"]
    ok = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.reference, elapsed_s=600.4, now=NOW)
    assert ok.accepted and ok.passed == ok.total == len(SOFTMAX.tests) + SOFTMAX.random.cases
    listing = code.list_problems(ctx, status="solved")
    assert [p.id for p in listing.problems] == ["stable-softmax"] and listing.solved == 1
    assert listing.problems[0].attempts == 2
    assert "stable-softmax" not in {p.id for p in code.list_problems(ctx, status="new").problems}


def test_a_passing_run_does_not_count_as_solved(ctx: AppContext, j: Judge) -> None:
    res = code.run_code(ctx, j, "stable-softmax", SOFTMAX.reference, now=NOW)
    assert res.accepted and res.total == sum(t.visible for t in SOFTMAX.tests)
    assert code.show_problem(ctx, "stable-softmax").status == "attempted"


def test_the_editor_reopens_with_the_last_attempt(ctx: AppContext, j: Judge) -> None:
    view = code.show_problem(ctx, "stable-softmax")
    assert view.code == SOFTMAX.starter
    mine = SOFTMAX.mutants[1].source
    code.run_code(ctx, j, "stable-softmax", mine, now=NOW)
    assert code.show_problem(ctx, "stable-softmax").code == mine


def test_history_keeps_code_verdict_timings_and_clock(ctx: AppContext, j: Judge) -> None:
    res = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.reference, elapsed_s=321.0, now=NOW)
    [summary] = code.history(ctx, "stable-softmax")
    assert (summary.id, summary.mode, summary.verdict, summary.elapsed_s) == (res.id, "submit", "accepted", 321.0)
    detail = code.get_attempt(ctx, res.id)
    assert detail.code == SOFTMAX.reference
    assert len(detail.cases) == len(SOFTMAX.tests) + 1  # + the random cases' row
    assert all(c["ms"] is not None and c["ms"] >= 0 for c in detail.cases if "random" not in c)
    hidden = [c for c in detail.cases if "random" not in c and not c["visible"]]
    assert hidden and all(set(c) == {"index", "visible", "note", "status", "ms"} for c in hidden)


def test_hidden_failures_name_their_category_never_their_data(ctx: AppContext, j: Judge) -> None:
    res = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.mutants[0].source, now=NOW)
    failed_hidden = [c for c in res.cases if not c.visible and c.status != "passed"]
    assert failed_hidden
    for c in failed_hidden:
        assert c.note and c.args is None and c.expected is None and c.got is None
    shown = res.model_dump_json()
    visible = {x for t in SOFTMAX.tests if t.visible for x in _floats([t.args, t.kwargs, t.expected])}
    secret = {x for t in SOFTMAX.tests if not t.visible for x in _floats(t.expected)} - visible
    secret = {x for x in secret if x not in (0.0, 1.0, 0.5) and x == x}
    assert secret, "the problem should have hidden expected values of its own"
    assert not [x for x in secret if repr(x) in shown]


def _floats(v: object) -> list[float]:
    if isinstance(v, float):
        return [v]
    if isinstance(v, dict):
        return [x for item in v.values() for x in _floats(item)]
    if isinstance(v, list):
        return [x for item in v for x in _floats(item)]
    return []


def test_bad_input_is_refused_with_the_field(ctx: AppContext, j: Judge) -> None:
    with pytest.raises(InvalidInput) as e:
        code.submit_code(ctx, j, "stable-softmax", "   ", now=NOW)
    assert e.value.fields == {"code": e.value.message} or "code" in str(e.value.fields)
    with pytest.raises(InvalidInput):
        code.submit_code(ctx, j, "stable-softmax", "x = 1\n" * 20000, now=NOW)
    with pytest.raises(InvalidInput):
        code.run_code(ctx, j, "stable-softmax", SOFTMAX.reference, elapsed_s=-5, now=NOW)
    with pytest.raises(NotFound):
        code.submit_code(ctx, j, "no-such-problem", SOFTMAX.reference, now=NOW)
    for bad in ({"topic": "cooking"}, {"difficulty": "extreme"}, {"status": "done"}):
        with pytest.raises(InvalidInput):
            code.list_problems(ctx, **bad)
    assert code.history(ctx) == []  # nothing was stored for refused input


def test_a_judge_that_cannot_start_is_an_error_not_an_attempt(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A judge failure is loopprep's fault: it used to be stored as a "judge-error" attempt.
    broken = tmp_path / "numpy"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('no numpy here')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    dead = Judge()
    with pytest.raises(JudgeUnavailable) as err:
        code.submit_code(ctx, dead, "stable-softmax", SOFTMAX.reference, now=NOW)
    assert err.value.status_code == 503 and "no attempt was recorded" in err.value.message
    assert "Your code was saved as a draft" in err.value.message
    assert code.history(ctx) == []
    view = code.show_problem(ctx, "stable-softmax")
    assert view.status == "new"
    assert view.draft is not None and view.draft.reason == "judge-error" and view.draft.saved_at == NOW
    assert view.code == view.draft.code == SOFTMAX.reference  # the editor reopens with it


def test_a_busy_judge_answers_busy_and_records_nothing(ctx: AppContext) -> None:
    import threading
    import time

    loop = "import numpy as np\n\ndef softmax(x):\n    while True:\n        pass\n"
    with Judge(parallel=1, max_waiting=1) as busy:
        threads = [
            threading.Thread(target=code.run_code, args=(ctx, busy, "stable-softmax", loop), kwargs={"now": NOW})
            for _ in range(2)
        ]
        for t in threads:
            t.start()
        end = time.monotonic() + 30
        while busy._waiting < 1:
            assert time.monotonic() < end
            time.sleep(0.01)
        later = NOW + dt.timedelta(seconds=1)
        with pytest.raises(JudgeBusy) as err:
            code.submit_code(ctx, busy, "stable-softmax", SOFTMAX.reference, now=later)
        assert "busy" in err.value.message and err.value.status_code == 503
        assert "Your code was saved as a draft" in err.value.message
        for t in threads:
            t.join()
    assert [a.mode for a in code.history(ctx)] == ["run", "run"]  # the two loops, not the busy submit
    view = code.show_problem(ctx, "stable-softmax")
    assert view.status == "attempted"
    # the loops started before the draft was saved, so finishing after it they leave it alone
    assert view.draft == code.DraftView(code=SOFTMAX.reference, saved_at=later, reason="judge-busy")
    assert view.code == SOFTMAX.reference


def test_a_draft_is_replaced_by_a_newer_one_and_cleared_by_the_next_graded_attempt(
    ctx: AppContext, j: Judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "numpy"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('no numpy here')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    dead = Judge()
    first, second = SOFTMAX.mutants[0].source, SOFTMAX.mutants[1].source
    for source, at in ((first, NOW), (second, NOW + dt.timedelta(minutes=5))):
        with pytest.raises(JudgeUnavailable):
            code.run_code(ctx, dead, "stable-softmax", source, now=at)
    draft = code.get_draft(ctx, "stable-softmax")
    assert draft is not None and draft.code == second and draft.saved_at == NOW + dt.timedelta(minutes=5)
    # another problem's draft is left alone by this problem's attempt
    with pytest.raises(JudgeUnavailable):
        code.run_code(ctx, dead, "adam-step", "def f():\n    pass\n", now=NOW)
    monkeypatch.delenv("PYTHONPATH")
    wrong = code.submit_code(ctx, j, "stable-softmax", first, now=NOW + dt.timedelta(minutes=9))
    assert wrong.verdict == "wrong-answer"  # graded, even if not accepted: the draft is superseded
    view = code.show_problem(ctx, "stable-softmax")
    assert view.draft is None and view.code == first
    assert code.get_draft(ctx, "adam-step") is not None


def test_a_draft_older_than_the_last_attempt_does_not_replace_it_in_the_editor(ctx: AppContext, j: Judge) -> None:
    from loopprep.services.code.drafts import save_draft

    code.submit_code(ctx, j, "stable-softmax", SOFTMAX.reference, now=NOW)
    with ctx.engine.begin() as conn:  # as an import can leave it
        save_draft(conn, "stable-softmax", "old draft", reason="judge-busy", now=NOW - dt.timedelta(days=1))
    view = code.show_problem(ctx, "stable-softmax")
    assert view.code == SOFTMAX.reference and view.draft is not None and view.draft.code == "old draft"


def test_perf_is_measured_after_the_verdict_and_the_reference_is_cached(ctx: AppContext, j: Judge) -> None:
    res = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.reference, now=NOW)
    view = code.measure_attempt(ctx, j, res.id, now=NOW)
    assert view.available and view.ms > 0 and view.reference_ms > 0 and view.ratio > 0
    assert view.peak_bytes > 0 and not view.slow
    with ctx.engine.connect() as conn:
        cached = conn.execute(select(code_reference_perf)).all()
    assert [r.problem_id for r in cached] == ["stable-softmax"]
    again = code.measure_attempt(ctx, j, res.id, now=NOW + dt.timedelta(hours=1))
    assert again.model_dump() == view.model_dump()  # stored with the attempt, not re-measured
    with ctx.engine.connect() as conn:
        assert conn.execute(select(code_reference_perf.c.measured_at)).scalar_one().replace(tzinfo=None) == NOW.replace(
            tzinfo=None
        )
    assert code.history(ctx, "stable-softmax")[0].perf["ratio"] == view.ratio


def test_a_loop_solution_where_vectorised_code_is_required_is_too_slow(ctx: AppContext, j: Judge) -> None:
    loop = (
        "import math\nimport numpy as np\n\n"
        "def softmax(x, axis=-1):\n"
        "    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)\n"
        "    if x.size == 0:\n        raise ValueError('empty')\n"
        "    out = np.empty_like(x)\n"
        "    for idx in np.ndindex(x.shape[:-1]):\n"
        "        row = x[idx]\n        m = max(row)\n"
        "        e = [math.exp(v - m) for v in row]\n        s = sum(e)\n"
        "        for k in range(len(e)):\n            out[idx + (k,)] = e[k] / s\n"
        "    return np.moveaxis(out, -1, axis)\n"
    )
    # correct on every test and random case, but the statement requires vectorised code
    # (perf.require): timed beside the reference, the loop is a verdict, not a note
    assert SOFTMAX.perf is not None and SOFTMAX.perf.require is not None
    res = code.submit_code(ctx, j, "stable-softmax", loop, now=NOW)
    assert res.verdict == "too-slow" and not res.accepted, res.message
    assert res.passed == res.total  # every answer was right
    assert f"the statement requires within {SOFTMAX.perf.require:g}x" in res.message


def test_perf_is_not_measured_for_code_that_is_not_accepted(ctx: AppContext, j: Judge) -> None:
    res = code.submit_code(ctx, j, "stable-softmax", SOFTMAX.mutants[0].source, now=NOW)
    view = code.measure_attempt(ctx, j, res.id, now=NOW)
    assert not view.available and "accepted" in view.note


def test_own_problems_load_beside_the_bank_and_broken_files_are_named(ctx: AppContext, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (SHIPPED_DIR / "stable-softmax.yaml").read_text()
    (mine / "my-softmax.yaml").write_text(text.replace("id: stable-softmax", "id: my-softmax", 1))
    (mine / "stable-softmax.yaml").write_text(text)  # reuses a shipped id
    (mine / "broken.yaml").write_text("id: broken\ntitle: Broken\ndifficulty: impossible\n")
    own = _with_dir(ctx, mine)
    listing = code.list_problems(own)
    ids = {p.id: p.origin for p in listing.problems}
    assert ids["my-softmax"] == "yours" and ids["stable-softmax"] == "shipped"
    assert any("broken.yaml" in e and "difficulty" in e for e in listing.errors)
    assert any("stable-softmax.yaml" in e and "already used" in e for e in listing.errors)
    assert "broken" not in ids
    assert listing.total == len(load_bank().coding.problems) + 1


def test_problem_ci_over_a_directory_caches_reference_figures(ctx: AppContext, j: Judge, tmp_path: Path) -> None:
    d = tmp_path / "ci"
    d.mkdir()
    shutil.copy(SHIPPED_DIR / "stable-softmax.yaml", d / "stable-softmax.yaml")
    text = (SHIPPED_DIR / "stable-softmax.yaml").read_text()
    # a copy whose first mutant is the reference itself: it cannot be caught
    weak = text.replace("id: stable-softmax", "id: weak-softmax", 1)
    (d / "weak-softmax.yaml").write_text(weak)
    seen: list[tuple[str, int, int]] = []
    report = code.check_problems(ctx, j, d, progress=lambda pid, n, total: seen.append((pid, n, total)), now=NOW)
    assert report.checked == 2 and [s[1:] for s in seen] == [(1, 2), (2, 2)]
    assert report.ok  # both are sound copies
    with ctx.engine.connect() as conn:
        assert {r.problem_id for r in conn.execute(select(code_reference_perf))} == {"stable-softmax", "weak-softmax"}
    doc = yaml.safe_load(text)
    doc["id"] = "weak-softmax"
    # the first mutant becomes the reference plus a comment: no test can catch it
    doc["mutants"][0]["source"] = SOFTMAX.reference + "\n# the same as the reference\n"
    (d / "weak-softmax.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    report = code.check_problems(None, j, d, only=["weak-softmax"])
    assert not report.ok and report.failed == 1
    assert any("passes every test" in issue for issue in report.problems[0].issues)
