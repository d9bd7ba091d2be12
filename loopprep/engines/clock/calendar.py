"""The plan as an iCalendar file (RFC 5545): one timed event per study block.

Blocks are laid out in the user's local time: a day's study tasks back to back from that
weekday's start time, timeline blocks at their own time.  UIDs come from the task keys, so a
re-exported calendar updates the same events; the caller passes each block's SEQUENCE (raised
when the block changed) and whether it is cancelled (dropped or skipped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

UID_DOMAIN = "loopprep.local"


@dataclass(frozen=True)
class Block:
    key: str
    day: dt.date
    title: str
    minutes: int
    at: dt.datetime | None = None  # a fixed local start; None: laid out from the day's start time
    description: str = ""
    sequence: int = 0
    cancelled: bool = False


@dataclass(frozen=True)
class TimedBlock:
    block: Block
    start: dt.datetime  # naive local time
    end: dt.datetime

    @property
    def uid(self) -> str:
        return f"{self.block.key}@{UID_DOMAIN}"


def lay_out(blocks: Iterable[Block], *, start_times: Sequence[dt.time]) -> list[TimedBlock]:
    """Give every block a local start and end.  ``start_times``: one per weekday, Monday first.
    Blocks of a day keep their order; cancelled blocks are laid out after the live ones."""
    if len(start_times) != 7:
        raise ValueError("start_times needs one time per weekday (7)")
    by_day: dict[dt.date, list[Block]] = {}
    for b in blocks:
        by_day.setdefault(b.day, []).append(b)
    out: list[TimedBlock] = []
    for day in sorted(by_day):
        cursor = dt.datetime.combine(day, start_times[day.weekday()])
        for b in sorted(by_day[day], key=lambda b: b.cancelled):
            if b.at is not None:
                start = b.at
            else:
                start = cursor
                cursor += dt.timedelta(minutes=b.minutes)
            out.append(TimedBlock(b, start, start + dt.timedelta(minutes=b.minutes)))
    return out


def build_calendar(
    timed: Iterable[TimedBlock], *, time_zone: str, now: dt.datetime, alarm_minutes: int, name: str = "loopprep plan"
) -> bytes:
    """Serialise to an RFC 5545 calendar with a VTIMEZONE for ``time_zone`` (IANA name), a
    display VALARM ``alarm_minutes`` before each live block (none when 0), STATUS CONFIRMED or
    CANCELLED and the given SEQUENCE.  ``now`` (aware) is every event's DTSTAMP.
    Raises ``ValueError`` for an unknown time zone."""
    try:
        tz = ZoneInfo(time_zone)
    except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone '{time_zone}'") from exc
    cal = Calendar()
    cal.add("prodid", "-//loopprep//The Clock//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", time_zone)
    stamp = now.astimezone(dt.UTC)
    for t in timed:
        ev = Event()
        ev.add("uid", t.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", t.start.replace(tzinfo=tz))
        ev.add("dtend", t.end.replace(tzinfo=tz))
        ev.add("summary", t.block.title)
        if t.block.description:
            ev.add("description", t.block.description)
        ev.add("sequence", t.block.sequence)
        ev.add("status", "CANCELLED" if t.block.cancelled else "CONFIRMED")
        if alarm_minutes > 0 and not t.block.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", t.block.title)
            alarm.add("trigger", dt.timedelta(minutes=-alarm_minutes))
            ev.add_component(alarm)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
