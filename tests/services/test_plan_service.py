"""The Clock's services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from icalendar import Calendar

from loopprep.engines.clock import Status
from loopprep.errors import InvalidInput, LoopprepError, NotFound
from loopprep.services import plan as svc
from loopprep.services.backup import export_document, import_document
from loopprep.services.dashboard import dashboard
from loopprep.services.profile import set_profile

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def _profile(ctx, loop: dt.date = dt.date(2026, 12, 21), role: str = "ml-engineer") -> None:  # noqa: ANN001
    set_profile(
        ctx,
        {"role": role, "level": "l5", "company_types": ["faang"], "loop_date": loop},
        today=TODAY,
        now=NOW,
    )


def test_needs_a_profile(ctx) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        svc.create_plan(ctx, today=TODAY, now=NOW)
    assert exc.value.field == "profile"
    assert not svc.show_plan(ctx, today=TODAY).exists


def test_create_show_and_check_off(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    settings = svc.parse_settings({"weekday_minutes": 120, "weekend_minutes": 180})
    view = svc.create_plan(ctx, settings, today=TODAY, now=NOW)
    assert view.exists and view.loop_date == dt.date(2026, 12, 21) and view.days_to_loop == 28
    assert [p.phase.value for p in view.phases] == ["deep-study", "mock-sharpen", "review", "light-touch", "day-of"]
    assert view.phases[-1].last == dt.date(2026, 12, 21)
    assert view.week == 1 and view.weeks == 5 and len(view.days) == 7
    assert all(d.planned_minutes <= d.available_minutes for d in view.days)
    today = svc.today_plan(ctx, today=TODAY)
    assert today.tasks and today.progress.done == 0
    key = today.tasks[0].key
    result = svc.set_task_status(ctx, key, Status.DONE, now=NOW)
    assert result.task.status == Status.DONE and result.progress.done == 1
    assert result.progress.percent == round(100 / result.progress.total)
    with pytest.raises(NotFound):
        svc.set_task_status(ctx, "no-such-task", Status.DONE, now=NOW)
    with pytest.raises(LoopprepError, match="A plan exists"):
        svc.create_plan(ctx, today=TODAY, now=NOW)
    assert svc.show_plan(ctx, today=TODAY, week=5).days[-1].day == dt.date(2026, 12, 21)
    with pytest.raises(InvalidInput, match="weeks 1 to 5"):
        svc.show_plan(ctx, today=TODAY, week=9)


def test_clear_errors(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    with pytest.raises(InvalidInput) as exc:
        svc.create_plan(ctx, svc.parse_settings({"weekday_minutes": 0, "weekend_minutes": 0}), today=TODAY, now=NOW)
    assert "No study time" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        svc.parse_settings({"weekday_minutes": 5000})
    assert exc.value.field == "weekday_minutes" and "960" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        svc.parse_settings({"time_zone": "Mars/Olympus"})
    assert "IANA" in exc.value.fields["time_zone"]
    with pytest.raises(InvalidInput) as exc:  # the loop date has passed since the profile was set
        svc.create_plan(ctx, today=dt.date(2026, 12, 30), now=NOW)
    assert exc.value.field == "loop_date" and "in the past" in exc.value.message


def test_loop_tomorrow_gets_the_day_before_plan(ctx) -> None:  # noqa: ANN001
    _profile(ctx, loop=TODAY + dt.timedelta(days=1))
    view = svc.create_plan(ctx, today=TODAY, now=NOW)
    assert any("day-before plan" in n for n in view.notices)
    assert {p.phase.value for p in view.phases} == {"light-touch", "day-of"}


def test_missed_day_and_profile_change_replan(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    svc.create_plan(ctx, today=TODAY, now=NOW)
    first = svc.today_plan(ctx, today=TODAY).tasks
    svc.set_task_status(ctx, first[0].key, Status.DONE, now=NOW)
    tomorrow = TODAY + dt.timedelta(days=1)
    assert svc.show_plan(ctx, today=tomorrow).missed == len(first) - 1
    view = svc.replan_plan(ctx, today=tomorrow, now=NOW)
    assert view.missed == 0
    all_keys = {
        t.key
        for d in range(1, view.weeks + 1)
        for day in svc.show_plan(ctx, today=tomorrow, week=d).days
        for t in day.tasks
    }
    dropped = {t.key for t in view.dropped}
    for t in first[1:]:
        assert t.key in all_keys or t.key in dropped
    assert first[0].key in all_keys  # done work is kept
    # the profile's loop date moves closer: the next show re-plans and lists what no longer fits
    set_profile(ctx, {"loop_date": tomorrow + dt.timedelta(days=5)}, today=tomorrow, now=NOW)
    view = svc.show_plan(ctx, today=tomorrow)
    assert view.loop_date == tomorrow + dt.timedelta(days=5)
    assert view.dropped and all(t.reason for t in view.dropped)
    assert view.end == view.loop_date


def test_changing_hours_replans(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    svc.create_plan(ctx, today=TODAY, now=NOW)
    view = svc.replan_plan(
        ctx, svc.parse_settings({"weekday_minutes": 30, "weekend_minutes": 30}), today=TODAY, now=NOW
    )
    assert view.settings.weekday_minutes == 30
    assert all(d.planned_minutes <= 30 for d in view.days)
    assert view.dropped and all(t.reason for t in view.dropped)


def test_multi_round_loop(ctx) -> None:  # noqa: ANN001
    loop = dt.date(2026, 12, 7)
    _profile(ctx, loop=loop)
    rounds = [
        {"round": "ml-coding", "start": "2026-12-07T10:00", "minutes": 45},
        {"round": "ml-system-design", "start": "2026-12-07T13:00", "minutes": 60},
        {"round": "stats-experimentation", "start": "2026-12-08T10:00", "minutes": 45},
    ]
    view = svc.create_plan(ctx, svc.parse_settings({"loop_rounds": rounds}), today=TODAY, now=NOW)
    assert view.end == dt.date(2026, 12, 8)
    last_week = svc.show_plan(ctx, today=TODAY, week=view.weeks)
    kinds = [(t.title, t.at) for d in last_week.days for t in d.tasks if t.at]
    assert ("Two-minute note on the round just finished", "10:45") in kinds
    assert ("Review the day's rounds", "14:00") in kinds
    # one review per day of rounds (after 13:00-14:00 on the 7th, after 10:00-10:45 on the 8th)
    assert [at for title, at in kinds if title == "Review the day's rounds"] == ["14:00", "10:45"]
    bad = [{"round": "ml-coding", "start": "2026-12-09T10:00", "minutes": 45}]
    with pytest.raises(InvalidInput) as exc:
        svc.replan_plan(ctx, svc.parse_settings({"loop_rounds": bad}), today=TODAY, now=NOW)
    assert exc.value.field == "loop_rounds"


def test_calendar_keeps_uids_raises_sequence_and_cancels(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    svc.create_plan(ctx, svc.parse_settings({"time_zone": "Europe/Berlin", "alarm_minutes": 10}), today=TODAY, now=NOW)
    first = Calendar.from_ical(svc.calendar_ics(ctx, now=NOW))
    events = {str(e["UID"]): e for e in first.walk("VEVENT")}
    assert events and all(int(e["SEQUENCE"]) == 0 for e in events.values())
    some = next(iter(events.values()))
    assert some["DTSTART"].dt.tzinfo is not None and str(some["DTSTART"].dt.tzinfo) == "Europe/Berlin"
    assert some.walk("VALARM") and some.walk("VALARM")[0]["TRIGGER"].dt == dt.timedelta(minutes=-10)
    assert first.walk("VTIMEZONE")
    svc.replan_plan(ctx, svc.parse_settings({"weekday_minutes": 45, "weekend_minutes": 60}), today=TODAY, now=NOW)
    second = Calendar.from_ical(svc.calendar_ics(ctx, now=NOW))
    after = {str(e["UID"]): e for e in second.walk("VEVENT")}
    assert set(events) <= set(after)  # every old block keeps its UID (moved, or cancelled)
    cancelled = [e for e in after.values() if str(e["STATUS"]) == "CANCELLED"]
    assert cancelled and all(int(e["SEQUENCE"]) >= 1 for e in cancelled)
    moved = [u for u in events if after[u]["DTSTART"].dt != events[u]["DTSTART"].dt]
    assert moved and all(int(after[u]["SEQUENCE"]) >= 1 for u in moved)
    same = [
        u
        for u in events
        if after[u]["DTSTART"].dt == events[u]["DTSTART"].dt and str(after[u]["STATUS"]) == "CONFIRMED"
    ]
    assert all(int(after[u]["SEQUENCE"]) == 0 for u in same)


def test_item_completed_elsewhere_marks_the_task_done(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    view = svc.create_plan(ctx, today=TODAY, now=NOW)
    task = next(t for d in view.days for t in d.tasks if t.item_kind.value == "topic")
    key = svc.complete_item(ctx, task.item_kind, task.item, today=TODAY, now=NOW)
    assert key is not None
    assert svc.show_plan(ctx, today=TODAY).progress.done == 1
    assert svc.complete_item(ctx, task.item_kind, "nothing-like-this", today=TODAY, now=NOW) is None


def test_plan_in_export_and_import(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    view = svc.create_plan(ctx, today=TODAY, now=NOW)
    svc.set_task_status(ctx, view.today_tasks[0].key, Status.DONE, now=NOW)
    doc = export_document(ctx, now=NOW)
    assert len(doc["data"]["plan_settings"]) == 1 and doc["data"]["plan_tasks"]
    result = import_document(ctx, json.dumps(doc), replace=True)
    assert result.imported["plan_tasks"] == len(doc["data"]["plan_tasks"])
    again = svc.show_plan(ctx, today=TODAY)
    assert again.progress.done == 1 and again.progress.total == view.progress.total


def test_dashboard_today_card(ctx) -> None:  # noqa: ANN001
    _profile(ctx)
    assert dashboard(ctx, today=TODAY).today_tasks.exists is False
    svc.create_plan(ctx, today=TODAY, now=NOW)
    card = dashboard(ctx, today=TODAY).today_tasks
    assert card.exists and card.tasks and card.minutes == sum(t.minutes for t in card.tasks)


def test_previous_export_format_still_imports(ctx) -> None:  # noqa: ANN001
    from pathlib import Path

    old = (Path(__file__).parent.parent / "fixtures" / "export-v1.json").read_text()
    import_document(ctx, old, replace=True)
    assert not svc.show_plan(ctx, today=TODAY).exists


def test_profile_change_the_rounds_cannot_follow_gives_a_notice(ctx) -> None:  # noqa: ANN001
    _profile(ctx, loop=dt.date(2026, 12, 7))
    rounds = [{"round": "ml-coding", "start": "2026-12-07T10:00", "minutes": 45}]
    svc.create_plan(ctx, svc.parse_settings({"loop_rounds": rounds}), today=TODAY, now=NOW)
    set_profile(ctx, {"loop_date": dt.date(2026, 12, 9)}, today=TODAY, now=NOW)
    view = svc.show_plan(ctx, today=TODAY)
    assert view.exists and view.loop_date == dt.date(2026, 12, 7)
    assert any("could not follow" in n and "2026-12-09" in n for n in view.notices)
