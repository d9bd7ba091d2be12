"""ML coding practice: the problem bank, running and submitting code through the judge, attempts,
performance beside the verdict, and problem CI.

Every function takes the :class:`Judge` it should use; the web app keeps one per worker, the CLI
one per command.  The sandbox never sees an expected value: grading happens here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, case, delete, func, insert, select, update

from loopprep.content.loader import ProblemBank, load_problem_dir
from loopprep.engines.clock import ItemKind
from loopprep.engines.judge.grade import CaseOutcome, Graded, Verdict
from loopprep.engines.judge.problem import MAX_SOURCE_BYTES, Problem
from loopprep.errors import InvalidInput, NotFound
from loopprep.judge.check import check_problem
from loopprep.judge.client import Judge, JudgeUnavailable
from loopprep.judge.runner import PerfFigure, cases_of, judge, measure_perf
from loopprep.services.code_random import random_row, random_summary
from loopprep.services.context import AppContext
from loopprep.services.plan import mark_item_done
from loopprep.store.locks import write_transaction
from loopprep.store.tables import code_attempt, code_reference_perf

log = logging.getLogger("loopprep.judge")
ROUND_MINUTES = 45
PROBLEMS_PER_ROUND = 2  # the issue's pacing: a 45-minute coding round holds two problems
SLOW_RATIO = 10.0  # a vectorised problem's solution this many times slower than the reference is flagged
Status = Literal["solved", "attempted", "new"]


# ---- the bank -------------------------------------------------------------------------------------


def problem_bank(ctx: AppContext) -> ProblemBank:
    """The shipped problems plus the user's own (``LOOPPREP_CONTENT_DIR/problems`` and
    ``LOOPPREP_PROBLEMS_DIR``), as loaded into the content bank when the context opened."""
    return ctx.bank.coding


def get_problem(ctx: AppContext, problem_id: str) -> Problem:
    bank = problem_bank(ctx)
    if problem_id not in bank.problems:
        raise NotFound(f"There is no coding problem '{problem_id}'.", "List them with `loopprep code list`.")
    return bank.problems[problem_id]


def problem_titles(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(id, title, difficulty) of every problem, easy first: what the plan names."""
    order = {"easy": 0, "medium": 1, "hard": 2}
    probs = sorted(problem_bank(ctx).problems.values(), key=lambda p: (order[p.difficulty], p.id))
    return [(p.id, p.title, p.difficulty) for p in probs]


# ---- views ----------------------------------------------------------------------------------------


class Protections(BaseModel):
    started: bool = Field(description="Whether this process has started its judge yet.")
    layers: dict[str, dict[str, Any]] = Field(default_factory=dict, description="layer -> {on, how}")
    off: list[str] = Field(default_factory=list, description="Layers that are off on this machine.")


class ProblemHead(BaseModel):
    """What a list row and a problem page share."""

    id: str
    title: str
    difficulty: str
    topics: list[str]
    roles: list[str]
    companies: list[str]
    vectorised: bool
    origin: Literal["shipped", "yours"]


class ProblemSummary(ProblemHead):
    status: Status
    attempts: int


class ProblemList(BaseModel):
    problems: list[ProblemSummary]
    topics: list[str]
    difficulties: list[str] = ["easy", "medium", "hard"]
    solved: int
    attempted: int
    total: int
    errors: list[str] = Field(default_factory=list, description="Your own problem files that were left out, and why.")


class Example(BaseModel):
    index: int
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any
    note: str


class AttemptSummary(BaseModel):
    id: int
    problem_id: str
    mode: Literal["run", "submit"]
    verdict: str
    verdict_label: str
    passed: int
    total: int
    elapsed_s: float | None
    latency_ms: float
    perf: dict[str, Any] | None = None
    created_at: dt.datetime


class Pacing(BaseModel):
    round_minutes: int = ROUND_MINUTES
    problems_per_round: int = PROBLEMS_PER_ROUND
    minutes_per_problem: float = ROUND_MINUTES / PROBLEMS_PER_ROUND


class ProblemView(ProblemHead):
    statement: str = Field(description="Markdown.")
    function: str
    signature: str
    returns: str
    params: dict[str, str]
    forbidden: list[str]
    time_limit_s: float
    memory_limit_mb: int
    starter: str
    code: str = Field(description="The last attempt's code, or the starter.")
    examples: list[Example]
    hidden_count: int
    status: Status
    history: list[AttemptSummary]
    pacing: Pacing = Field(default_factory=Pacing)
    has_perf: bool
    random_cases: int | None = Field(None, description="Random cases run on Submit; None: random testing skipped.")


class CaseView(BaseModel):
    index: int
    visible: bool
    note: str
    status: str
    ms: float | None = None
    message: str = ""
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    expected: Any = None
    got: Any = None
    traceback: str = ""
    seed: int | None = Field(None, description="A random case's seed: `loopprep code replay ATTEMPT` shows it.")


class AttemptResult(BaseModel):
    id: int
    problem_id: str
    mode: Literal["run", "submit"]
    verdict: str
    verdict_label: str
    accepted: bool
    message: str
    line: int | None = None
    passed: int
    total: int
    cases: list[CaseView]
    stdout: str = ""
    mutated: list[str] = Field(default_factory=list, description="Arguments the solution changed in place.")
    forbidden: str | None = None
    latency_ms: float
    elapsed_s: float | None = None
    plan_task: str | None = Field(None, description="The plan task this solve marked done, if any.")
    protections_off: list[str] = Field(default_factory=list)
    random: dict[str, Any] | None = Field(None, description="The random cases run: seeds, count, first failure.")


class PerfView(BaseModel):
    attempt_id: int
    available: bool
    note: str = ""
    ms: float | None = None
    reference_ms: float | None = None
    ratio: float | None = Field(None, description="Your time divided by the reference's.")
    peak_bytes: int | None = None
    reference_peak_bytes: int | None = None
    memory_ratio: float | None = None
    slow: bool = Field(False, description="The statement asks for vectorised code and this is far slower.")
    mutated: list[str] = Field(default_factory=list)


class AttemptDetail(AttemptSummary):
    code: str
    message: str
    cases: list[dict[str, Any]]


# ---- helpers --------------------------------------------------------------------------------------


def _origin(bank: ProblemBank, problem_id: str) -> Literal["shipped", "yours"]:
    return bank.origin.get(problem_id, "yours")


def _statuses(ctx: AppContext, problem_id: str | None = None) -> dict[str, tuple[Status, int]]:
    solved_submit = (code_attempt.c.verdict == Verdict.ACCEPTED.value) & (code_attempt.c.mode == "submit")
    query = select(code_attempt.c.problem_id, func.count(), func.sum(case((solved_submit, 1), else_=0)))
    if problem_id is not None:
        query = query.where(code_attempt.c.problem_id == problem_id)
    with ctx.engine.connect() as conn:
        rows = conn.execute(query.group_by(code_attempt.c.problem_id)).all()
    out: dict[str, tuple[Status, int]] = {}
    for pid, n, solved in rows:
        out[pid] = ("solved" if solved else "attempted", int(n))
    return out


def _summary(row: Any) -> AttemptSummary:
    verdict = Verdict(row.verdict)
    return AttemptSummary(
        id=row.id,
        problem_id=row.problem_id,
        mode=row.mode,
        verdict=verdict.value,
        verdict_label=verdict.label,
        passed=row.passed,
        total=row.total,
        elapsed_s=row.elapsed_s,
        latency_ms=row.latency_ms,
        perf=row.perf,
        created_at=row.created_at,
    )


def protections(j: Judge | None, ctx: AppContext | None = None) -> Protections:
    if j is None or not j.protections:
        off = list(ctx.settings.judge_protections_off) if ctx else []
        return Protections(started=False, off=off)
    layers = dict(j.protections)
    return Protections(started=True, layers=layers, off=[k for k, v in layers.items() if not v.get("on")])


# ---- reading --------------------------------------------------------------------------------------


def list_problems(
    ctx: AppContext, *, topic: str | None = None, difficulty: str | None = None, status: str | None = None
) -> ProblemList:
    bank = problem_bank(ctx)
    if difficulty and difficulty not in ("easy", "medium", "hard"):
        raise InvalidInput(f"Unknown difficulty '{difficulty}'.", "Use easy, medium or hard.", field="difficulty")
    if status and status not in ("solved", "attempted", "new"):
        raise InvalidInput(f"Unknown status '{status}'.", "Use solved, attempted or new.", field="status")
    topics = sorted({t for p in bank.problems.values() for t in p.topics})
    if topic and topic not in topics:
        raise InvalidInput(f"Unknown topic '{topic}'.", f"Use one of: {', '.join(topics)}.", field="topic")
    seen = _statuses(ctx)
    order = {"easy": 0, "medium": 1, "hard": 2}
    items = []
    for p in sorted(bank.problems.values(), key=lambda p: (order[p.difficulty], p.title.lower())):
        st, n = seen.get(p.id, ("new", 0))
        if topic and topic not in p.topics or difficulty and p.difficulty != difficulty:
            continue
        if status and st != status:
            continue
        items.append(
            ProblemSummary(
                id=p.id,
                title=p.title,
                difficulty=p.difficulty,
                topics=list(p.topics),
                roles=[r.value for r in p.roles],
                companies=[c.value for c in p.companies],
                vectorised=p.vectorised,
                status=st,
                attempts=n,
                origin=_origin(bank, p.id),
            )
        )
    solved = sum(1 for pid, (st, _) in seen.items() if st == "solved" and pid in bank.problems)
    attempted = sum(1 for pid, (st, _) in seen.items() if st == "attempted" and pid in bank.problems)
    return ProblemList(
        problems=items,
        topics=topics,
        solved=solved,
        attempted=attempted,
        total=len(bank.problems),
        errors=[str(e) for e in bank.errors],
    )


def history(ctx: AppContext, problem_id: str | None = None, *, limit: int = 50) -> list[AttemptSummary]:
    if problem_id is not None:
        get_problem(ctx, problem_id)
    q = select(code_attempt).order_by(code_attempt.c.created_at.desc(), code_attempt.c.id.desc()).limit(limit)
    if problem_id is not None:
        q = q.where(code_attempt.c.problem_id == problem_id)
    with ctx.engine.connect() as conn:
        return [_summary(r) for r in conn.execute(q)]


def get_attempt(ctx: AppContext, attempt_id: int) -> AttemptDetail:
    with ctx.engine.connect() as conn:
        row = conn.execute(select(code_attempt).where(code_attempt.c.id == attempt_id)).first()
    if row is None:
        raise NotFound(f"There is no coding attempt {attempt_id}.", "See `loopprep code history`.")
    return AttemptDetail(**_summary(row).model_dump(), code=row.code, message=row.message, cases=row.cases)


def show_problem(ctx: AppContext, problem_id: str) -> ProblemView:
    p = get_problem(ctx, problem_id)
    bank = problem_bank(ctx)
    past = history(ctx, problem_id, limit=20)
    code = p.starter
    if past:
        with ctx.engine.connect() as conn:
            code = conn.execute(select(code_attempt.c.code).where(code_attempt.c.id == past[0].id)).scalar_one()
    status: Status = _statuses(ctx, problem_id).get(problem_id, ("new", 0))[0]
    examples = [
        Example(index=i, args=t.args, kwargs=t.kwargs, expected=t.expected, note=t.note)
        for i, t in enumerate(p.tests)
        if t.visible
    ]
    return ProblemView(
        id=p.id,
        title=p.title,
        difficulty=p.difficulty,
        topics=list(p.topics),
        roles=[r.value for r in p.roles],
        companies=[c.value for c in p.companies],
        vectorised=p.vectorised,
        statement=p.statement,
        function=p.function,
        signature=p.signature,
        returns=p.returns,
        params=dict(p.params),
        forbidden=list(p.forbidden),
        time_limit_s=p.limits.time_s,
        memory_limit_mb=p.limits.memory_mb,
        starter=p.starter,
        code=code,
        examples=examples,
        hidden_count=len(p.tests) - len(examples),
        status=status,
        history=past,
        has_perf=p.perf is not None,
        random_cases=p.random.cases if p.random else None,
        origin=_origin(bank, p.id),
    )


# ---- running --------------------------------------------------------------------------------------


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
    try:
        res = judge(j, p, code, visible_only=(mode == "run"))
        g, latency = res.graded, res.latency_ms
    except JudgeUnavailable as exc:  # loopprep's fault: keep the code, say so, log it
        cases = cases_of(p, visible_only=(mode == "run"))
        g = Graded(
            Verdict.JUDGE_ERROR,
            f"{exc.message} Your code was saved; {exc.hint}",
            0,
            len(cases),
            [CaseOutcome(c.index, c.visible, c.note, "not-run") for c in cases],
        )
        latency = 0.0
    if g.verdict is Verdict.JUDGE_ERROR:
        log.error("judge error on %s: %s", problem_id, g.message)
    task = None
    checks_off = mode == "submit" and g.verdict is Verdict.ACCEPTED
    # the attempt and its plan check-off are saved together, under the plan's write lock
    with write_transaction(ctx.engine) if checks_off else ctx.engine.begin() as conn:
        attempt_id = _record(conn, problem_id, mode, code, g, latency, elapsed, now)
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


# ---- more than correctness ------------------------------------------------------------------------


def _digest(p: Problem) -> str:
    perf = p.perf.model_dump_json() if p.perf else ""
    return hashlib.sha256((p.reference + "\0" + perf).encode()).hexdigest()


def reference_figure(
    ctx: AppContext, j: Judge, p: Problem, *, now: dt.datetime, refresh: bool = False
) -> PerfFigure | str:
    """The reference's figures on the larger input: cached in the database, measured when missing."""
    digest = _digest(p)
    if not refresh:
        with ctx.engine.connect() as conn:
            row = conn.execute(select(code_reference_perf).where(code_reference_perf.c.problem_id == p.id)).first()
        if row is not None and row.digest == digest:
            return PerfFigure(row.ms, row.peak_bytes, [])
    fig = measure_perf(j, p, p.reference)
    if isinstance(fig, PerfFigure):
        _store_reference(ctx, p, fig, now)
    return fig


def _store_reference(ctx: AppContext, p: Problem, fig: PerfFigure, now: dt.datetime) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(delete(code_reference_perf).where(code_reference_perf.c.problem_id == p.id))
        conn.execute(
            insert(code_reference_perf).values(
                problem_id=p.id, digest=_digest(p), ms=fig.ms, peak_bytes=fig.peak_bytes or 0, measured_at=now
            )
        )


def measure_attempt(ctx: AppContext, j: Judge, attempt_id: int, *, now: dt.datetime) -> PerfView:
    """After the verdict: the solution's time and peak memory on the larger input against the
    reference's, stored with the attempt."""
    detail = get_attempt(ctx, attempt_id)
    if detail.perf:
        return PerfView(attempt_id=attempt_id, **detail.perf)
    p = get_problem(ctx, detail.problem_id)
    if detail.verdict != Verdict.ACCEPTED.value:
        return PerfView(attempt_id=attempt_id, available=False, note="Speed and memory are measured on accepted code.")
    if p.perf is None:
        return PerfView(attempt_id=attempt_id, available=False, note="This problem has no larger input to time.")
    # measured now, beside the solution: a cached figure from a quieter moment made the flag flip
    ref = reference_figure(ctx, j, p, now=now, refresh=True)
    mine = measure_perf(j, p, detail.code)
    if not isinstance(ref, PerfFigure):
        view = PerfView(attempt_id=attempt_id, available=False, note=f"The reference could not be measured: {ref}.")
    elif not isinstance(mine, PerfFigure):
        slow = p.vectorised and "out of time" in mine
        note = f"Your solution {mine}."
        if slow:
            note += (
                f" The reference takes {ref.ms:.0f} ms there: the statement asks for vectorised numpy; "
                "look for Python loops over elements."
            )
        view = PerfView(attempt_id=attempt_id, available=False, note=note, reference_ms=round(ref.ms, 3), slow=slow)
    else:
        ratio = mine.ms / ref.ms if ref.ms > 0 else None
        mem_ratio = mine.peak_bytes / ref.peak_bytes if mine.peak_bytes and ref.peak_bytes else None
        slow = bool(p.vectorised and ratio is not None and ratio >= SLOW_RATIO)
        note = ""
        if slow:
            note = (
                f"{ratio:.0f}x slower than the reference: the statement asks for vectorised numpy; "
                "look for Python loops over elements."
            )
        if mine.peak_bytes is None:
            note = (note + " " if note else "") + "Peak memory was not traced: one run took too long."
        view = PerfView(
            attempt_id=attempt_id,
            available=True,
            note=note,
            ms=round(mine.ms, 3),
            reference_ms=round(ref.ms, 3),
            ratio=None if ratio is None else round(ratio, 2),
            peak_bytes=mine.peak_bytes,
            reference_peak_bytes=ref.peak_bytes or None,
            memory_ratio=None if mem_ratio is None else round(mem_ratio, 2),
            slow=slow,
            mutated=mine.mutated,
        )
    if view.available or view.slow:
        with ctx.engine.begin() as conn:
            conn.execute(
                update(code_attempt)
                .where(code_attempt.c.id == attempt_id)
                .values(perf=view.model_dump(exclude={"attempt_id"}))
            )
    return view


# ---- problem CI -----------------------------------------------------------------------------------


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
