"""The plan's calendar: RFC 5545 that parses back to the same events."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from loopprep.engines.clock.calendar import Block, build_calendar, lay_out

NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
TIMES = [dt.time(19)] * 5 + [dt.time(10)] * 2

# Backslashes are left out: icalendar 7 reads an escaped "\\N" back as a newline (its own
# round-trip quirk); loopprep's titles and descriptions never contain one.
TEXT = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\\")

block_st = st.builds(
    Block,
    key=st.from_regex(r"[a-z]{1,8}-[a-z]{1,8}-[1-9]", fullmatch=True),
    day=st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    title=st.text(TEXT, min_size=1, max_size=60).filter(str.strip),
    minutes=st.integers(5, 180),
    description=st.text(TEXT, max_size=80),
    sequence=st.integers(0, 50),
    cancelled=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(
    blocks=st.lists(block_st, max_size=25, unique_by=lambda b: b.key),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]),
    alarm=st.integers(0, 120),
)
def test_ics_parses_back_with_the_same_events(blocks: list[Block], tz: str, alarm: int) -> None:
    timed = lay_out(blocks, start_times=TIMES)
    cal = Calendar.from_ical(build_calendar(timed, time_zone=tz, now=NOW, alarm_minutes=alarm))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(events) == len(timed)
    for t in timed:
        e = events[t.uid]
        assert str(e["SUMMARY"]) == t.block.title
        assert e["DTSTART"].dt == t.start.replace(tzinfo=ZoneInfo(tz))
        assert e["DTEND"].dt - e["DTSTART"].dt == dt.timedelta(minutes=t.block.minutes)
        assert int(e["SEQUENCE"]) == t.block.sequence
        assert str(e["STATUS"]) == ("CANCELLED" if t.block.cancelled else "CONFIRMED")
        alarms = e.walk("VALARM")
        if alarm and not t.block.cancelled:
            assert alarms[0]["TRIGGER"].dt == dt.timedelta(minutes=-alarm)
        else:
            assert not alarms
    if timed and tz != "UTC":
        assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == [tz]


def test_layout_back_to_back_from_the_weekday_start() -> None:
    mon = dt.date(2026, 11, 23)
    sat = dt.date(2026, 11, 28)
    timed = lay_out(
        [
            Block("a", mon, "A", 60),
            Block("b", mon, "B", 45),
            Block("c", mon, "C", 30, at=dt.datetime(2026, 11, 23, 8, 0)),
            Block("d", sat, "D", 30),
        ],
        start_times=TIMES,
    )
    starts = {t.block.key: t.start.strftime("%a %H:%M") for t in timed}
    assert starts == {"a": "Mon 19:00", "b": "Mon 20:00", "c": "Mon 08:00", "d": "Sat 10:00"}


def test_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        build_calendar([], time_zone="Nowhere/Land", now=NOW, alarm_minutes=0)
