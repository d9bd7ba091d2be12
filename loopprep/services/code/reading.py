"""Reading the bank and the attempts: the problem list, one problem, the history, the judge's protections."""

from __future__ import annotations

from sqlalchemy import select

from loopprep.errors import InvalidInput, NotFound
from loopprep.judge.client import Judge
from loopprep.services.code.bank import Status, get_problem, problem_bank
from loopprep.services.code.drafts import as_utc, get_draft
from loopprep.services.code.views import (
    AttemptDetail,
    AttemptSummary,
    Example,
    Pacing,
    ProblemList,
    ProblemSummary,
    ProblemView,
    Protections,
    _origin,
    _statuses,
    _summary,
)
from loopprep.services.context import AppContext
from loopprep.store.tables import code_attempt


def protections(j: Judge | None, ctx: AppContext | None = None) -> Protections:
    if j is None or not j.protections:
        off = list(ctx.settings.judge_protections_off) if ctx else []
        return Protections(started=False, off=off)
    layers = dict(j.protections)
    return Protections(started=True, layers=layers, off=[k for k, v in layers.items() if not v.get("on")])


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
    draft = get_draft(ctx, problem_id)
    if draft is not None and (not past or draft.saved_at >= as_utc(past[0].created_at)):
        code = draft.code
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
        draft=draft,
        examples=examples,
        hidden_count=len(p.tests) - len(examples),
        status=status,
        history=past,
        has_perf=p.perf is not None,
        pacing=Pacing(expected_minutes=p.expected_minutes),
        random_cases=p.random.cases if p.random else None,
        origin=_origin(bank, p.id),
    )
