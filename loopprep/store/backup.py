"""Export and import of all the user's own data as one versioned JSON document.

Every table of user data registers a :class:`Section` in ``SECTIONS``; later features append
theirs, and bump ``EXPORT_VERSION`` (adding an upgrader for the older format) when the shape of
an existing section changes.  Imports are all-or-nothing: validate everything first, then write
in the caller's single transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Integer, Table, func, select, text

from loopprep.domain import CompanyName, CompanyType, Level, Role
from loopprep.errors import BackupError
from loopprep.store import tables as user_tables
from loopprep.store.tables import estimate_drill_attempt, plan_settings, plan_task, profile

FORMAT = "loopprep-export"
# 1: the profile.  2: adds the plan (settings, tasks), estimation drill attempts and stats case
# attempts; a version-1 file imports with those sections empty.  3: adds ML coding attempts.
EXPORT_VERSION = 3


def _as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones.  Exports say UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class ProfileRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    role: Role
    level: Level
    company_types: list[CompanyType] = Field(min_length=1)
    loop_date: dt.date
    target_companies: list[CompanyName]
    updated_at: UtcDatetime


class EstimateDrillRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    kind: str = Field(min_length=1, max_length=20)
    seed: int = Field(ge=0, le=2**31 - 1)
    answer: float = Field(gt=0)
    truth: float = Field(gt=0)
    ratio: float = Field(ge=1)
    grade: str = Field(pattern="^(exact|good|order|off)$")
    seconds: float | None = Field(None, ge=0)
    answered_at: UtcDatetime


class PlanSettingsRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    start_date: dt.date
    weekday_minutes: int = Field(ge=0, le=960)
    weekend_minutes: int = Field(ge=0, le=960)
    days_off: list[dt.date]
    loop_rounds: list[dict[str, Any]]
    start_times: list[str] = Field(min_length=7, max_length=7)
    time_zone: str = Field(min_length=1, max_length=64)
    alarm_minutes: int = Field(ge=0, le=1440)
    profile_snapshot: dict[str, Any]
    notices: list[str]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class PlanTaskRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=160)
    day: dt.date
    position: int
    kind: str = Field(min_length=1, max_length=40)
    title: str
    minutes: int = Field(ge=0, le=1440)
    phase: str = Field(pattern="^(ramp-up|deep-study|mock-sharpen|review|light-touch|day-of)$")
    item_kind: str = Field(pattern="^(topic|framework|round|activity)$")
    item: str = Field(min_length=1, max_length=80)
    round: str | None = None
    new_material: bool
    at: str | None = Field(None, max_length=16)
    counts: bool
    status: str = Field(pattern="^(pending|done|skipped|dropped)$")
    reason: str
    sequence: int = Field(ge=0)
    fingerprint: str = Field(max_length=64)
    updated_at: UtcDatetime


class StatsCaseAttemptRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    case_id: str = Field(min_length=1, max_length=80)
    answer: str = Field(max_length=20000)
    checked: list[int]
    checklist_total: int = Field(ge=0)
    numeric: dict[str, Any]
    numeric_correct: int = Field(ge=0)
    numeric_total: int = Field(ge=0)
    created_at: UtcDatetime


class CodeAttemptRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    problem_id: str = Field(min_length=1, max_length=60)
    mode: str = Field(pattern="^(run|submit)$")
    code: str = Field(max_length=65536)
    verdict: str = Field(
        pattern="^(accepted|compile-error|wrong-answer|runtime-error|time-limit|memory-limit|forbidden-call|judge-error)$"
    )
    message: str = Field(max_length=20000)
    passed: int = Field(ge=0)
    total: int = Field(ge=0)
    cases: list[dict[str, Any]]
    elapsed_s: float | None = Field(None, ge=0)
    latency_ms: float = Field(ge=0)
    perf: dict[str, Any] | None = None
    created_at: UtcDatetime


@dataclass(frozen=True)
class Section:
    name: str
    table: Table
    row_model: type[BaseModel]
    noun: str  # singular noun for messages ("profile")


SECTIONS: list[Section] = [
    Section("profile", profile, ProfileRow, "profile"),
    Section("estimate_drills", estimate_drill_attempt, EstimateDrillRow, "estimation drill"),
    Section("plan_settings", plan_settings, PlanSettingsRow, "plan"),
    Section("plan_tasks", plan_task, PlanTaskRow, "plan task"),
    Section("stats_case_attempts", user_tables.stats_case_attempt, StatsCaseAttemptRow, "stats case attempt"),
    Section("code_attempts", user_tables.code_attempt, CodeAttemptRow, "coding attempt"),
]


# version -> function turning that version's "data" into the next version's.
def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew only the profile; the sections added in version 2 start empty."""
    unknown = sorted(set(data) - {"profile"})
    if unknown:
        raise BackupError(
            f"The export has unknown section(s) {unknown} for format version 1.",
            "Use a file written by `loopprep export`.",
        )
    return {"profile": data.get("profile", [])}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 adds ML coding attempts; a version-2 file has none."""
    v2 = {"profile", "estimate_drills", "plan_settings", "plan_tasks", "stats_case_attempts"}
    unknown = sorted(set(data) - v2)
    if unknown:
        raise BackupError(
            f"The export has unknown section(s) {unknown} for format version 2.",
            "Use a file written by `loopprep export`.",
        )
    return dict(data)


UPGRADERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


@dataclass(frozen=True)
class ParsedExport:
    version: int
    app_version: str
    exported_at: str
    rows: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


def export_data(conn: Connection, *, now: dt.datetime, app_version: str) -> dict[str, Any]:
    data: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        rows = conn.execute(select(section.table)).mappings().all()
        data[section.name] = [section.row_model.model_validate(dict(r)).model_dump(mode="json") for r in rows]
    return {
        "format": FORMAT,
        "version": EXPORT_VERSION,
        "app_version": app_version,
        "exported_at": now.isoformat(),
        "data": data,
    }


def parse_export(raw_text: str) -> ParsedExport:
    """Validate a whole export document; raise ``BackupError`` saying what is wrong."""
    fix = "Use a file written by `loopprep export`."
    try:
        doc = json.loads(raw_text)
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).", fix
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupError("The file is not a loopprep export (its 'format' is not 'loopprep-export').", fix)
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BackupError("The export has no valid 'version' number.", fix)
    if version > EXPORT_VERSION:
        raise BackupError(
            f"The export is format version {version}, written by a newer loopprep "
            f"({doc.get('app_version', 'unknown')}); this one reads up to version {EXPORT_VERSION}.",
            "Upgrade loopprep, then import again. Nothing was changed.",
        )
    data = doc.get("data")
    if not isinstance(data, dict):
        raise BackupError("The export has no 'data' object.", fix)
    for v in range(version, EXPORT_VERSION):
        data = UPGRADERS[v](data)
    known = {s.name for s in SECTIONS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise BackupError(f"The export has unknown section(s) {unknown} for format version {version}.", fix)
    rows: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        items = data.get(section.name, [])
        if not isinstance(items, list):
            raise BackupError(f"Section '{section.name}' must be a list.", fix)
        parsed = []
        for i, item in enumerate(items):
            try:
                parsed.append(section.row_model.model_validate(item).model_dump())
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                raise BackupError(
                    f"Section '{section.name}', item {i + 1}, field '{where}': {first['msg']}.",
                    fix + " Nothing was changed.",
                ) from None
        rows[section.name] = parsed
    return ParsedExport(version, str(doc.get("app_version", "")), str(doc.get("exported_at", "")), rows)


def existing_counts(conn: Connection) -> dict[str, int]:
    return {s.name: int(conn.execute(select(func.count()).select_from(s.table)).scalar_one()) for s in SECTIONS}


def describe_counts(counts: dict[str, int]) -> str:
    parts = []
    for s in SECTIONS:
        n = counts.get(s.name, 0)
        if n:
            parts.append(f"{n} {s.noun}{'' if n == 1 else 's'}")
    return ", ".join(parts) or "nothing"


def apply_import(conn: Connection, parsed: ParsedExport, *, replace: bool) -> None:
    """Write ``parsed`` (in the caller's transaction).  Without ``replace`` the database must be
    empty; with it, existing user data is deleted first.  Never merges."""
    current = existing_counts(conn)
    if any(current.values()) and not replace:
        raise BackupError(
            f"This database already has data ({describe_counts(current)}); loopprep never merges an import.",
            "Re-run with --replace to overwrite it (export it first if you want to keep a copy).",
        )
    for section in reversed(SECTIONS):
        conn.execute(section.table.delete())
    for section in SECTIONS:
        if parsed.rows[section.name]:
            conn.execute(section.table.insert(), parsed.rows[section.name])
    if conn.dialect.name == "postgresql":
        _advance_sequences(conn)


def _advance_sequences(conn: Connection) -> None:
    """Rows arrive with their ids; move each serial sequence past the largest one, or the next
    row the app inserts would collide with an imported id."""
    for section in SECTIONS:
        for column in section.table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            table = section.table.name
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column.name}'), "
                    f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table} "
                    f"WHERE pg_get_serial_sequence('{table}', '{column.name}') IS NOT NULL"
                )
            )
