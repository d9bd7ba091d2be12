"""The dashboard's read: the profile, the plan's settings, the plan's totals and today's tasks in
one SELECT (one round trip, one consistent snapshot), instead of a query per piece."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Date, Select, and_, bindparam, case, func, literal, select, true

from loopprep.domain import Profile
from loopprep.engines.clock import Status
from loopprep.store.profiles import PROFILE_ID, profile_from_row
from loopprep.store.tables import plan_settings, plan_task, profile

PLAN_SETTINGS_ID = 1
DONE, SKIPPED, PENDING, DROPPED = (s.value for s in (Status.DONE, Status.SKIPPED, Status.PENDING, Status.DROPPED))


@dataclass(frozen=True)
class PlanTotals:
    """Counts and minutes over the whole plan, computed by the database."""

    done: int
    skipped: int
    pending: int
    dropped: int
    minutes_done: int
    minutes_live: int  # every task but the dropped ones
    first_live: dt.date | None  # the first and last day with a task that is not dropped
    last_live: dt.date | None
    missed: int  # pending tasks on days before ``today``


@dataclass(frozen=True)
class DashboardRows:
    profile: Profile | None
    plan_start: dt.date | None  # None: there is no plan
    loop_rounds: list[dict[str, Any]]
    totals: PlanTotals
    today_tasks: list[Mapping[str, Any]]  # plan_task rows of ``today`` that are not dropped, in order


def _count(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _minutes(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, plan_task.c.minutes), else_=0)), 0)


def _statement() -> Select[Any]:
    """The dashboard's SELECT, built once (``:today`` is its only parameter): an anchor row
    left-joined to the profile, the plan settings, one aggregate row over all tasks, and today's
    live tasks (one result row per task, or one row without a task)."""
    today = bindparam("today", type_=Date)
    live = plan_task.c.status != DROPPED
    totals = select(
        _count(plan_task.c.status == DONE).label("n_done"),
        _count(plan_task.c.status == SKIPPED).label("n_skipped"),
        _count(plan_task.c.status == PENDING).label("n_pending"),
        _count(plan_task.c.status == DROPPED).label("n_dropped"),
        _minutes(plan_task.c.status == DONE).label("minutes_done"),
        _minutes(live).label("minutes_live"),
        func.min(case((live, plan_task.c.day))).label("first_live"),
        func.max(case((live, plan_task.c.day))).label("last_live"),
        _count(and_(plan_task.c.status == PENDING, plan_task.c.day < today)).label("n_missed"),
    ).subquery("totals")
    anchor = select(literal(1).label("one")).subquery("anchor")
    return (
        select(
            *[c.label(f"profile_{c.name}") for c in profile.c],
            plan_settings.c.start_date.label("plan_start"),
            plan_settings.c.loop_rounds.label("plan_loop_rounds"),
            *totals.c,
            *[c.label(f"task_{c.name}") for c in plan_task.c],
        )
        .select_from(anchor)
        .outerjoin(profile, profile.c.id == PROFILE_ID)
        .outerjoin(plan_settings, plan_settings.c.id == PLAN_SETTINGS_ID)
        .outerjoin(totals, true())
        .outerjoin(plan_task, and_(plan_task.c.day == today, live))
        .order_by(plan_task.c.position)
    )


# An immutable expression, built at import rather than on every request (building it costs more
# than running it on SQLite).
DASHBOARD_SELECT = _statement()


def read_dashboard(conn: Connection, *, today: dt.date) -> DashboardRows:
    """Everything the dashboard shows from the database, in a single SELECT (see ``_statement``)."""
    rows = conn.execute(DASHBOARD_SELECT, {"today": today}).mappings().all()
    first = rows[0]
    prof = None
    if first["profile_id"] is not None:
        prof = profile_from_row({c.name: first[f"profile_{c.name}"] for c in profile.c})
    return DashboardRows(
        profile=prof,
        plan_start=first["plan_start"],
        loop_rounds=list(first["plan_loop_rounds"] or []),
        totals=PlanTotals(
            done=int(first["n_done"]),
            skipped=int(first["n_skipped"]),
            pending=int(first["n_pending"]),
            dropped=int(first["n_dropped"]),
            minutes_done=int(first["minutes_done"]),
            minutes_live=int(first["minutes_live"]),
            first_live=_date(first["first_live"]),
            last_live=_date(first["last_live"]),
            missed=int(first["n_missed"]),
        ),
        today_tasks=[{c.name: r[f"task_{c.name}"] for c in plan_task.c} for r in rows if r["task_key"] is not None],
    )


def _date(value: Any) -> dt.date | None:
    """A MIN/MAX over a CASE loses the column type on SQLite (a 'YYYY-MM-DD' string comes back)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
