"""Running and submitting code through the judge, grading in the trusted parent, and recording attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import Connection, insert

from loopprep.engines.clock import ItemKind
from loopprep.engines.judge.grade import CaseOutcome, Graded, Verdict
from loopprep.engines.judge.problem import MAX_SOURCE_BYTES
from loopprep.errors import InvalidInput
from loopprep.judge.client import Judge, JudgeBusy, JudgeUnavailable
from loopprep.judge.runner import judge
from loopprep.services.code.bank import get_problem, log
from loopprep.services.code.drafts import DraftReason, clear_draft, save_draft
from loopprep.services.code.reading import protections
from loopprep.services.code.views import AttemptResult, CaseView
from loopprep.services.code_random import random_row, random_summary
from loopprep.services.context import AppContext
from loopprep.services.plan import mark_item_done
from loopprep.store.locks import write_transaction
from loopprep.store.tables import code_attempt


def _check_code(code: str) -> str:
    if not isinstance(code, str) or not code.strip():
        raise InvalidInput(
            "The code is empty.", "Write your solution first (the starter shows the signature).", field="code"
        )
    if len(code.encode()) > MAX_SOURCE_BYTES:
        raise InvalidInput(
            f"The code is larger than {MAX_SOURCE_BYTES // 1024} KiB.",
            "Trim it; a solution fits in a page.",
            field="code",
        )
    return code.replace("\r\n", "\n")


def _case_view(c: CaseOutcome) -> CaseView:
    return CaseView(
        index=c.index,
        visible=c.visible,
        note=c.note,
        status=c.status,
        ms=c.ms,
        message=c.message,
        args=c.args,
        kwargs=c.kwargs,
        expected=c.expected if c.visible else None,
        got=c.got if c.visible else None,
        traceback=c.traceback,
        seed=c.seed,
    )


def _stored_cases(g: Graded) -> list[dict[str, Any]]:
    # per-test timings and status; never a hidden test's data (a random case's seed is the user's to replay)
    rows = [
        {
            "index": c.index,
            "visible": c.visible,
            "note": c.note,
            "status": c.status,
            "ms": None if c.ms is None else round(c.ms, 3),
        }
        | ({"seed": c.seed} if c.seed is not None else {})
        for c in g.cases
    ]
    if g.random is not None:
        rows.append(random_row(g))
    return rows


def _record(
    conn: Connection,
    problem_id: str,
    mode: str,
    code: str,
    g: Graded,
    latency_ms: float,
    elapsed_s: float | None,
    now: dt.datetime,
) -> int:
    return int(
        conn.execute(
            insert(code_attempt)
            .values(
                problem_id=problem_id,
                mode=mode,
                code=code,
                verdict=g.verdict.value,
                message=g.message[:20000],
                passed=g.passed,
                total=g.total,
                cases=_stored_cases(g),
                elapsed_s=elapsed_s,
                latency_ms=round(latency_ms, 3),
                perf=None,
                created_at=now,
            )
            .returning(code_attempt.c.id)
        ).scalar_one()
    )


_DRAFT_SAVED = (
    "Your code was saved as a draft; it was not graded and no attempt was recorded "
    "(the problem page and `loopprep code start` reopen it)."
)


def keep_as_draft(
    ctx: AppContext, problem_id: str, code: str, exc: JudgeUnavailable, *, now: dt.datetime
) -> JudgeUnavailable:
    """Save ``code`` as the problem's draft because the judge was busy or failed (``exc``), and
    return the error to raise, of the same class, saying so.  Run and submit call it; so does an
    adapter whose judge failed to start before it could call them.  Raises ``NotFound`` for an
    unknown problem and ``InvalidInput`` for code no run would take (nothing is saved then)."""
    get_problem(ctx, problem_id)
    code = _check_code(code)
    reason: DraftReason = "judge-busy" if isinstance(exc, JudgeBusy) else "judge-error"
    if reason == "judge-error":
        log.error("judge error on %s: %s", problem_id, exc.message)
    with ctx.engine.begin() as conn:
        save_draft(conn, problem_id, code, reason=reason, now=now)
    return type(exc)(f"{exc.message} {_DRAFT_SAVED}", exc.hint)


def _elapsed(elapsed_s: float | None) -> float | None:
    if elapsed_s is None:
        return None
    if elapsed_s < 0 or elapsed_s > 7 * 24 * 3600:
        raise InvalidInput(
            "The attempt clock reading is out of range.", "Send seconds since the problem opened.", field="elapsed_s"
        )
    return round(float(elapsed_s), 1)


def _execute(
    ctx: AppContext,
    j: Judge,
    problem_id: str,
    code: str,
    *,
    mode: Literal["run", "submit"],
    elapsed_s: float | None,
    now: dt.datetime,
) -> AttemptResult:
    p = get_problem(ctx, problem_id)
    code = _check_code(code)
    elapsed = _elapsed(elapsed_s)
    # A judge failure (busy, timed out, crashed) is loopprep's fault, not the user's: it is never
    # recorded as an attempt.  The code is kept as the problem's draft and the error goes back to
    # the caller (503 on the web, exit 1 in the CLI).
    try:
        res = judge(j, p, code, visible_only=(mode == "run"))
    except JudgeUnavailable as exc:
        raise keep_as_draft(ctx, problem_id, code, exc, now=now) from None
    g, latency = res.graded, res.latency_ms
    if g.verdict is Verdict.JUDGE_ERROR:
        failed = JudgeUnavailable(f"The judge failed on this run: {g.message}", "Try again; the judge restarts.")
        raise keep_as_draft(ctx, problem_id, code, failed, now=now)
    task = None
    checks_off = mode == "submit" and g.verdict is Verdict.ACCEPTED
    # the attempt and its plan check-off are saved together, under the plan's write lock
    with write_transaction(ctx.engine) if checks_off else ctx.engine.begin() as conn:
        attempt_id = _record(conn, problem_id, mode, code, g, latency, elapsed, now)
        clear_draft(conn, problem_id, now=now)  # graded: an older draft is superseded
        if checks_off:
            task = mark_item_done(conn, ItemKind.ACTIVITY, problem_id, now=now)
    return AttemptResult(
        id=attempt_id,
        problem_id=problem_id,
        mode=mode,
        verdict=g.verdict.value,
        verdict_label=g.verdict.label,
        accepted=g.verdict is Verdict.ACCEPTED,
        message=g.message,
        line=g.line,
        passed=g.passed,
        total=g.total,
        cases=[_case_view(c) for c in g.cases],
        stdout=g.stdout,
        mutated=g.mutated,
        forbidden=g.forbidden,
        latency_ms=round(latency, 3),
        elapsed_s=elapsed,
        plan_task=task,
        protections_off=protections(j).off,
        random=random_summary(g),
    )


def run_code(
    ctx: AppContext, j: Judge, problem_id: str, code: str, *, elapsed_s: float | None = None, now: dt.datetime
) -> AttemptResult:
    """The visible examples only, each shown with its input, expected and actual output."""
    return _execute(ctx, j, problem_id, code, mode="run", elapsed_s=elapsed_s, now=now)


def submit_code(
    ctx: AppContext, j: Judge, problem_id: str, code: str, *, elapsed_s: float | None = None, now: dt.datetime
) -> AttemptResult:
    """Every test; a hidden failure names its category, never its data.  Accepted marks the plan's
    task for this problem done."""
    return _execute(ctx, j, problem_id, code, mode="submit", elapsed_s=elapsed_s, now=now)
