"""Random cases in attempts: what an attempt stores about the seeds it ran, and replaying the
failing one (`loopprep code replay ATTEMPT`), which shows that case's input and both outputs.

The inputs are the user's own attempt's and are shown only after it, on request.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from loopprep.engines.judge.grade import CaseSpec, Graded
from loopprep.errors import InvalidInput, NotFound
from loopprep.services.context import AppContext
from loopprep.store.tables import code_attempt

RANDOM_ROW = "random"  # the stored row that lists an attempt's seeds


def random_summary(g: Graded) -> dict[str, Any] | None:
    r = g.random
    if r is None:
        return None
    return {
        "first_seed": r.first_seed,
        "last_seed": r.first_seed + r.count - 1,
        "count": r.count,
        "ran": r.ran,
        "failed_seed": r.failed_seed,
        "failed_case": r.failed_case,
        "digest": r.digest,
    }


def random_row(g: Graded) -> dict[str, Any]:
    """The attempt's record of its random cases, stored after the case rows."""
    summary = random_summary(g) or {}
    failed = summary.get("failed_seed") is not None
    return {
        "index": g.total - g.random.ran + g.random.count,  # after the last random case
        "visible": False,
        "note": f"random cases (seeds {summary['first_seed']}-{summary['last_seed']})",
        "status": "wrong" if failed else ("passed" if g.passed == g.total else "not-run"),
        "ms": None,
        RANDOM_ROW: summary,
    }


class Replay(BaseModel):
    attempt_id: int
    problem_id: str
    case: int = Field(description="1-based: 'random case N'.")
    seed: int
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any = Field(description="The reference's output.")
    got: Any = Field(None, description="Your code's output, when it returned.")
    status: str
    message: str
    traceback: str = ""
    stdout: str = ""
    problem_changed: bool = Field(False, description="The problem was edited since the attempt.")


def replay_attempt(ctx: AppContext, j: Any, attempt_id: int) -> Replay:
    """Re-run the attempt's code on its failing random case, as a visible case: its input, the
    reference's output and the code's.  Raises NotFound / InvalidInput when there is none."""
    from loopprep.judge.random_cases import expected_plain, reference_cases
    from loopprep.judge.runner import judge_cases
    from loopprep.services.code import get_problem

    with ctx.engine.connect() as conn:
        row = conn.execute(select(code_attempt).where(code_attempt.c.id == attempt_id)).first()
    if row is None:
        raise NotFound(f"There is no coding attempt {attempt_id}.", "See `loopprep code history`.")
    summary = next((c[RANDOM_ROW] for c in row.cases if isinstance(c, dict) and RANDOM_ROW in c), None)
    if not summary or summary.get("failed_seed") is None:
        why = "ran no random cases" if not summary else "failed no random case"
        raise InvalidInput(
            f"Attempt {attempt_id} {why}.",
            "Replay an attempt whose verdict names a random case (see `loopprep code history`).",
        )
    p = get_problem(ctx, row.problem_id)
    ref = reference_cases(j, p)
    case = ref.by_seed(int(summary["failed_seed"]))
    if case is None:
        raise InvalidInput(
            f"Seed {summary['failed_seed']} is no longer among problem {p.id}'s random cases.",
            "The problem was edited since this attempt; submit again to get a current case.",
        )
    from loopprep.engines.judge.compare import Tol
    from loopprep.engines.judge.types import parse

    tol = p.tolerance
    spec = CaseSpec(
        len(p.tests) + case.i,
        expected_plain(case.expected),
        Tol(tol.abs, tol.rel) if tol else None,
        True,
        f"random case {case.i + 1}",
        list(case.args),
        dict(case.kwargs),
        returns=parse(p.returns),
        seed=case.seed,
    )
    g = judge_cases(j, p, row.code, [spec]).graded
    out = g.cases[0]
    return Replay(
        attempt_id=attempt_id,
        problem_id=p.id,
        case=case.i + 1,
        seed=case.seed,
        args=list(case.args),
        kwargs=dict(case.kwargs),
        expected=spec.expected,
        got=out.got,
        status=out.status,
        message=out.message or g.message,
        traceback=out.traceback,
        stdout=g.stdout,
        problem_changed=summary.get("digest") != ref.digest,
    )
