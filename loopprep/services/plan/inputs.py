"""Plan settings as the user gives them: parsing, defaults and the plan rules."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from loopprep.domain import MAX_MINUTES_PER_DAY, MIN_MINUTES_PER_DAY, MINUTES_PER_DAY_RANGE, RoundId
from loopprep.engines.clock import PlanRules
from loopprep.errors import InvalidInput
from loopprep.services.context import AppContext

SETTINGS_ID = 1
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def plan_rules(ctx: AppContext) -> PlanRules:
    """The Clock's rules, built once when the context opened."""
    return ctx.plan_rules


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
    weekday_minutes: int | None = Field(
        None, ge=MIN_MINUTES_PER_DAY, le=MAX_MINUTES_PER_DAY, description="Minutes per weekday (Mon-Fri)"
    )
    weekend_minutes: int | None = Field(
        None, ge=MIN_MINUTES_PER_DAY, le=MAX_MINUTES_PER_DAY, description="Minutes per weekend day"
    )
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
            f"Minutes are {MINUTES_PER_DAY_RANGE} per day; dates YYYY-MM-DD; times HH:MM.",
            field=first,
            fields=fields,
        ) from None
