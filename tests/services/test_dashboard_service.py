"""The dashboard reads the profile and today's tasks in one SELECT, and shows the same figures
as the plan page (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from loopprep.engines.clock import Status
from loopprep.services import plan as svc
from loopprep.services.dashboard import dashboard
from loopprep.services.profile import set_profile

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@contextmanager
def statements(engine) -> Iterator[list[str]]:  # noqa: ANN001
    """Every SQL statement sent to the database on ``engine`` while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _profile(ctx) -> None:  # noqa: ANN001
    changes = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": dt.date(2026, 12, 21)}
    set_profile(ctx, changes, today=TODAY, now=NOW)


def _selects(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def test_one_select_with_a_plan(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    svc.create_plan(ctx, today=TODAY, now=NOW)
    with statements(ctx.engine) as seen:
        view = dashboard(ctx, today=TODAY)
    assert len(seen) == 1, seen
    assert len(_selects(seen)) == 1
    assert view.profile.days_to_loop == 28
    assert view.today_tasks is not None and view.today_tasks.exists and view.today_tasks.tasks


def test_one_select_without_a_profile(ctx) -> None:  # noqa: ANN001
    with statements(ctx.engine) as seen:
        view = dashboard(ctx, today=TODAY)
    assert len(seen) == 1, seen
    assert view.profile.profile is None and view.today_tasks is None and view.weights is None


def test_one_select_with_a_profile_and_no_plan(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    with statements(ctx.engine) as seen:
        view = dashboard(ctx, today=TODAY)
    assert len(seen) == 1, seen
    assert view.today_tasks is not None and not view.today_tasks.exists
    assert view.weights is not None and sum(w.percent for w in view.weights.items) == 100


def test_same_figures_as_the_plan(ctx) -> None:  # noqa: ANN001
    """Progress, phase, missed tasks and today's list agree with ``today_plan`` (which loads
    every task) on several days, after ticks, a skip and a re-plan that drops work."""
    _profile(ctx)
    svc.create_plan(ctx, today=TODAY, now=NOW)
    first_day = svc.today_plan(ctx, today=TODAY).tasks
    svc.set_task_status(ctx, first_day[0].key, Status.DONE, now=NOW)
    svc.set_task_status(ctx, first_day[-1].key, Status.SKIPPED, now=NOW)
    later = TODAY + dt.timedelta(days=3)
    for day in (TODAY, TODAY + dt.timedelta(days=1), later, dt.date(2026, 12, 21), dt.date(2027, 1, 30)):
        assert dashboard(ctx, today=day).today_tasks == svc.today_plan(ctx, today=day), day
    # Days pass with work undone, then fewer hours: the re-plan drops some tasks.
    svc.replan_plan(ctx, svc.PlanSettingsIn(weekday_minutes=20, weekend_minutes=20), today=later, now=NOW)
    got = dashboard(ctx, today=later).today_tasks
    want = svc.today_plan(ctx, today=later)
    assert want.progress is not None and want.progress.dropped > 0
    assert got == want
