"""Estimation drills: a new drill, grading an answer, the drill history and plan check-offs."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel

from loopprep.engines.estimate import drills
from loopprep.engines.estimate.steps import BadInput
from loopprep.errors import InvalidInput
from loopprep.services.estimate.calculators import StepOut
from loopprep.services.estimate.catalog import presets

if TYPE_CHECKING:  # kept out of import time: `loopprep --help` builds the estimate commands from this module
    from sqlalchemy import Connection

    from loopprep.services.context import AppContext


class DrillView(BaseModel):
    kind: str
    seed: int
    title: str
    question: str
    factors: list[str]
    unit: str
    seconds: int


class DrillResult(BaseModel):
    kind: str
    seed: int
    question: str
    answer: float
    truth: float
    unit: str
    ratio: float
    grade: str
    grade_label: str
    diagnosis: str
    steps: list[StepOut]
    seconds: float | None
    plan_task_done: str | None = None  # the key of the plan task this drill completed


class KindStats(BaseModel):
    kind: str
    title: str
    attempts: int
    exact: int
    good: int
    order: int
    off: int
    hit_rate: float | None  # share graded exact or good
    recent_hit_rate: float | None  # over the last 10


class AttemptRow(BaseModel):
    kind: str
    seed: int
    answer: float
    truth: float
    ratio: float
    grade: str
    seconds: float | None
    answered_at: dt.datetime


class WeekStats(BaseModel):
    week: dt.date  # the Monday (UTC) the week starts on
    attempts: int
    hit_rate: float
    median_ratio: float


class DrillHistory(BaseModel):
    total: int
    by_kind: list[KindStats]
    by_week: list[WeekStats]
    recent: list[AttemptRow]
    next_kind: str


def _history_pairs(ctx: AppContext) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from loopprep.store.tables import estimate_drill_attempt as t

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.c.kind, t.c.grade).order_by(t.c.answered_at, t.c.id)).all()
    return [(r.kind, r.grade) for r in rows]


def new_drill(ctx: AppContext, *, kind: str | None = None, seed: int | None = None) -> DrillView:
    """A drill of ``kind`` (default: the type missed most, see ``drills.next_kind``)."""
    if kind is None or kind == "":
        kind = drills.next_kind(_history_pairs(ctx))
    if kind not in drills.TEMPLATES:
        raise InvalidInput(f"Unknown drill type '{kind}'.", f"Drill types: {', '.join(drills.KINDS)}.", field="kind")
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not 0 <= seed < 2**31:
        raise InvalidInput(f"'seed' must be between 0 and {2**31 - 1} (got {seed}).", field="seed")
    d = drills.make_drill(kind, seed, presets().world())
    return DrillView(
        kind=kind,
        seed=seed,
        title=d.title,
        question=d.question,
        factors=list(d.factors),
        unit=d.unit,
        seconds=drills.DRILL_SECONDS,
    )


def answer_drill(
    ctx: AppContext,
    *,
    kind: str,
    seed: int,
    answer: float,
    now: dt.datetime,
    seconds: float | None = None,
    save: bool = True,
    today: dt.date | None = None,
) -> DrillResult:
    """Grade an answer to the drill ``(kind, seed)`` and record the attempt."""
    if kind not in drills.TEMPLATES:
        raise InvalidInput(f"Unknown drill type '{kind}'.", f"Drill types: {', '.join(drills.KINDS)}.", field="kind")
    if not 0 <= seed < 2**31:
        raise InvalidInput(f"'seed' must be between 0 and {2**31 - 1} (got {seed}).", field="seed")
    if seconds is not None and (not math.isfinite(seconds) or seconds < 0):
        seconds = None
    d = drills.make_drill(kind, seed, presets().world())
    try:
        g = drills.grade_drill(answer, d)
    except BadInput as exc:
        raise InvalidInput(exc.message, exc.hint, field="answer") from None
    completed: str | None = None
    if save:
        from loopprep.store.locks import write_transaction
        from loopprep.store.tables import estimate_drill_attempt

        with write_transaction(ctx.engine) as conn:  # the attempt and its plan check-off are saved together
            conn.execute(
                estimate_drill_attempt.insert().values(
                    kind=kind,
                    seed=seed,
                    answer=answer,
                    truth=d.truth,
                    ratio=g.ratio,
                    grade=g.grade,
                    seconds=None if seconds is None else round(seconds, 1),
                    answered_at=now,
                )
            )
            completed = _complete_plan_task(conn, kind, today=today, now=now)
    return DrillResult(
        kind=kind,
        seed=seed,
        question=d.question,
        answer=answer,
        truth=d.truth,
        unit=d.unit,
        ratio=g.ratio,
        grade=g.grade,
        grade_label=g.label,
        diagnosis=g.diagnosis,
        steps=[StepOut(label=s.label, formula=s.formula, value=s.value, unit=s.unit) for s in d.steps],
        seconds=seconds,
        plan_task_done=completed,
    )


def plan_items(kind: str) -> tuple[str, ...]:
    """The plan items a drill of ``kind`` completes (an ``activity`` task naming either)."""
    return (f"estimation-drill-{kind}", "estimation-drill")


def _complete_plan_task(conn: Connection, kind: str, *, today: dt.date | None, now: dt.datetime) -> str | None:
    """Mark done, in the caller's transaction, the earliest pending plan task that names this
    drill, if the plan has one (``today`` None: today in the plan's time zone)."""
    from loopprep.engines.clock.model import ItemKind
    from loopprep.services.plan import mark_item_done

    for item in plan_items(kind):
        key = mark_item_done(conn, ItemKind.ACTIVITY, item, today=today, now=now)
        if key:
            return key
    return None


def drill_history(ctx: AppContext, *, recent: int = 20) -> DrillHistory:
    from sqlalchemy import func, select

    from loopprep.store.tables import estimate_drill_attempt as t

    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.answered_at, t.c.id)).mappings().all()
        total = int(conn.execute(select(func.count()).select_from(t)).scalar_one())
    by: dict[str, list[str]] = {k: [] for k in drills.KINDS}
    for r in rows:
        by.setdefault(r["kind"], []).append(r["grade"])
    stats = []
    for k, grades in by.items():
        hits = sum(g in ("exact", "good") for g in grades)
        last = grades[-10:]
        stats.append(
            KindStats(
                kind=k,
                title=drills.TEMPLATES[k][0] if k in drills.TEMPLATES else k,
                attempts=len(grades),
                exact=grades.count("exact"),
                good=grades.count("good"),
                order=grades.count("order"),
                off=grades.count("off"),
                hit_rate=hits / len(grades) if grades else None,
                recent_hit_rate=sum(g in ("exact", "good") for g in last) / len(last) if last else None,
            )
        )
    weeks: dict[dt.date, list[tuple[str, float]]] = {}
    for r in rows:
        at = r["answered_at"]
        day = (at if at.tzinfo is None else at.astimezone(dt.UTC)).date()
        weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append((r["grade"], r["ratio"]))
    by_week = [
        WeekStats(
            week=w,
            attempts=len(items),
            hit_rate=sum(g in ("exact", "good") for g, _ in items) / len(items),
            median_ratio=sorted(x for _, x in items)[len(items) // 2],
        )
        for w, items in sorted(weeks.items())
    ]
    recent_rows = [AttemptRow(**{k: r[k] for k in AttemptRow.model_fields}) for r in reversed(rows[-recent:])]
    return DrillHistory(
        total=total,
        by_kind=stats,
        by_week=by_week,
        recent=recent_rows,
        next_kind=drills.next_kind([(r["kind"], r["grade"]) for r in rows]),
    )


def parse_answer(text: str) -> float:
    """A typed answer: digits with optional commas/underscores, e-notation, or a k/M/B/T suffix."""
    s = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    mult = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "t": 1e12, "T": 1e12}
    factor = 1.0
    if s and s[-1] in mult:
        factor, s = mult[s[-1]], s[:-1]
    try:
        v = float(s) * factor
    except ValueError:
        raise InvalidInput(
            f"'{text}' is not a number.", "Type digits, e.g. 350, 3.5e2 or 350k.", field="answer"
        ) from None
    if not math.isfinite(v) or v <= 0:
        raise InvalidInput(f"The answer must be a number above 0 (got {text!r}).", "Type e.g. 350.", field="answer")
    return v


def kinds() -> Sequence[tuple[str, str]]:
    return [(k, v[0]) for k, v in drills.TEMPLATES.items()]
