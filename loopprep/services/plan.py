"""The Clock: create, show, check off, re-plan and export the study plan.

The plan rows are the source of truth for progress; the engine (``engines/clock``) makes and
re-makes the tasks.  Every function here is one user action shared by the web app and the CLI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Connection, select, update

from loopprep.domain import CompanyType, Profile, Role, RoundId
from loopprep.engines.clock import (
    Availability,
    ItemKind,
    LoopRound,
    Phase,
    PlanInputError,
    PlanRequest,
    PlanRules,
    PlanTask,
    Status,
    StudyPlan,
    make_plan,
    phase_spans,
    replan,
)
from loopprep.engines.clock.calendar import Block, build_calendar, lay_out
from loopprep.errors import InvalidInput, LoopprepError, NotFound
from loopprep.services.context import AppContext
from loopprep.services.plan_rules import case_index, problem_index
from loopprep.services.weights import weights_for
from loopprep.store.locks import lock_user_state, write_transaction
from loopprep.store.profiles import get_profile
from loopprep.store.tables import plan_settings, plan_task

SETTINGS_ID = 1
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def plan_rules(ctx: AppContext) -> PlanRules:
    """The Clock's rules, built once when the context opened."""
    return ctx.plan_rules


# --- inputs ----------------------------------------------------------------------------------


class LoopRoundIn(BaseModel):
    """One interview of a loop of several rounds."""

    model_config = ConfigDict(extra="forbid")
    round: RoundId = Field(description="ml-system-design, ai-systems-design, ml-coding or stats-experimentation")
    start: dt.datetime = Field(description="Local start, YYYY-MM-DDTHH:MM")
    minutes: int = Field(45, ge=5, le=480, description="Length in minutes")


def _hhmm(v: str) -> str:
    try:
        return dt.time.fromisoformat(v).strftime("%H:%M")
    except ValueError:
        raise ValueError(f"'{v}' is not a time of day (HH:MM)") from None


class PlanSettingsIn(BaseModel):
    """Plan settings; omitted fields keep their value (or the default on a new plan)."""

    model_config = ConfigDict(extra="forbid")
    start_date: dt.date | None = Field(None, description="First day of the plan (default: today)")
    weekday_minutes: int | None = Field(None, ge=0, le=960, description="Minutes per weekday (Mon-Fri)")
    weekend_minutes: int | None = Field(None, ge=0, le=960, description="Minutes per weekend day")
    days_off: list[dt.date] | None = Field(None, max_length=366, description="Whole days off")
    loop_rounds: list[LoopRoundIn] | None = Field(None, max_length=12, description="The loop's rounds")
    start_times: list[str] | None = Field(
        None, min_length=7, max_length=7, description="Study start time per weekday, Monday first (HH:MM)"
    )
    time_zone: str | None = Field(None, description="IANA time zone for the calendar, e.g. Europe/Berlin")
    alarm_minutes: int | None = Field(None, ge=0, le=1440, description="Calendar reminder, minutes before")

    @field_validator("start_times")
    @classmethod
    def _times(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else [_hhmm(t) for t in v]

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None and v not in available_timezones():
            raise ValueError(f"'{v}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)")
        return v


DEFAULTS: dict[str, Any] = {
    "weekday_minutes": 90,
    "weekend_minutes": 180,
    "days_off": [],
    "loop_rounds": [],
    "start_times": ["19:00"] * 5 + ["10:00"] * 2,
    "time_zone": "UTC",
    "alarm_minutes": 15,
}


def parse_settings(raw: dict[str, Any]) -> PlanSettingsIn:
    """Validate settings from a form or the CLI; raise ``InvalidInput`` naming each bad field."""
    try:
        return PlanSettingsIn.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else "plan"
            fields.setdefault(field, f"{err['msg']} (got {err.get('input')!r})." if "input" in err else err["msg"])
        first = next(iter(fields))
        raise InvalidInput(
            "The plan settings are invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items()),
            "Minutes are 0-960 per day; dates YYYY-MM-DD; times HH:MM.",
            field=first,
            fields=fields,
        ) from None


# --- views -----------------------------------------------------------------------------------


class TaskView(BaseModel):
    key: str
    day: dt.date
    title: str
    item_kind: ItemKind
    item: str
    item_title: str
    url: str | None
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


# --- storage ---------------------------------------------------------------------------------


def _task_from_row(r: Any) -> PlanTask:
    return PlanTask(
        key=r["key"],
        day=r["day"],
        kind=r["kind"],
        title=r["title"],
        minutes=r["minutes"],
        phase=Phase(r["phase"]),
        item_kind=ItemKind(r["item_kind"]),
        item=r["item"],
        round=RoundId(r["round"]) if r["round"] else None,
        new_material=bool(r["new_material"]),
        at=dt.datetime.fromisoformat(r["at"]) if r["at"] else None,
        counts=bool(r["counts"]),
        status=Status(r["status"]),
        reason=r["reason"],
    )


def _load(conn: Connection) -> tuple[dict[str, Any] | None, list[PlanTask], dict[str, tuple[int, str]]]:
    row = conn.execute(select(plan_settings).where(plan_settings.c.id == SETTINGS_ID)).mappings().first()
    rows = conn.execute(select(plan_task).order_by(plan_task.c.day, plan_task.c.position)).mappings().all()
    seq = {r["key"]: (r["sequence"], r["fingerprint"]) for r in rows}
    return (dict(row) if row else None), [_task_from_row(r) for r in rows], seq


def _start_times(settings: dict[str, Any]) -> list[dt.time]:
    return [dt.time.fromisoformat(t) for t in settings["start_times"]]


def _blocks(tasks: Iterable[PlanTask], settings: dict[str, Any]) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    timed = lay_out(
        (
            Block(t.key, t.day, t.title, t.minutes, t.at, cancelled=t.status in (Status.DROPPED, Status.SKIPPED))
            for t in tasks
        ),
        start_times=_start_times(settings),
    )
    return {tb.block.key: (tb.start, tb.end) for tb in timed}


def _fingerprint(t: PlanTask, span: tuple[dt.datetime, dt.datetime]) -> str:
    cancelled = t.status in (Status.DROPPED, Status.SKIPPED)
    text = f"{span[0].isoformat()}|{span[1].isoformat()}|{t.title}|{t.item}|{cancelled}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _row(t: PlanTask, pos: int, seq: int, fp: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "key": t.key,
        "day": t.day,
        "position": pos,
        "kind": t.kind,
        "title": t.title,
        "minutes": t.minutes,
        "phase": t.phase.value,
        "item_kind": t.item_kind.value,
        "item": t.item,
        "round": t.round.value if t.round else None,
        "new_material": t.new_material,
        "at": t.at.isoformat(timespec="minutes") if t.at else None,
        "counts": t.counts,
        "status": t.status.value,
        "reason": t.reason,
        "sequence": seq,
        "fingerprint": fp,
        "updated_at": now,
    }


def _store(
    conn: Connection,
    settings: dict[str, Any],
    tasks: Sequence[PlanTask],
    previous: dict[str, tuple[int, str]],
    *,
    now: dt.datetime,
) -> None:
    """Replace every task row (create and re-plan, under the write lock), raising a block's SEQUENCE when it
    changed.  A key given twice keeps its first task (a revived timeline block replaces its dropped row)."""
    seen: set[str] = set()
    unique = [t for t in tasks if not (t.key in seen or seen.add(t.key))]  # type: ignore[func-returns-value]
    spans = _blocks(unique, settings)
    conn.execute(plan_task.delete())
    rows = []
    for pos, t in enumerate(unique):
        fp = _fingerprint(t, spans[t.key])
        seq, old_fp = previous.get(t.key, (0, fp))
        rows.append(_row(t, pos, seq + 1 if fp != old_fp else seq, fp, now))
    if rows:
        conn.execute(plan_task.insert(), rows)


def _restamp_day(conn: Connection, settings: dict[str, Any], day: dt.date, *, now: dt.datetime) -> None:
    """A block of ``day`` was (un)skipped, so the day's others move: raise the SEQUENCE of each that changed."""
    rows = conn.execute(select(plan_task).where(plan_task.c.day == day).order_by(plan_task.c.position)).mappings().all()
    tasks = [_task_from_row(r) for r in rows]
    spans = _blocks(tasks, settings)
    for r, t in zip(rows, tasks, strict=True):
        fp = _fingerprint(t, spans[t.key])
        if fp != r["fingerprint"]:
            conn.execute(
                update(plan_task)
                .where(plan_task.c.key == t.key)
                .values(fingerprint=fp, sequence=plan_task.c.sequence + 1, updated_at=now)
            )


def _snapshot(profile: Profile) -> dict[str, Any]:
    return {
        "role": profile.role.value,
        "level": profile.level.value,
        "company_types": [c.value for c in profile.company_types],
        "loop_date": profile.loop_date.isoformat(),
    }


def _request(ctx: AppContext, profile: Profile, settings: dict[str, Any], start: dt.date) -> PlanRequest:
    weights = weights_for(ctx.bank, profile)
    rounds = tuple(
        LoopRound(RoundId(r["round"]), dt.datetime.fromisoformat(str(r["start"])), int(r["minutes"]))
        for r in settings["loop_rounds"]
    )
    if rounds:
        first = min(r.start.date() for r in rounds)
        if first != profile.loop_date:
            raise InvalidInput(
                f"The first round is on {first.isoformat()}, but your profile's loop date is "
                f"{profile.loop_date.isoformat()}.",
                "Make the first round's date your loop date (loopprep profile set --loop-date), or fix the rounds.",
                field="loop_rounds",
            )
    return PlanRequest(
        start=start,
        loop_date=profile.loop_date,
        availability=Availability(
            settings["weekday_minutes"],
            settings["weekend_minutes"],
            frozenset(dt.date.fromisoformat(str(d)) for d in settings["days_off"]),
        ),
        weights={i.round: i.share for i in weights.items},
        ai_role=profile.role == Role.AI_LLM_ENGINEER or CompanyType.AI_FIRST_LAB in profile.company_types,
        loop_rounds=rounds,
    )


def _engine_call(fn: Any, *args: Any, **kw: Any) -> StudyPlan:
    try:
        return fn(*args, **kw)  # type: ignore[no-any-return]
    except PlanInputError as exc:
        raise InvalidInput(exc.message, exc.hint, field=exc.field) from None


def _require_profile(conn: Connection) -> Profile:
    profile = get_profile(conn)
    if profile is None:
        raise InvalidInput(
            "There is no profile yet: a plan needs your role, level, company types and loop date.",
            "Set them first: loopprep profile set ... (or the profile page).",
            field="profile",
        )
    return profile


def _merge(changes: PlanSettingsIn, base: dict[str, Any]) -> dict[str, Any]:
    """Settings as stored (JSON-friendly): ``base`` with the given changes applied."""
    values = {k: base[k] for k in DEFAULTS} | {"start_date": base.get("start_date")}
    for name, value in changes.model_dump(mode="json", exclude_none=True).items():
        values[name] = value
    values["days_off"] = sorted({str(d) for d in values["days_off"]})
    values["loop_rounds"] = sorted(
        ({"round": r["round"], "start": str(r["start"])[:16], "minutes": r["minutes"]} for r in values["loop_rounds"]),
        key=lambda r: r["start"],
    )
    return values


def _save_settings(
    conn: Connection, values: dict[str, Any], profile: Profile, notices: Sequence[str], now: dt.datetime
) -> None:
    row = {
        "start_date": dt.date.fromisoformat(str(values["start_date"])),
        "weekday_minutes": values["weekday_minutes"],
        "weekend_minutes": values["weekend_minutes"],
        "days_off": values["days_off"],
        "loop_rounds": values["loop_rounds"],
        "start_times": values["start_times"],
        "time_zone": values["time_zone"],
        "alarm_minutes": values["alarm_minutes"],
        "profile_snapshot": _snapshot(profile),
        "notices": list(notices),
        "updated_at": now,
    }
    updated = conn.execute(plan_settings.update().where(plan_settings.c.id == SETTINGS_ID).values(**row)).rowcount
    if not updated:
        conn.execute(plan_settings.insert().values(id=SETTINGS_ID, created_at=now, **row))


# --- actions ---------------------------------------------------------------------------------


def create_plan(
    ctx: AppContext, changes: PlanSettingsIn | None = None, *, today: dt.date, now: dt.datetime, replace: bool = False
) -> PlanView:
    """Make a new plan from the profile and the settings (defaults for what is not given).

    An existing plan is kept unless ``replace`` (then its tasks and progress are discarded;
    ``replan`` keeps them).  Raises ``InvalidInput`` for no profile, a loop in the past, zero
    hours, bad rounds; a loop tomorrow gives the day-before plan with a notice."""
    changes = changes or PlanSettingsIn()
    with write_transaction(ctx.engine) as conn:
        profile = _require_profile(conn)
        current, _, _ = _load(conn)
        if current is not None and not replace:
            raise LoopprepError(
                "A plan exists already.",
                "Re-plan it (keeps what is done): loopprep plan replan; or start over: loopprep plan create --replace.",
            )
        values = _merge(changes, {**DEFAULTS, "start_date": None})
        start = changes.start_date or today
        if start < today:
            raise InvalidInput(
                f"The start date {start.isoformat()} is in the past (today is {today.isoformat()}).",
                "Start today or later.",
                field="start_date",
            )
        values["start_date"] = start.isoformat()
        plan = _engine_call(make_plan, _request(ctx, profile, values, start), rules=plan_rules(ctx))
        _save_settings(conn, values, profile, plan.notices, now)
        _store(conn, values, plan.tasks, {}, now=now)
    return show_plan(ctx, today=today)


def _replan_in(
    conn: Connection,
    ctx: AppContext,
    profile: Profile,
    changes: PlanSettingsIn | None,
    *,
    today: dt.date,
    now: dt.datetime,
) -> None:
    """Re-plan on ``conn`` (holding the write lock).  Raises ``NotFound`` with no plan and ``InvalidInput``
    for settings or a profile the plan cannot follow, before writing anything."""
    current, tasks, seq = _load(conn)
    if current is None:
        raise NotFound("There is no plan yet.", "Create one: loopprep plan create (or the plan page).")
    values = _merge(changes or PlanSettingsIn(), {**current, "start_date": str(current["start_date"])})
    start = max(today, dt.date.fromisoformat(values["start_date"]))
    live = [t for t in tasks if t.status != Status.DROPPED]
    old_dropped = [t for t in tasks if t.status == Status.DROPPED]
    plan = _engine_call(
        replan,
        live,
        _request(ctx, profile, values, start),
        rules=plan_rules(ctx),
        reserved=[t.key for t in old_dropped],
    )
    _save_settings(conn, values, profile, plan.notices, now)
    _store(conn, values, [*plan.tasks, *old_dropped, *plan.dropped], seq, now=now)


def replan_plan(
    ctx: AppContext, changes: PlanSettingsIn | None = None, *, today: dt.date, now: dt.datetime
) -> PlanView:
    """Re-plan from today with the current profile and (changed) settings, keeping done and
    skipped tasks; unfinished ones move forward or are listed as dropped with the reason."""
    with write_transaction(ctx.engine) as conn:
        _replan_in(conn, ctx, _require_profile(conn), changes, today=today, now=now)
    return show_plan(ctx, today=today)


def follow_profile(conn: Connection, ctx: AppContext, profile: Profile, *, today: dt.date, now: dt.datetime) -> None:
    """The profile was just saved on ``conn`` (inside the caller's locked transaction): re-plan
    when it differs from the one the plan was made for.  A profile the plan cannot follow (e.g. a
    loop date that no longer matches the rounds) leaves the tasks as they are, with a notice."""
    row = conn.execute(
        select(plan_settings.c.profile_snapshot, plan_settings.c.notices).where(plan_settings.c.id == SETTINGS_ID)
    ).first()
    if row is None or row[0] == _snapshot(profile):
        return
    try:  # a refused re-plan raises before it writes anything
        _replan_in(conn, ctx, profile, None, today=today, now=now)
    except LoopprepError as exc:
        problem = f"Your profile changed but the plan could not follow: {exc.message} {exc.hint}".strip()
        notices = [n for n in row[1] if not n.startswith("Your profile changed")] + [problem]
        conn.execute(update(plan_settings).where(plan_settings.c.id == SETTINGS_ID).values(notices=notices))


def _titles(ctx: AppContext) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(item kind, item) -> (title, page) for everything a task may name: rounds, focus areas,
    frameworks, fixed activities, stats cases (their lab page) and coding problems (their
    problem page, where an accepted submission checks the task off)."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {}
    for r in ctx.bank.rounds.values():
        out[(ItemKind.ROUND.value, r.id.value)] = (r.title, f"/rounds/{r.id.value}")
        for f in r.focus_areas:
            out[(ItemKind.TOPIC.value, f.id)] = (f.title, f"/rounds/{r.id.value}")
    for fw in ctx.bank.frameworks.values():
        out[(ItemKind.FRAMEWORK.value, fw.id)] = (fw.title, f"/frameworks/{fw.id}")
    for a in ctx.bank.plan.activities:
        out[(ItemKind.ACTIVITY.value, a.id)] = (a.title, a.url)
    for case_id, title in case_index(ctx.bank):
        out[(ItemKind.ACTIVITY.value, case_id)] = (title, f"/stats/cases/{case_id}")
    for problem_id, title, _ in problem_index(ctx.bank):
        out[(ItemKind.ACTIVITY.value, problem_id)] = (title, f"/code/{problem_id}")
    return out


def _view(t: PlanTask, titles: dict[tuple[str, str], tuple[str, str | None]]) -> TaskView:
    item_title, url = titles.get((t.item_kind.value, t.item), (t.item, None))
    return TaskView(
        key=t.key,
        day=t.day,
        title=t.title,
        item_kind=t.item_kind,
        item=t.item,
        item_title=item_title,
        url=url,
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
    titles = _titles(ctx)
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


def _set_status_in(conn: Connection, key: str, status: Status, *, now: dt.datetime) -> PlanTask:
    """Change one task's status on ``conn`` (under the write lock): one row, plus a SEQUENCE bump
    for the blocks of its day when skipping moves them in the calendar."""
    settings = conn.execute(select(plan_settings).where(plan_settings.c.id == SETTINGS_ID)).mappings().first()
    if settings is None:
        raise NotFound("There is no plan yet.", "Create one: loopprep plan create (or the plan page).")
    row = conn.execute(select(plan_task).where(plan_task.c.key == key)).mappings().first()
    if row is None:
        raise NotFound(f"There is no task '{key}' in the plan.", "`loopprep plan today` lists the task ids.")
    match = _task_from_row(row)
    if match.status == Status.DROPPED:
        raise InvalidInput(f"Task '{key}' was dropped ({match.reason})", "Re-plan to bring work back.", field="task")
    conn.execute(update(plan_task).where(plan_task.c.key == key).values(status=status.value, updated_at=now))
    if (match.status == Status.SKIPPED) != (status == Status.SKIPPED):
        _restamp_day(conn, dict(settings), match.day, now=now)
    return PlanTask(**{**match.__dict__, "status": status})


def set_task_status(ctx: AppContext, key: str, status: Status, *, now: dt.datetime) -> StatusResult:
    """Mark a task done, skipped or (undo) pending.  Raises ``NotFound`` for an unknown key and
    ``InvalidInput`` for a dropped task (re-plan instead).  Concurrent calls queue on the write
    lock; each changes only its own task, so none is lost."""
    if status == Status.DROPPED:
        raise InvalidInput("A task cannot be marked dropped by hand.", field="status")
    with write_transaction(ctx.engine) as conn:
        changed = _set_status_in(conn, key, status, now=now)
        progress = _progress(_load(conn)[1])
    return StatusResult(task=_view(changed, _titles(ctx)), progress=progress)


def plan_today(conn: Connection, now: dt.datetime) -> dt.date:
    """Today's date in the plan's time zone (UTC without a plan, or with a zone this system lacks)."""
    tz = conn.execute(select(plan_settings.c.time_zone).where(plan_settings.c.id == SETTINGS_ID)).scalar()
    try:
        return now.astimezone(ZoneInfo(tz or "UTC")).date()
    except (ValueError, ZoneInfoNotFoundError):
        return now.astimezone(dt.UTC).date()


def mark_item_done(
    conn: Connection, item_kind: ItemKind, item: str, *, now: dt.datetime, today: dt.date | None = None
) -> str | None:
    """Another area finished ``item`` (a problem solved, a case or drill done) and records it on
    ``conn``: mark the earliest pending task naming it (on or before today first, today in the
    plan's time zone unless given) done, in the caller's transaction, so the attempt and the
    check-off are saved together or not at all.  Returns the task key, or None."""
    lock_user_state(conn)
    if today is None:
        today = plan_today(conn, now)
    rows = conn.execute(
        select(plan_task.c.key, plan_task.c.day, plan_task.c.position).where(
            plan_task.c.status == Status.PENDING.value,
            plan_task.c.item_kind == item_kind.value,
            plan_task.c.item == item,
        )
    ).all()
    if not rows:
        return None
    key = min(rows, key=lambda r: (r[1] > today, r[1], r[2]))[0]
    _set_status_in(conn, key, Status.DONE, now=now)
    return str(key)


def complete_item(
    ctx: AppContext, item_kind: ItemKind, item: str, *, now: dt.datetime, today: dt.date | None = None
) -> str | None:
    """``mark_item_done`` in a transaction of its own."""
    with write_transaction(ctx.engine) as conn:
        return mark_item_done(conn, item_kind, item, now=now, today=today)


def calendar_ics(ctx: AppContext, *, now: dt.datetime) -> bytes:
    """The plan as an RFC 5545 calendar: one event per block (UID from the task key, SEQUENCE
    raised on change, dropped and skipped blocks CANCELLED, a VALARM reminder)."""
    with ctx.engine.connect() as conn:
        settings, tasks, seq = _load(conn)
    if settings is None:
        raise NotFound("There is no plan yet.", "Create one: loopprep plan create (or the plan page).")
    titles = _titles(ctx)
    blocks = []
    for t in tasks:
        item_title, url = titles.get((t.item_kind.value, t.item), (t.item, None))
        desc = f"{t.phase.label}: {item_title}." + (f" See {url} in loopprep." if url else "")
        if t.reason:
            desc += f" Dropped: {t.reason}"
        blocks.append(
            Block(
                key=t.key,
                day=t.day,
                title=f"{t.title}: {item_title}",
                minutes=t.minutes,
                at=t.at,
                description=desc,
                sequence=seq[t.key][0],
                cancelled=t.status in (Status.DROPPED, Status.SKIPPED),
            )
        )
    timed = lay_out(blocks, start_times=_start_times(settings))
    return build_calendar(timed, time_zone=settings["time_zone"], now=now, alarm_minutes=settings["alarm_minutes"])
