"""The plan as an RFC 5545 calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from loopprep.domain import Link
from loopprep.engines.clock import Status
from loopprep.engines.clock.calendar import Block, build_calendar, lay_out
from loopprep.errors import NotFound
from loopprep.services.context import AppContext
from loopprep.services.plan.storage import _load, _start_times


def calendar_ics(ctx: AppContext, *, now: dt.datetime, link_path: Callable[[Link], str | None] | None = None) -> bytes:
    """The plan as an RFC 5545 calendar: one event per block (UID from the task key, SEQUENCE
    raised on change, dropped and skipped blocks CANCELLED, a VALARM reminder).  ``link_path``
    (the web layer's ``link_url``) turns a task's link into the path its description names."""
    with ctx.engine.connect() as conn:
        settings, tasks, seq = _load(conn)
    if settings is None:
        raise NotFound("There is no plan yet.", "Create one: loopprep plan create (or the plan page).")
    titles = ctx.task_titles
    blocks = []
    for t in tasks:
        item_title, link = titles.get((t.item_kind.value, t.item), (t.item, None))
        url = link_path(link) if link_path and link else None
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
