"""The plan rows and settings in the database: loading, storing, re-stamping a day."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from loopprep.domain import Profile, RoundId
from loopprep.engines.clock import ItemKind, Phase, PlanTask, Status
from loopprep.engines.clock.calendar import Block, lay_out
from loopprep.services.plan.inputs import SETTINGS_ID
from loopprep.store.tables import plan_settings, plan_task


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
