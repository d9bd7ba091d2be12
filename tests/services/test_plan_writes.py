"""The plan's data safety on SQLite and PostgreSQL: showing only reads, a tick writes one row,
re-planning never collides with old keys, and loop dates are bounded."""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from loopprep.domain import RoundId
from loopprep.engines.clock import Availability, PlanInputError, PlanRequest, Status, make_plan
from loopprep.errors import InvalidInput
from loopprep.services import plan as svc
from loopprep.services.context import AppContext
from loopprep.services.dashboard import dashboard
from loopprep.services.profile import set_profile
from loopprep.store.tables import plan_settings, plan_task

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def _profile(ctx: AppContext, loop: dt.date, *, today: dt.date = TODAY, **extra: Any) -> None:
    base = {"role": "ml-engineer", "level": "l5", "company_types": ["faang"], "loop_date": loop}
    set_profile(ctx, base | extra, today=today, now=NOW)


def _rows(ctx: AppContext) -> list[dict[str, Any]]:
    with ctx.engine.connect() as conn:
        tasks = [dict(r) for r in conn.execute(select(plan_task).order_by(plan_task.c.key)).mappings()]
        settings = [dict(r) for r in conn.execute(select(plan_settings)).mappings()]
    return tasks + settings


def _naive(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


# --- reads never write ------------------------------------------------------------------------


def test_a_profile_change_replans_when_saved_and_showing_only_reads(ctx: AppContext) -> None:
    _profile(ctx, TODAY + dt.timedelta(days=28))
    svc.create_plan(ctx, today=TODAY, now=NOW)
    first = svc.today_plan(ctx, today=TODAY).tasks[0]
    svc.set_task_status(ctx, first.key, Status.DONE, now=NOW)
    _profile(ctx, TODAY + dt.timedelta(days=14))  # re-plans inside set_profile
    before = _rows(ctx)
    view = svc.show_plan(ctx, today=TODAY)
    assert view.loop_date == TODAY + dt.timedelta(days=14) and view.end == view.loop_date
    assert view.today_tasks[0].key == first.key and view.today_tasks[0].status == Status.DONE
    svc.today_plan(ctx, today=TODAY)
    svc.show_plan(ctx, today=TODAY, week=2)
    dashboard(ctx, today=TODAY)
    svc.calendar_ics(ctx, now=LATER)
    assert _rows(ctx) == before  # nothing that shows the plan wrote to it


def test_a_tick_writes_only_its_own_row(ctx: AppContext) -> None:
    _profile(ctx, TODAY + dt.timedelta(days=28))
    svc.create_plan(ctx, today=TODAY, now=NOW)
    key = svc.today_plan(ctx, today=TODAY).tasks[0].key
    svc.set_task_status(ctx, key, Status.DONE, now=LATER)
    touched = {r["key"] for r in _rows(ctx) if "key" in r and _naive(r["updated_at"]) == _naive(LATER)}
    assert touched == {key}


def test_skipping_touches_only_its_day_and_moves_the_calendar(ctx: AppContext) -> None:
    _profile(ctx, TODAY + dt.timedelta(days=28))
    hours = svc.parse_settings({"weekday_minutes": 300, "weekend_minutes": 300})
    svc.create_plan(ctx, hours, today=TODAY, now=NOW)
    tasks = svc.today_plan(ctx, today=TODAY).tasks
    assert len(tasks) >= 2
    svc.set_task_status(ctx, tasks[0].key, Status.SKIPPED, now=LATER)
    changed = [r for r in _rows(ctx) if "key" in r and _naive(r["updated_at"]) == _naive(LATER)]
    assert {r["day"] for r in changed} == {TODAY}
    by_key = {r["key"]: r for r in changed}
    # the skipped block is cancelled and the next one moves up to its slot: both raise SEQUENCE
    assert by_key[tasks[0].key]["sequence"] == 1 and by_key[tasks[1].key]["sequence"] == 1


def test_the_plans_today_is_in_its_time_zone(ctx: AppContext) -> None:
    _profile(ctx, TODAY + dt.timedelta(days=28))
    svc.create_plan(ctx, svc.parse_settings({"time_zone": "Pacific/Kiritimati"}), today=TODAY, now=NOW)
    late = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # already the 24th at UTC+14
    with ctx.engine.connect() as conn:
        assert svc.plan_today(conn, late) == dt.date(2026, 11, 24)


# --- re-planning never collides -----------------------------------------------------------------


def test_replan_after_drops_and_a_new_loop_date_keeps_working(ctx: AppContext) -> None:
    _profile(ctx, TODAY + dt.timedelta(days=28))
    svc.create_plan(ctx, today=TODAY, now=NOW)
    done = svc.today_plan(ctx, today=TODAY).tasks[0].key
    svc.set_task_status(ctx, done, Status.DONE, now=NOW)
    dropped = svc.replan_plan(ctx, svc.parse_settings({"weekday_minutes": 60}), today=TODAY, now=NOW).dropped
    assert dropped
    _profile(ctx, TODAY + dt.timedelta(days=35))  # re-plans; new tasks must not take dropped keys
    today = svc.today_plan(ctx, today=TODAY)
    assert today.exists and done in {t.key for t in today.tasks if t.status == Status.DONE}
    view = svc.replan_plan(ctx, svc.parse_settings({"weekday_minutes": 120}), today=TODAY, now=NOW)
    assert view.loop_date == TODAY + dt.timedelta(days=35)
    assert {t.key for t in dropped} <= {t.key for t in view.dropped}


def test_a_round_dropped_and_brought_back_revives_its_blocks(ctx: AppContext) -> None:
    loop = TODAY + dt.timedelta(days=10)
    _profile(ctx, loop)
    rounds = [{"round": "ml-coding", "start": f"{loop.isoformat()}T10:00", "minutes": 45}]
    svc.create_plan(ctx, svc.parse_settings({"loop_rounds": rounds}), today=TODAY, now=NOW)
    moved = [{"round": "ml-coding", "start": f"{loop.isoformat()}T14:00", "minutes": 45}]
    gone = svc.replan_plan(ctx, svc.parse_settings({"loop_rounds": moved}), today=TODAY, now=NOW).dropped
    assert any("rounds changed" in t.reason for t in gone)
    back = svc.replan_plan(ctx, svc.parse_settings({"loop_rounds": rounds}), today=TODAY, now=NOW)
    assert back.exists
    revived = {t.key for t in gone if "rounds changed" in t.reason}
    assert not revived & {t.key for t in back.dropped}  # the blocks are live again, not both


# --- loop dates are bounded -------------------------------------------------------------------


def test_a_loop_date_more_than_a_year_ahead_is_refused_with_the_fix(ctx: AppContext) -> None:
    with pytest.raises(InvalidInput) as exc:
        _profile(ctx, TODAY + dt.timedelta(days=367))
    assert exc.value.field == "loop_date"
    message = exc.value.fields["loop_date"]
    assert "366 days" in message and (TODAY + dt.timedelta(days=366)).isoformat() in message
    _profile(ctx, TODAY + dt.timedelta(days=366))  # the furthest allowed plans at once
    view = svc.create_plan(
        ctx, svc.parse_settings({"weekday_minutes": 960, "weekend_minutes": 960}), today=TODAY, now=NOW
    )
    assert view.end == TODAY + dt.timedelta(days=366)


@pytest.fixture
def alarm() -> Iterator[None]:
    """Turn a hang into a failure: the far-future plans below once ran for minutes or forever."""

    def stop(*_: object) -> None:
        raise TimeoutError("plan generation did not finish in 20 s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.usefixtures("alarm")
@pytest.mark.parametrize("loop", [dt.date(2126, 1, 1), dt.date(9999, 12, 31)])
def test_the_engine_refuses_a_horizon_past_a_year_at_once(loop: dt.date, bank: Any) -> None:
    from loopprep.services.plan_rules import rules_from

    rules = rules_from(bank)
    request = PlanRequest(
        start=TODAY,
        loop_date=loop,
        availability=Availability(960, 960, frozenset()),
        weights={RoundId.ML_CODING: 1.0},
        ai_role=False,
        loop_rounds=(),
    )
    with pytest.raises(PlanInputError) as exc:
        make_plan(request, rules=rules)
    assert exc.value.field == "loop_date" and "366" in exc.value.message


def test_rounds_spread_over_more_than_a_month_are_refused(ctx: AppContext) -> None:
    loop = TODAY + dt.timedelta(days=20)
    _profile(ctx, loop)
    rounds = [
        {"round": "ml-coding", "start": f"{loop.isoformat()}T10:00", "minutes": 45},
        {"round": "ml-system-design", "start": "9999-12-31T10:00", "minutes": 45},
    ]
    with pytest.raises(InvalidInput) as exc:
        svc.create_plan(ctx, svc.parse_settings({"loop_rounds": rounds}), today=TODAY, now=NOW)
    assert exc.value.field == "loop_rounds"
