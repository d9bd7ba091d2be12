"""What the code pages and ``--json`` show: problems, examples, attempts, cases and performance."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, select

from loopprep.content.loader import ProblemBank
from loopprep.engines.judge.grade import Verdict
from loopprep.services.code.bank import ROUND_MINUTES, Status
from loopprep.services.code.drafts import DraftView
from loopprep.services.context import AppContext
from loopprep.store.tables import code_attempt


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
    """The attempt clock's target: the time an interviewer would give this problem (its file's
    ``expected_minutes``; an ML implementation round usually holds one problem with follow-ups)."""

    expected_minutes: int
    round_minutes: int = ROUND_MINUTES


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
    code: str = Field(
        description="Your draft when newer than your last attempt, else that attempt's code, or the starter."
    )
    draft: DraftView | None = Field(
        None, description="Code the judge could not grade (busy or failed), kept until your next graded attempt."
    )
    examples: list[Example]
    hidden_count: int
    status: Status
    history: list[AttemptSummary]
    pacing: Pacing
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
