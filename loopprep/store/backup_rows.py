"""The row models of an export: one per table of user data.

Each model accepts exactly what the app can read back: an import that passes them can never leave
a row that makes a page fail (the profile is checked with the app's own ``Profile``, loop rounds
with the plan's round model, time zones against the IANA database, ...).  Integers are bounded
by the database's 32-bit columns, floats must be finite.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from loopprep.domain import (
    MAX_MINUTES_PER_DAY,
    MAX_TASK_MINUTES,
    MIN_MINUTES_PER_DAY,
    CompanyName,
    CompanyType,
    DrillGrade,
    ItemKind,
    Level,
    Phase,
    Profile,
    Role,
    RoundId,
    RunMode,
    Status,
    Verdict,
)

INT32_MAX = 2**31 - 1  # INTEGER on PostgreSQL


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.  Exports say UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]
RowId = Annotated[int, Field(ge=1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ProfileRow(_Row):
    id: Literal[1]  # the app reads the profile with id 1 only
    role: Role
    level: Level
    company_types: list[CompanyType] = Field(min_length=1, max_length=4)
    loop_date: dt.date
    target_companies: list[CompanyName] = Field(max_length=20)
    updated_at: UtcDatetime

    @model_validator(mode="after")
    def _app_can_read(self) -> ProfileRow:
        Profile(
            role=self.role,
            level=self.level,
            company_types=self.company_types,
            loop_date=self.loop_date,
            target_companies=self.target_companies,
        )
        return self


class EstimateDrillRow(_Row):
    id: RowId
    kind: str = Field(min_length=1, max_length=20)
    seed: int = Field(ge=0, le=INT32_MAX)
    answer: float = Field(gt=0)
    truth: float = Field(gt=0)
    ratio: float = Field(ge=1)
    grade: DrillGrade
    seconds: float | None = Field(None, ge=0)
    answered_at: UtcDatetime


def _hhmm(v: str) -> str:
    try:
        parsed = dt.time.fromisoformat(v)
    except ValueError:
        raise ValueError(f"'{v}' is not a time of day (HH:MM)") from None
    if parsed.strftime("%H:%M") != v:
        raise ValueError(f"'{v}' is not written as HH:MM")
    return v


def _minute(v: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(v)
    except ValueError:
        raise ValueError(f"'{v}' is not a local date and time (YYYY-MM-DDTHH:MM)") from None
    if parsed.tzinfo is not None or parsed.strftime("%Y-%m-%dT%H:%M") != v:
        raise ValueError(f"'{v}' is not written as YYYY-MM-DDTHH:MM")
    return v


class StoredLoopRound(_Row):
    """A loop round as the plan stores it (``start`` as local YYYY-MM-DDTHH:MM)."""

    round: RoundId
    start: Annotated[str, AfterValidator(_minute)]
    minutes: int = Field(ge=5, le=480)


class PlanSettingsRow(_Row):
    id: Literal[1]  # the plan reads its settings from row 1
    start_date: dt.date
    weekday_minutes: int = Field(ge=MIN_MINUTES_PER_DAY, le=MAX_MINUTES_PER_DAY)
    weekend_minutes: int = Field(ge=MIN_MINUTES_PER_DAY, le=MAX_MINUTES_PER_DAY)
    days_off: list[dt.date] = Field(max_length=366)
    loop_rounds: list[StoredLoopRound] = Field(max_length=12)
    start_times: list[Annotated[str, AfterValidator(_hhmm)]] = Field(min_length=7, max_length=7)
    time_zone: str = Field(min_length=1, max_length=64)
    alarm_minutes: int = Field(ge=0, le=1440)
    profile_snapshot: dict[str, Any]
    notices: list[str] = Field(max_length=100)
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @field_validator("time_zone")
    @classmethod
    def _tz(cls, v: str) -> str:
        if v not in available_timezones():
            raise ValueError(f"'{v}' is not an IANA time zone (e.g. Europe/Berlin, UTC)")
        return v


class PlanTaskRow(_Row):
    key: str = Field(min_length=1, max_length=160)
    day: dt.date
    position: Count
    kind: str = Field(min_length=1, max_length=40)
    title: str = Field(max_length=2000)
    minutes: int = Field(ge=0, le=MAX_TASK_MINUTES)
    phase: Phase
    item_kind: ItemKind
    item: str = Field(min_length=1, max_length=80)
    round: RoundId | None = None
    new_material: StrictBool
    at: Annotated[str, AfterValidator(_minute)] | None = None
    counts: StrictBool
    status: Status
    reason: str = Field(max_length=2000)
    sequence: Count
    fingerprint: str = Field(max_length=64)
    updated_at: UtcDatetime


class StatsCaseAttemptRow(_Row):
    id: RowId
    case_id: str = Field(min_length=1, max_length=80)
    answer: str = Field(max_length=20000)
    checked: list[Annotated[int, Field(ge=0, le=1000)]] = Field(max_length=1000)
    checklist_total: Count
    numeric: dict[Annotated[str, Field(max_length=80)], float | None] = Field(max_length=100)
    numeric_correct: Count
    numeric_total: Count
    created_at: UtcDatetime


class StoredRandom(_Row):
    """The random cases an attempt ran: seeds ``first_seed .. last_seed`` and the first failure."""

    first_seed: int = Field(ge=0, le=2**32)
    last_seed: int = Field(ge=0, le=2**32)
    count: Count
    ran: Count
    failed_seed: int | None = Field(None, ge=0, le=2**32)
    failed_case: int | None = Field(None, ge=1, le=10000)
    digest: str = Field(max_length=64)


class StoredCase(_Row):
    """One test of a coding attempt as the problem page shows it (never a hidden test's data); a
    random case carries its seed, and one row lists the attempt's random seeds."""

    index: int = Field(ge=0, le=10000)
    visible: StrictBool
    note: str = Field(max_length=2000)
    status: str = Field(min_length=1, max_length=40)
    ms: float | None = Field(None, ge=0)
    seed: int | None = Field(None, ge=0, le=2**32)
    random: StoredRandom | None = None


class StoredPerf(_Row):
    """The speed and memory figures stored with an accepted attempt."""

    available: StrictBool
    note: str = Field("", max_length=2000)
    ms: float | None = Field(None, ge=0)
    reference_ms: float | None = Field(None, ge=0)
    ratio: float | None = Field(None, ge=0)
    peak_bytes: int | None = Field(None, ge=0, le=2**62)
    reference_peak_bytes: int | None = Field(None, ge=0, le=2**62)
    memory_ratio: float | None = Field(None, ge=0)
    slow: StrictBool = False
    mutated: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=50)


class CodeAttemptRow(_Row):
    id: RowId
    problem_id: str = Field(min_length=1, max_length=60)
    mode: RunMode
    code: str = Field(max_length=65536)
    verdict: Verdict
    message: str = Field(max_length=20000)
    passed: Count
    total: Count
    cases: list[StoredCase] = Field(max_length=10000)
    elapsed_s: float | None = Field(None, ge=0)
    latency_ms: float = Field(ge=0)
    perf: StoredPerf | None = None
    created_at: UtcDatetime


class CodeDraftRow(_Row):
    """Code the judge could not grade, kept as the problem's draft (one per problem)."""

    problem_id: str = Field(min_length=1, max_length=60)
    code: str = Field(max_length=65536)
    saved_at: UtcDatetime
    reason: Literal["judge-busy", "judge-error"]


class UserModelRow(_Row):
    """A model preset the user added (its ``config.json``, checked again on import)."""

    id: str = Field(pattern=r"^user-[a-z0-9][a-z0-9.\-]{0,59}$")
    config: dict[str, Any]
    created_at: UtcDatetime
