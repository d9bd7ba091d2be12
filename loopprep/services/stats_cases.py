"""Experimentation cases: content (YAML under ``content/data/stats-cases/``, validated into the bank), numeric
sub-questions graded against the calculators, and the user's attempts (stored, exported)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, insert, select

from loopprep.content.schema.stats_cases import AREAS, Case, CaseBank, CaseSource, CheckItem, NumericQuestion

__all__ = ["AREAS", "case_bank", "expected_answer", "get_case", "list_cases", "submit_attempt"]
from loopprep.engines.clock import ItemKind
from loopprep.errors import InvalidInput, NotFound
from loopprep.services.context import AppContext
from loopprep.services.plan import mark_item_done
from loopprep.store.locks import write_transaction
from loopprep.store.tables import stats_case_attempt


def case_bank(ctx: AppContext) -> CaseBank:
    """The shipped cases and their sources, validated into the content bank (ids unique,
    sources known)."""
    return ctx.bank.stats_cases


# ---- views ------------------------------------------------------------------------------------


class CaseSummary(BaseModel):
    id: str
    title: str
    pitfalls: list[str]
    attempts: int


class CaseList(BaseModel):
    cases: list[CaseSummary]


class NumericView(BaseModel):
    id: str
    question: str
    calculator: str


class AttemptView(BaseModel):
    id: int
    case_id: str
    answer: str
    checked: list[int]
    checklist_total: int
    numeric: dict[str, Any]
    numeric_correct: int
    numeric_total: int
    created_at: dt.datetime


class CaseView(BaseModel):
    case: Case
    numeric: list[NumericView]
    sources: list[CaseSource]
    attempts: list[AttemptView]


class GradedNumeric(BaseModel):
    id: str
    given: float | None
    expected: float
    unit: str
    correct: bool
    method: str


class AttemptResult(BaseModel):
    attempt: AttemptView
    graded: list[GradedNumeric]
    checklist: list[CheckItem]


def _counts(ctx: AppContext) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(stats_case_attempt.c.case_id, func.count()).group_by(stats_case_attempt.c.case_id)
        ).all()
    return {r[0]: int(r[1]) for r in rows}


def list_cases(ctx: AppContext) -> CaseList:
    counts = _counts(ctx)
    return CaseList(
        cases=[
            CaseSummary(id=c.id, title=c.title, pitfalls=c.pitfalls, attempts=counts.get(c.id, 0))
            for c in case_bank(ctx).cases.values()
        ]
    )


def _case(ctx: AppContext, case_id: str) -> Case:
    bank = case_bank(ctx)
    if case_id not in bank.cases:
        raise NotFound(f"There is no stats case '{case_id}'.", "`loopprep stats cases` lists them.")
    return bank.cases[case_id]


def _attempt_view(row: Any) -> AttemptView:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    return AttemptView(
        id=row.id,
        case_id=row.case_id,
        answer=row.answer,
        checked=list(row.checked),
        checklist_total=row.checklist_total,
        numeric=dict(row.numeric),
        numeric_correct=row.numeric_correct,
        numeric_total=row.numeric_total,
        created_at=created,
    )


def get_case(ctx: AppContext, case_id: str) -> CaseView:
    case = _case(ctx, case_id)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(stats_case_attempt)
            .where(stats_case_attempt.c.case_id == case_id)
            .order_by(stats_case_attempt.c.id.desc())
        ).all()
    bank = case_bank(ctx)
    return CaseView(
        case=case,
        numeric=[NumericView(id=q.id, question=q.question, calculator=q.calculator) for q in case.numeric],
        sources=[bank.sources[s] for s in case.sources],
        attempts=[_attempt_view(r) for r in rows],
    )


def expected_answer(q: NumericQuestion) -> tuple[float, str, str]:
    """The calculator's answer to a numeric sub-question: (value, unit, method)."""
    from loopprep.services.stats import calculate

    ans = calculate(q.calculator, {k: str(v) for k, v in q.inputs.items()})
    out = ans.result[q.answer]
    assert isinstance(out.value, int | float) and not isinstance(out.value, bool), q.id
    return float(out.value), out.unit, ans.method


def _correct(given: float, expected: float, tol: float) -> bool:
    if tol == 0:
        return math.isclose(given, expected, abs_tol=1e-9)
    return abs(given - expected) <= tol * max(abs(expected), 1e-12)


def submit_attempt(
    ctx: AppContext,
    case_id: str,
    *,
    answer: str,
    checked: list[int],
    numeric: dict[str, str],
    now: dt.datetime,
) -> AttemptResult:
    """Grade the numeric answers against the calculators, store the attempt with the self-score
    (``checked`` = indices of checklist items the user covered, 0-based)."""
    case = _case(ctx, case_id)
    if len(answer) > 20000:
        raise InvalidInput("answer is too long (at most 20,000 characters).", field="answer")
    bad = [i for i in checked if not 0 <= i < len(case.checklist)]
    if bad:
        raise InvalidInput(
            f"checked item {bad[0]} is not on the checklist (0-{len(case.checklist) - 1}).", field="checked"
        )
    graded: list[GradedNumeric] = []
    fields: dict[str, str] = {}
    for q in case.numeric:
        raw = (numeric.get(q.id) or "").strip().replace(",", "")
        given: float | None = None
        if raw:
            try:
                given = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
            except ValueError:
                fields[q.id] = f"{q.id} must be a number (e.g. 1094 or 0.031); got '{raw}'."
                continue
            if not math.isfinite(given):
                fields[q.id] = f"{q.id} must be a finite number."
                continue
        exp, unit, method = expected_answer(q)
        graded.append(
            GradedNumeric(
                id=q.id,
                given=given,
                expected=exp,
                unit=unit,
                method=method,
                correct=given is not None and _correct(given, exp, q.tolerance),
            )
        )
    unknown = set(numeric) - {q.id for q in case.numeric}
    if unknown:
        fields[sorted(unknown)[0]] = f"'{sorted(unknown)[0]}' is not a sub-question of this case."
    if fields:
        raise InvalidInput(" ".join(fields.values()), "Fix the answers named.", fields=fields)
    row = {
        "case_id": case_id,
        "answer": answer,
        "checked": sorted(set(checked)),
        "checklist_total": len(case.checklist),
        "numeric": {g.id: g.given for g in graded},
        "numeric_correct": sum(g.correct for g in graded),
        "numeric_total": len(graded),
        "created_at": now,
    }
    with write_transaction(ctx.engine) as conn:  # the attempt and its plan check-off together
        new_id = conn.execute(insert(stats_case_attempt).values(**row).returning(stats_case_attempt.c.id)).scalar_one()
        stored = conn.execute(select(stats_case_attempt).where(stats_case_attempt.c.id == new_id)).one()
        mark_item_done(conn, ItemKind.ACTIVITY, case_id, now=now)  # the plan's hook, in the same transaction
    return AttemptResult(attempt=_attempt_view(stored), graded=graded, checklist=case.checklist)
