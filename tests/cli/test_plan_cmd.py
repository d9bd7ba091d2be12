"""`loopprep plan ...`: the same service results as the web app, printed or as JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from icalendar import Calendar

LOOP = (dt.date.today() + dt.timedelta(days=28)).isoformat()


def _profile(cli) -> None:  # noqa: ANN001
    r = cli("profile", "set", "--role", "ai-llm-engineer", "--level", "l5", "-c", "faang", "--loop-date", LOOP)
    assert r.exit_code == 0, r.output


def test_plan_commands_end_to_end(cli, tmp_path: Path) -> None:  # noqa: ANN001
    r = cli("plan", "create")
    assert r.exit_code == 1 and "Error:" in r.output and "no profile" in r.output
    _profile(cli)
    r = cli("plan", "create", "--weekday-minutes", "5000")
    assert r.exit_code == 1 and "weekday_minutes" in r.output and "960" in r.output
    view = cli.json("plan", "create", "--weekday-minutes", "120", "--time-zone", "Europe/Paris", "--at", "sat=09:30")
    assert view["exists"] and view["loop_date"] == LOOP and view["settings"]["start_times"][5] == "09:30"
    assert set(view) >= {"phases", "days", "today_tasks", "progress", "dropped", "notices", "week", "weeks"}
    today = cli.json("plan", "today")
    key = today["tasks"][0]["key"]
    done = cli.json("plan", "done", key)
    assert done["task"]["status"] == "done" and done["progress"]["done"] == 1
    r = cli("plan", "today")
    assert r.exit_code == 0 and "Progress: 1/" in r.output
    skipped = cli.json("plan", "skip", today["tasks"][-1]["key"]) if len(today["tasks"]) > 1 else done
    assert skipped["task"]["status"] in ("skipped", "done")
    r = cli("plan", "done", "no-such-task")
    assert r.exit_code == 1 and "no task 'no-such-task'" in r.output
    shown = cli.json("plan", "show", "--week", "2")
    assert shown["week"] == 2 and len(shown["days"]) == 7
    r = cli("plan", "show", "--week", "99")
    assert r.exit_code == 1 and "Week 99" in r.output
    replanned = cli.json("plan", "replan", "--weekday-minutes", "45")
    assert replanned["settings"]["weekday_minutes"] == 45 and replanned["progress"]["done"] == 1
    out = tmp_path / "plan.ics"
    info = cli.json("plan", "ics", str(out))
    cal = Calendar.from_ical(out.read_bytes())
    assert info["events"] == len(cal.walk("VEVENT")) > 0
    r = cli("plan", "show")
    assert r.exit_code == 0 and "Deep study" in r.output and "Week" in r.output


def test_round_option_is_checked(cli) -> None:  # noqa: ANN001
    _profile(cli)
    r = cli("plan", "create", "--round", "ml-coding")
    assert r.exit_code == 1 and "ROUND,YYYY-MM-DDTHH:MM" in r.output
    r = cli("plan", "create", "--round", f"ml-coding,{LOOP}T10:00,45", "--round", f"ml-system-design,{LOOP}T13:00")
    assert r.exit_code == 0, r.output
    view = cli.json("plan", "show", "--week", "5")
    assert view["end"] == LOOP


def test_json_field_names_are_stable(cli) -> None:  # noqa: ANN001
    """The --json shape is a public contract (the same models serve /api/plan)."""
    _profile(cli)
    view = cli.json("plan", "create")
    assert sorted(view) == [
        "current_phase", "current_phase_label", "days", "days_to_loop", "dropped", "end", "exists", "loop_date",
        "missed", "notices", "phase_rule", "phases", "progress", "settings", "timeline_rule", "today",
        "today_tasks", "week", "weeks",
    ]  # fmt: skip
    task = view["days"][0]["tasks"][0]
    assert sorted(task) == [
        "at", "counts", "day", "item", "item_kind", "item_title", "key", "link", "minutes", "new_material",
        "phase", "phase_label", "reason", "round", "status", "title",
    ]  # fmt: skip
    assert sorted(view["days"][0]) == [
        "available_minutes", "day", "is_today", "phase", "phase_label", "planned_minutes", "tasks", "weekday",
    ]  # fmt: skip
    assert sorted(view["progress"]) == [
        "done", "dropped", "minutes_done", "minutes_total", "pending", "percent", "skipped", "total",
    ]  # fmt: skip
    assert sorted(view["phases"][0]) == ["current", "days", "first", "label", "last", "phase"]
    assert sorted(cli.json("plan", "today")) == [
        "days_to_loop", "exists", "minutes", "missed", "phase", "phase_label", "progress", "tasks", "today",
    ]  # fmt: skip


def test_replan_with_drops_then_a_new_loop_date_keeps_the_plan_working(cli) -> None:  # noqa: ANN001
    # the sequence that once left `plan_task.key` colliding and every plan command failing
    _profile(cli)
    cli.json("plan", "create")
    key = cli.json("plan", "today")["tasks"][0]["key"]
    cli.json("plan", "done", key)
    assert cli.json("plan", "replan", "--weekday-minutes", "60")["dropped"]
    later = (dt.date.today() + dt.timedelta(days=35)).isoformat()
    r = cli("profile", "set", "--loop-date", later)
    assert r.exit_code == 0, r.output
    today = cli.json("plan", "today")
    assert any(t["key"] == key and t["status"] == "done" for t in today["tasks"])
    assert cli.json("plan", "show")["loop_date"] == later  # the profile change re-planned already
    assert cli.json("plan", "replan", "--weekday-minutes", "90")["progress"]["done"] == 1


def test_a_loop_date_more_than_a_year_ahead_is_a_red_line(cli) -> None:  # noqa: ANN001
    far = (dt.date.today() + dt.timedelta(days=367)).isoformat()
    r = cli("profile", "set", "--role", "ml-engineer", "--level", "l5", "-c", "faang", "--loop-date", far)
    assert r.exit_code == 1 and "366 days" in r.output and "Traceback" not in r.output
