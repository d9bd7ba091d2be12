"""Experimentation cases: content (YAML under ``services/stats_cases/``, validated here), numeric
sub-questions graded against the calculators, and the user's attempts (stored, exported)."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, insert, select

from loopprep.engines.clock import ItemKind
from loopprep.errors import ContentError, ContentProblem, InvalidInput, NotFound
from loopprep.services.context import AppContext
from loopprep.services.plan import mark_item_done
from loopprep.store.locks import write_transaction
from loopprep.store.tables import stats_case_attempt

CASES_DIR = Path(__file__).parent / "stats_cases"
Slug = str
AREAS = ("hypothesis", "randomisation", "metrics", "power", "validity", "decision")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseSource(_Strict):
    id: str = Field(pattern=r"^ref-[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    url: str


class CheckItem(_Strict):
    area: Literal["hypothesis", "randomisation", "metrics", "power", "validity", "decision"]
    text: str


class NumericQuestion(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    question: str
    calculator: Literal["sample-size", "power", "mde", "ci", "srm", "adjust", "cuped", "did", "peeking"]
    inputs: dict[str, float | int | str | bool]
    answer: str
    tolerance: float = Field(0.02, ge=0, le=0.5)  # relative; 0 = exact (integers)


class Case(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str
    prompt: str
    asks: list[str] = Field(min_length=1)
    checklist: list[CheckItem] = Field(min_length=6)
    numeric: list[NumericQuestion] = Field(min_length=1)
    pitfalls: list[str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _covers_every_area(self) -> Case:
        missing = set(AREAS) - {c.area for c in self.checklist}
        if missing:
            raise ValueError(f"checklist lacks area(s) {', '.join(sorted(missing))}")
        return self


class CasesFile(_Strict):
    kind: Literal["stats-cases"]
    cases: list[Case]


class SourcesFile(_Strict):
    kind: Literal["stats-case-sources"]
    sources: list[CaseSource]


class CaseBank(_Strict):
    cases: dict[str, Case]
    sources: dict[str, CaseSource]


def _load(path: Path, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        probs = [ContentProblem(path.name, None, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        raise ContentError(probs) from None


@lru_cache(maxsize=1)
def case_bank() -> CaseBank:
    """The shipped cases, validated (ids unique, sources known, numeric answers computable)."""
    cases: dict[str, Case] = {}
    sources: dict[str, CaseSource] = {}
    for path in sorted(CASES_DIR.glob("*.yaml")):
        kind = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("kind")
        if kind == "stats-case-sources":
            for s in _load(path, SourcesFile).sources:
                sources[s.id] = s
        else:
            for c in _load(path, CasesFile).cases:
                if c.id in cases:
                    raise ContentError([ContentProblem(path.name, c.id, "id", "duplicate case id")])
                cases[c.id] = c
    for c in cases.values():
        for sid in c.sources:
            if sid not in sources:
                raise ContentError([ContentProblem("cases.yaml", c.id, "sources", f"unknown source '{sid}'")])
    return CaseBank(cases=cases, sources=sources)


# ---- views ------------------------------------------------------------------------------------


class CaseSummary(BaseModel):
    id: str
    title: str
    pitfalls: list[str]
    attempts: int
    url: str


class CaseList(BaseModel):
    cases: list[CaseSummary]


class NumericView(BaseModel):
    id: str
    question: str
    calculator: str
    calculator_url: str


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
            CaseSummary(
                id=c.id, title=c.title, pitfalls=c.pitfalls, attempts=counts.get(c.id, 0), url=f"/stats/cases/{c.id}"
            )
            for c in case_bank().cases.values()
        ]
    )


def _case(case_id: str) -> Case:
    bank = case_bank()
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
    case = _case(case_id)
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(stats_case_attempt)
            .where(stats_case_attempt.c.case_id == case_id)
            .order_by(stats_case_attempt.c.id.desc())
        ).all()
    bank = case_bank()
    return CaseView(
        case=case,
        numeric=[
            NumericView(id=q.id, question=q.question, calculator=q.calculator, calculator_url=f"/stats/{q.calculator}")
            for q in case.numeric
        ],
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
    case = _case(case_id)
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
