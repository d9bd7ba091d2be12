"""What the plan pages and ``--json`` show: the plan, a week, today, and a status change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from loopprep.domain import Link, LinkKind, RoundId
from loopprep.engines.clock import Availability, ItemKind, Phase, PlanTask, Status, phase_spans
from loopprep.errors import InvalidInput
from loopprep.services.context import AppContext
from loopprep.services.plan.inputs import WEEKDAYS, LoopRoundIn, plan_rules
from loopprep.services.plan.storage import _load
from loopprep.services.plan_rules import case_index, problem_index
from loopprep.store.profiles import get_profile


class TaskView(BaseModel):
    key: str
    day: dt.date
    title: str
    item_kind: ItemKind
    item: str
    item_title: str
    link: Link | None = Field(description="What the item links to (kind and id); the web app makes the path")
    minutes: int
    phase: Phase
    phase_label: str
    round: RoundId | None
    status: Status
    reason: str
    new_material: bool
    at: str | None = Field(None, description="Fixed local start (HH:MM) for loop-day blocks")
    counts: bool


class DayView(BaseModel):
    day: dt.date
    weekday: str
    phase: Phase | None
    phase_label: str
    available_minutes: int
    planned_minutes: int
    is_today: bool
    tasks: list[TaskView]


class PhaseView(BaseModel):
    phase: Phase
    label: str
    first: dt.date
    last: dt.date
    days: int
    current: bool


class ProgressView(BaseModel):
    done: int
    skipped: int
    pending: int
    dropped: int
    total: int
    percent: int = Field(description="Done tasks as a share of all but dropped ones, 0-100")
    minutes_done: int
    minutes_total: int


class PlanSettingsView(BaseModel):
    start_date: dt.date
    weekday_minutes: int
    weekend_minutes: int
    days_off: list[dt.date]
    loop_rounds: list[LoopRoundIn]
    start_times: list[str]
    time_zone: str
    alarm_minutes: int


class PlanView(BaseModel):
    exists: bool
    today: dt.date
    loop_date: dt.date | None = None
    end: dt.date | None = None
    days_to_loop: int | None = None
    current_phase: Phase | None = None
    current_phase_label: str | None = None
    phases: list[PhaseView] = []
    week: int = 0
    weeks: int = 0
    days: list[DayView] = []
    today_tasks: list[TaskView] = []
    progress: ProgressView | None = None
    dropped: list[TaskView] = []
    missed: int = Field(0, description="Unfinished tasks on past days (re-plan moves them forward)")
    notices: list[str] = []
    settings: PlanSettingsView | None = None
    phase_rule: str = ""
    timeline_rule: str = ""


class TodayView(BaseModel):
    exists: bool
    today: dt.date
    days_to_loop: int | None = None
    phase: Phase | None = None
    phase_label: str | None = None
    tasks: list[TaskView] = []
    minutes: int = 0
    progress: ProgressView | None = None
    missed: int = 0


class StatusResult(BaseModel):
    task: TaskView
    progress: ProgressView


def _titles(ctx: AppContext) -> dict[tuple[str, str], tuple[str, Link | None]]:
    """(item kind, item) -> (title, link) for everything a task may name: rounds, focus areas,
    frameworks, fixed activities, stats cases (their lab page) and coding problems (their
    problem page, where an accepted submission checks the task off)."""
    out: dict[tuple[str, str], tuple[str, Link | None]] = {}
    for r in ctx.bank.rounds.values():
        out[(ItemKind.ROUND.value, r.id.value)] = (r.title, Link(kind=LinkKind.ROUND, id=r.id.value))
        for f in r.focus_areas:
            out[(ItemKind.TOPIC.value, f.id)] = (f.title, Link(kind=LinkKind.ROUND, id=r.id.value))
    for fw in ctx.bank.frameworks.values():
        out[(ItemKind.FRAMEWORK.value, fw.id)] = (fw.title, Link(kind=LinkKind.FRAMEWORK, id=fw.id))
    for a in ctx.bank.plan.activities:
        out[(ItemKind.ACTIVITY.value, a.id)] = (a.title, Link(kind=LinkKind.PAGE, id=a.page) if a.page else None)
    for case_id, title in case_index(ctx.bank):
        out[(ItemKind.ACTIVITY.value, case_id)] = (title, Link(kind=LinkKind.STATS_CASE, id=case_id))
    for problem_id, title, _ in problem_index(ctx.bank):
        out[(ItemKind.ACTIVITY.value, problem_id)] = (title, Link(kind=LinkKind.PROBLEM, id=problem_id))
    return out


def _view(t: PlanTask, titles: dict[tuple[str, str], tuple[str, Link | None]]) -> TaskView:
    item_title, link = titles.get((t.item_kind.value, t.item), (t.item, None))
    return TaskView(
        key=t.key,
        day=t.day,
        title=t.title,
        item_kind=t.item_kind,
        item=t.item,
        item_title=item_title,
        link=link,
        minutes=t.minutes,
        phase=t.phase,
        phase_label=t.phase.label,
        round=t.round,
        status=t.status,
        reason=t.reason,
        new_material=t.new_material,
        at=t.at.strftime("%H:%M") if t.at else None,
        counts=t.counts,
    )


def _progress(tasks: Sequence[PlanTask]) -> ProgressView:
    by = {s: [t for t in tasks if t.status == s] for s in Status}
    live = [t for t in tasks if t.status != Status.DROPPED]
    done = len(by[Status.DONE])
    return ProgressView(
        done=done,
        skipped=len(by[Status.SKIPPED]),
        pending=len(by[Status.PENDING]),
        dropped=len(by[Status.DROPPED]),
        total=len(live),
        percent=round(100 * done / len(live)) if live else 0,
        minutes_done=sum(t.minutes for t in by[Status.DONE]),
        minutes_total=sum(t.minutes for t in live),
    )


def _settings_view(s: dict[str, Any]) -> PlanSettingsView:
    return PlanSettingsView(
        start_date=s["start_date"],
        weekday_minutes=s["weekday_minutes"],
        weekend_minutes=s["weekend_minutes"],
        days_off=s["days_off"],
        loop_rounds=[LoopRoundIn.model_validate(r) for r in s["loop_rounds"]],
        start_times=s["start_times"],
        time_zone=s["time_zone"],
        alarm_minutes=s["alarm_minutes"],
    )


def show_plan(ctx: AppContext, *, today: dt.date, week: int | None = None) -> PlanView:
    """The plan: phases, one week of days (``week`` 1-based; default the week of today),
    today's tasks, progress and dropped tasks.  Only reads (a profile change re-plans when it is
    saved).  Raises ``InvalidInput`` for a week out of range."""
    spec = ctx.bank.plan
    with ctx.engine.connect() as conn:
        settings, tasks, _ = _load(conn)
        profile = get_profile(conn)
    if settings is None:
        return PlanView(exists=False, today=today, phase_rule=spec.phases.rule, timeline_rule=spec.timeline.rule)
    titles = ctx.task_titles
    live = [t for t in tasks if t.status != Status.DROPPED]
    first = min([t.day for t in live], default=settings["start_date"])
    last = max([t.day for t in live], default=first)
    loop_rounds = settings["loop_rounds"]
    loop_first = (
        min(dt.datetime.fromisoformat(r["start"]).date() for r in loop_rounds)
        if loop_rounds
        else (profile.loop_date if profile else last)
    )
    spans = phase_spans(min(first, loop_first), loop_first, max(last, loop_first), rules=plan_rules(ctx))
    current = next((s.phase for s in spans if s.first <= today <= s.last), None)
    weeks = (max(last, loop_first) - first).days // 7 + 1
    if week is None:
        week = min(max(1, (today - first).days // 7 + 1), weeks)
    if not 1 <= week <= weeks:
        raise InvalidInput(f"Week {week} is not in the plan: it has weeks 1 to {weeks}.", field="week")
    week_start = first + dt.timedelta(days=7 * (week - 1))
    avail = Availability(
        settings["weekday_minutes"],
        settings["weekend_minutes"],
        frozenset(dt.date.fromisoformat(str(d)) for d in settings["days_off"]),
    )
    days = []
    for i in range(7):
        d = week_start + dt.timedelta(days=i)
        if d > max(last, loop_first):
            break
        phase = next((s.phase for s in spans if s.first <= d <= s.last), None)
        day_tasks = [t for t in live if t.day == d]
        days.append(
            DayView(
                day=d,
                weekday=WEEKDAYS[d.weekday()],
                phase=phase,
                phase_label=phase.label if phase else "",
                available_minutes=avail.minutes_on(d),
                planned_minutes=sum(t.minutes for t in day_tasks if t.counts and t.status != Status.SKIPPED),
                is_today=d == today,
                tasks=[_view(t, titles) for t in day_tasks],
            )
        )
    missed = sum(1 for t in live if t.status == Status.PENDING and t.day < today)
    notices = list(settings["notices"])
    if profile is not None and profile.loop_date < today:
        notices.append(f"Your loop date {profile.loop_date.isoformat()} has passed; set a new one to re-plan.")
    if missed:
        notices.append(f"{missed} unfinished task(s) from past days: re-plan to move them forward.")
    return PlanView(
        exists=True,
        today=today,
        loop_date=loop_first,
        end=max(last, loop_first),
        days_to_loop=(loop_first - today).days,
        current_phase=current,
        current_phase_label=current.label if current else None,
        phases=[
            PhaseView(
                phase=s.phase, label=s.phase.label, first=s.first, last=s.last, days=s.days, current=s.phase == current
            )
            for s in spans
        ],
        week=week,
        weeks=weeks,
        days=days,
        today_tasks=[_view(t, titles) for t in live if t.day == today],
        progress=_progress(tasks),
        dropped=[_view(t, titles) for t in tasks if t.status == Status.DROPPED],
        missed=missed,
        notices=notices,
        settings=_settings_view(settings),
        phase_rule=spec.phases.rule,
        timeline_rule=spec.timeline.rule,
    )


def today_plan(ctx: AppContext, *, today: dt.date) -> TodayView:
    """Today's tasks and the overall progress (``exists`` False when there is no plan)."""
    view = show_plan(ctx, today=today)
    if not view.exists:
        return TodayView(exists=False, today=today)
    return TodayView(
        exists=True,
        today=today,
        days_to_loop=view.days_to_loop,
        phase=view.current_phase,
        phase_label=view.current_phase_label,
        tasks=view.today_tasks,
        minutes=sum(t.minutes for t in view.today_tasks if t.counts),
        progress=view.progress,
        missed=view.missed,
    )
