"""Problem CI: every problem's reference solution and mutants judged as a user's code would be."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from loopprep.content.loader import load_problem_dir
from loopprep.errors import NotFound
from loopprep.judge.check import check_problem
from loopprep.judge.client import Judge
from loopprep.services.code.bank import problem_bank
from loopprep.services.code.perf import _store_reference
from loopprep.services.code.reading import protections
from loopprep.services.context import AppContext


class CheckedProblem(BaseModel):
    id: str
    ok: bool
    issues: list[str]
    reference_verdict: str
    reference_ms: float
    mutants: list[dict[str, str]]
    perf_ms: float | None = None
    perf_peak_bytes: int | None = None
    mutation_score: float = Field(1.0, description="Share of mutants killed by the tests and random cases, 0..1.")
    random_cases: int | None = Field(None, description="Random cases each mutant met; None: none (skipped).")


class CheckReport(BaseModel):
    directory: str
    ok: bool
    problems: list[CheckedProblem]
    schema_errors: list[str]
    checked: int
    failed: int
    protections_off: list[str]


def check_problems(
    ctx: AppContext | None,
    j: Judge,
    directory: Path | None = None,
    *,
    only: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> CheckReport:
    """Validate every problem in ``directory`` (default: the shipped bank and the user's own):
    the schema, the reference accepted in the sandbox, every mutant caught.  Reference figures
    on the larger input are cached in the database when ``ctx`` is given."""
    if directory is not None:
        bank = load_problem_dir(directory)
        where = str(directory)
    elif ctx is not None:
        bank = problem_bank(ctx)
        own = [str(d) for d in (ctx.settings.content_dir, ctx.settings.problems_dir) if d is not None]
        where = "the shipped bank" + (f" and {' and '.join(own)}" if own else "")
    else:
        from loopprep.content.loader import load_bank

        bank = load_bank().coding
        where = "the shipped bank"
    problems = [p for pid, p in bank.problems.items() if not only or pid in only]
    if only:
        missing = sorted(set(only) - set(bank.problems))
        if missing:
            raise NotFound(f"No problem named {', '.join(missing)} in {where}.", "Check the ids with `code list`.")
    out = []
    for n, p in enumerate(problems, 1):
        if progress:
            progress(p.id, n, len(problems))
        res = check_problem(j, p)
        if res.perf is not None and ctx is not None:
            _store_reference(ctx, p, res.perf, now or dt.datetime.now(dt.UTC))
        out.append(
            CheckedProblem(
                id=p.id,
                ok=res.ok,
                issues=res.issues,
                reference_verdict=res.reference_verdict,
                reference_ms=res.reference_ms,
                mutants=[{"bug": m.bug, "verdict": m.verdict, "caught_by": m.caught_by} for m in res.mutants],
                perf_ms=res.perf.ms if res.perf else None,
                perf_peak_bytes=res.perf.peak_bytes if res.perf else None,
                mutation_score=round(res.mutation_score, 4),
                random_cases=res.random_cases,
            )
        )
    errors = [str(e) for e in bank.errors]
    failed = sum(not c.ok for c in out) + len(errors)
    return CheckReport(
        directory=where,
        ok=failed == 0,
        problems=out,
        schema_errors=errors,
        checked=len(out),
        failed=failed,
        protections_off=protections(j).off,
    )
