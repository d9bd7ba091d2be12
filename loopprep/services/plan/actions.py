"""Create, re-plan, follow the profile, and check tasks off (by hand or from another area)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, select, update

from loopprep.domain import CompanyType, Profile, Role, RoundId
from loopprep.engines.clock import (
    Availability,
    ItemKind,
    LoopRound,
    PlanInputError,
    PlanRequest,
    PlanTask,
    Status,
    StudyPlan,
    make_plan,
    replan,
)
from loopprep.errors import InvalidInput, LoopprepError, NotFound
from loopprep.services.context import AppContext
from loopprep.services.plan.inputs import DEFAULTS, SETTINGS_ID, PlanSettingsIn, plan_rules
from loopprep.services.plan.storage import _load, _restamp_day, _save_settings, _snapshot, _store, _task_from_row
from loopprep.services.plan.views import PlanView, StatusResult, _progress, _view, show_plan
from loopprep.services.weights import weights_for
from loopprep.store.locks import lock_user_state, write_transaction
from loopprep.store.profiles import get_profile
from loopprep.store.tables import plan_settings, plan_task


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
    return StatusResult(task=_view(changed, ctx.task_titles), progress=progress)


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
