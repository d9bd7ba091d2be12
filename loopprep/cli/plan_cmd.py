"""`loopprep plan create|show|today|done|skip|undo|replan|ics`: the study plan to the loop date."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from loopprep.cli.common import JSON_HELP, console, handles_errors, print_json, state

JsonOpt = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Start = Annotated[str | None, typer.Option("--start", help="First day of the plan, YYYY-MM-DD (default today).")]
Weekday = Annotated[int | None, typer.Option("--weekday-minutes", help="Minutes per weekday, 0-960 (default 90).")]
Weekend = Annotated[int | None, typer.Option("--weekend-minutes", help="Minutes per weekend day (default 180).")]
DayOff = Annotated[list[str] | None, typer.Option("--day-off", help="A day off, YYYY-MM-DD (repeat).")]
Round = Annotated[
    list[str] | None,
    typer.Option("--round", help="A loop round: ROUND,YYYY-MM-DDTHH:MM[,MINUTES] (repeat for several)."),
]
StartTime = Annotated[str | None, typer.Option("--start-time", help="Weekday study start, HH:MM (19:00).")]
WeekendStart = Annotated[str | None, typer.Option("--weekend-start-time", help="Weekend study start, HH:MM (10:00).")]
At = Annotated[list[str] | None, typer.Option("--at", help="One weekday's start, e.g. sat=09:30 (repeat).")]
Tz = Annotated[str | None, typer.Option("--time-zone", help="IANA time zone for the calendar (UTC).")]
Alarm = Annotated[int | None, typer.Option("--alarm", help="Calendar reminder, minutes before (15).")]

TaskArg = Annotated[str, typer.Argument(help="The task id (shown by `plan today` / `plan show`).")]

WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _settings_changes(
    start: str | None,
    weekday: int | None,
    weekend: int | None,
    day_off: list[str] | None,
    round_: list[str] | None,
    start_time: str | None,
    weekend_start_time: str | None,
    at: list[str] | None,
    time_zone: str | None,
    alarm: int | None,
    base_times: list[str] | None = None,
) -> Any:
    from loopprep.errors import InvalidInput
    from loopprep.services.plan import DEFAULTS, parse_settings

    raw: dict[str, Any] = {
        "start_date": start,
        "weekday_minutes": weekday,
        "weekend_minutes": weekend,
        "time_zone": time_zone,
        "alarm_minutes": alarm,
    }
    if day_off:
        raw["days_off"] = day_off
    if round_:
        rounds = []
        for spec in round_:
            parts = spec.split(",")
            if len(parts) not in (2, 3):
                raise InvalidInput(
                    f"--round '{spec}' is not ROUND,YYYY-MM-DDTHH:MM[,MINUTES].",
                    "For example: --round ml-coding,2026-12-21T10:00,45",
                    field="loop_rounds",
                )
            rounds.append({"round": parts[0], "start": parts[1], **({"minutes": parts[2]} if len(parts) == 3 else {})})
        raw["loop_rounds"] = rounds
    if start_time or weekend_start_time or at:
        times = list(base_times or DEFAULTS["start_times"])
        if start_time:
            times[:5] = [start_time] * 5
        if weekend_start_time:
            times[5:] = [weekend_start_time] * 2
        for spec in at or []:
            name, _, value = spec.partition("=")
            if name.lower()[:3] not in WEEKDAY_NAMES or not value:
                raise InvalidInput(f"--at '{spec}' is not DAY=HH:MM (e.g. sat=09:30).", field="start_times")
            times[WEEKDAY_NAMES.index(name.lower()[:3])] = value
        raw["start_times"] = times
    return parse_settings(raw)


def _print_task(out: Any, t: Any) -> None:
    mark = {"done": "[green]✓[/]", "skipped": "[yellow]–[/]", "dropped": "[red]✗[/]"}.get(t.status.value, "○")
    at = f"{t.at} " if t.at else ""
    out.print(f"  {mark} {at}{t.title}: [bold]{t.item_title}[/] ({t.minutes} min)  [dim]{t.key}[/]")


def _print_plan(view: Any) -> None:
    out = console()
    if not view.exists:
        out.print("No plan yet. Make one with: loopprep plan create --weekday-minutes 90 --weekend-minutes 180")
        return
    p = view.progress
    out.print(
        f"[bold]Plan to {view.loop_date}[/] ({view.days_to_loop} days). Phase: {view.current_phase_label or '—'}. "
        f"Progress: {p.done}/{p.total} tasks ({p.percent} %)."
    )
    for ph in view.phases:
        mark = "▶" if ph.current else " "
        out.print(f" {mark} {ph.label:<15} {ph.first} → {ph.last} ({ph.days} d)")
    for n in view.notices:
        out.print(f"[yellow]{n}[/]")
    out.print(f"\n[bold]Week {view.week} of {view.weeks}[/]")
    for d in view.days:
        today = " (today)" if d.is_today else ""
        out.print(
            f"[bold]{d.weekday} {d.day}{today}[/] {d.phase_label} · {d.planned_minutes}/{d.available_minutes} min"
        )
        for t in d.tasks:
            _print_task(out, t)
    if view.dropped:
        out.print("\n[bold]Dropped[/]")
        for t in view.dropped:
            out.print(f"  ✗ {t.title}: {t.item_title} — {t.reason}  [dim]{t.key}[/]")


def register(app: typer.Typer) -> None:
    plan = typer.Typer(help="Your day-by-day study plan to the loop date.", no_args_is_help=True)
    app.add_typer(plan, name="plan")

    @plan.command("create")
    @handles_errors
    def create(
        ctx: typer.Context,
        start: Start = None,
        weekday_minutes: Weekday = None,
        weekend_minutes: Weekend = None,
        day_off: DayOff = None,
        round_: Round = None,
        start_time: StartTime = None,
        weekend_start_time: WeekendStart = None,
        at: At = None,
        time_zone: Tz = None,
        alarm: Alarm = None,
        replace: Annotated[bool, typer.Option(help="Discard an existing plan and its progress.")] = False,
        json: JsonOpt = False,
    ) -> None:
        """Make a plan from your profile and the hours you have."""
        import datetime as dt

        from loopprep.services.plan import create_plan

        changes = _settings_changes(
            start,
            weekday_minutes,
            weekend_minutes,
            day_off,
            round_,
            start_time,
            weekend_start_time,
            at,
            time_zone,
            alarm,
        )
        view = create_plan(
            state(ctx).context(), changes, today=dt.date.today(), now=dt.datetime.now(dt.UTC), replace=replace
        )
        print_json(view) if json else _print_plan(view)

    @plan.command("show")
    @handles_errors
    def show(
        ctx: typer.Context,
        week: Annotated[int | None, typer.Option("--week", help="Week number (default: this week).")] = None,
        json: JsonOpt = False,
    ) -> None:
        """Show the phases and one week of the plan."""
        import datetime as dt

        from loopprep.services.plan import show_plan

        view = show_plan(state(ctx).context(), today=dt.date.today(), week=week)
        print_json(view) if json else _print_plan(view)

    @plan.command("today")
    @handles_errors
    def today_cmd(ctx: typer.Context, json: JsonOpt = False) -> None:
        """Today's tasks."""
        import datetime as dt

        from loopprep.services.plan import today_plan

        view = today_plan(state(ctx).context(), today=dt.date.today())
        if json:
            print_json(view)
            return
        out = console()
        if not view.exists:
            out.print("No plan yet. Make one with: loopprep plan create")
            return
        out.print(f"[bold]{view.today}[/] · {view.phase_label or '—'} · {view.days_to_loop} days to the loop")
        if not view.tasks:
            out.print("  Nothing planned today.")
        for t in view.tasks:
            _print_task(out, t)
        p = view.progress
        if p is not None:  # set whenever a plan exists
            out.print(f"Progress: {p.done}/{p.total} tasks ({p.percent} %).")

    def _status(ctx: typer.Context, task: str, status: str, json: bool) -> None:
        import datetime as dt

        from loopprep.domain import Status
        from loopprep.services.plan import set_task_status

        result = set_task_status(state(ctx).context(), task, Status(status), now=dt.datetime.now(dt.UTC))
        if json:
            print_json(result)
        else:
            console().print(
                f"{result.task.title}: {result.task.item_title} → [bold]{status}[/]. "
                f"Progress: {result.progress.done}/{result.progress.total} ({result.progress.percent} %)."
            )

    @plan.command("done")
    @handles_errors
    def done(ctx: typer.Context, task: TaskArg, json: JsonOpt = False) -> None:
        """Mark a task done."""
        _status(ctx, task, "done", json)

    @plan.command("skip")
    @handles_errors
    def skip(ctx: typer.Context, task: TaskArg, json: JsonOpt = False) -> None:
        """Skip a task (it is not re-planned)."""
        _status(ctx, task, "skipped", json)

    @plan.command("undo")
    @handles_errors
    def undo(ctx: typer.Context, task: TaskArg, json: JsonOpt = False) -> None:
        """Set a done or skipped task back to pending."""
        _status(ctx, task, "pending", json)

    @plan.command("replan")
    @handles_errors
    def replan_cmd(
        ctx: typer.Context,
        weekday_minutes: Weekday = None,
        weekend_minutes: Weekend = None,
        day_off: DayOff = None,
        round_: Round = None,
        start_time: StartTime = None,
        weekend_start_time: WeekendStart = None,
        at: At = None,
        time_zone: Tz = None,
        alarm: Alarm = None,
        json: JsonOpt = False,
    ) -> None:
        """Re-plan from today (after missed days or changes), keeping what is done."""
        import datetime as dt

        from loopprep.services.plan import replan_plan, show_plan

        app_ctx = state(ctx).context()
        current = show_plan(app_ctx, today=dt.date.today())
        base = current.settings.start_times if current.settings else None
        changes = _settings_changes(
            None,
            weekday_minutes,
            weekend_minutes,
            day_off,
            round_,
            start_time,
            weekend_start_time,
            at,
            time_zone,
            alarm,
            base,
        )
        view = replan_plan(app_ctx, changes, today=dt.date.today(), now=dt.datetime.now(dt.UTC))
        print_json(view) if json else _print_plan(view)

    @plan.command("ics")
    @handles_errors
    def ics(
        ctx: typer.Context,
        file: Annotated[Path, typer.Argument(help="Where to write the .ics file ('-' for standard output).")],
        json: JsonOpt = False,
    ) -> None:
        """Write the plan as an iCalendar file (re-export after re-planning: events update)."""
        import datetime as dt

        from loopprep.services.plan import calendar_ics
        from loopprep.web.urls import link_url

        data = calendar_ics(state(ctx).context(), now=dt.datetime.now(dt.UTC), link_path=link_url)
        if str(file) == "-":
            typer.echo(data.decode(), nl=False)
            return
        file.write_bytes(data)
        events = data.count(b"BEGIN:VEVENT")
        if json:
            print_json({"file": str(file), "events": events, "bytes": len(data)})
        else:
            console().print(f"Wrote {events} events to {file}.")
