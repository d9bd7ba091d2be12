"""Export and import of all the user's own data as one versioned JSON document.

Every table of user data registers a :class:`Section` in ``SECTIONS``; later features append
theirs, and bump ``EXPORT_VERSION`` (adding an upgrader for the older format) when the shape of
an existing section changes.  Imports are all-or-nothing: validate everything first, then write
in the caller's single transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Connection, Integer, Table, func, select, text

from loopprep.errors import BackupError
from loopprep.store import tables as user_tables
from loopprep.store.backup_rows import (
    CodeAttemptRow,
    CodeDraftRow,
    EstimateDrillRow,
    PlanSettingsRow,
    PlanTaskRow,
    ProfileRow,
    StatsCaseAttemptRow,
    UserModelRow,
)
from loopprep.store.tables import estimate_drill_attempt, plan_settings, plan_task, profile

FORMAT = "loopprep-export"
# 1: the profile.  2: adds the plan (settings, tasks), estimation drill attempts and stats case
# attempts; a version-1 file imports with those sections empty.  3: adds ML coding attempts.
# 4: adds the user's own model presets (before, files under DATA_DIR/models, not exported).
# 5: adds code drafts (code the judge could not grade, kept per problem).
EXPORT_VERSION = 5


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
    Section("user_models", user_tables.user_model_preset, UserModelRow, "model preset"),
    Section("code_drafts", user_tables.code_draft, CodeDraftRow, "code draft"),
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


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 adds the user's model presets; a version-3 file has none."""
    v3 = {"profile", "estimate_drills", "plan_settings", "plan_tasks", "stats_case_attempts", "code_attempts"}
    unknown = sorted(set(data) - v3)
    if unknown:
        raise BackupError(
            f"The export has unknown section(s) {unknown} for format version 3.",
            "Use a file written by `loopprep export`.",
        )
    return {**data, "user_models": []}


def _v4_to_v5(data: dict[str, Any]) -> dict[str, Any]:
    """Version 5 adds code drafts; a version-4 file has none."""
    v4 = {
        "profile",
        "estimate_drills",
        "plan_settings",
        "plan_tasks",
        "stats_case_attempts",
        "code_attempts",
        "user_models",
    }
    unknown = sorted(set(data) - v4)
    if unknown:
        raise BackupError(
            f"The export has unknown section(s) {unknown} for format version 4.",
            "Use a file written by `loopprep export`.",
        )
    return {**data, "code_drafts": []}


UPGRADERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
}


@dataclass(frozen=True)
class ParsedExport:
    version: int
    app_version: str
    exported_at: str
    rows: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


_FIX = "Use a file written by `loopprep export`."
MAX_DEPTH = 32  # no export nests deeper than about six levels


class _NonFinite(ValueError):
    pass


def _refuse_constant(name: str) -> float:
    raise _NonFinite(name)


def _finite_float(text_value: str) -> float:
    value = float(text_value)
    if not math.isfinite(value):  # 1e400 parses as infinity
        raise _NonFinite(text_value)
    return value


def _refuse(message: str) -> BackupError:
    return BackupError(message, _FIX + " Nothing was changed.")


def _first_error(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors(include_url=False)[0]
    return ".".join(str(p) for p in first["loc"]) or "(row)", str(first["msg"])


def _row_out(section: Section, row: dict[str, Any], position: int) -> dict[str, Any]:
    try:
        return section.row_model.model_validate(row).model_dump(mode="json")
    except ValidationError as exc:
        where, msg = _first_error(exc)
        raise BackupError(
            f"Cannot export: {section.noun} {position} has a value no export may hold (field '{where}': {msg}).",
            "This row was written by an older loopprep; delete it (or fix it in the database) and export again.",
        ) from None


def export_data(conn: Connection, *, now: dt.datetime, app_version: str) -> dict[str, Any]:
    """Every section's rows in primary-key order, each checked by its row model (so an export
    holds only what an import accepts: no NaN or infinity, which strict JSON cannot carry)."""
    data: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        query = select(section.table).order_by(*section.table.primary_key.columns)
        rows = conn.execute(query).mappings().all()
        data[section.name] = [_row_out(section, dict(r), i + 1) for i, r in enumerate(rows)]
    return {
        "format": FORMAT,
        "version": EXPORT_VERSION,
        "app_version": app_version,
        "exported_at": now.isoformat(),
        "data": data,
    }


def _load_json(raw_text: str) -> Any:
    try:
        return json.loads(raw_text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise BackupError(
            f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).", _FIX
        ) from None
    except _NonFinite as exc:
        raise _refuse(f"The file holds the number {exc}, which is not finite; an export never does.") from None
    except RecursionError:
        raise _refuse(f"The file nests JSON far too deeply (an export nests at most {MAX_DEPTH} levels).") from None
    except ValueError as exc:  # an integer past Python's digit limit for int()
        raise _refuse(f"The file holds a number loopprep cannot read ({exc}).".replace("..", ".")) from None


def _check_values(doc: Any) -> None:
    """Refuse what a database cannot store or an export never holds: nesting past MAX_DEPTH and
    strings with NUL characters or lone surrogates.  Iterative, so depth cannot overflow."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _refuse(f"The file nests JSON more than {MAX_DEPTH} levels deep; an export never does.")
        if isinstance(value, str):
            if "\x00" in value:
                raise _refuse("The file holds a text with a NUL character, which a database cannot store.")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _refuse("The file holds a text with an unpaired surrogate (not valid Unicode).") from None
        elif isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _row_in(section: Section, row: BaseModel) -> dict[str, Any]:
    """Column values for an insert: JSON columns take JSON-ready values (dates as text, as the
    app writes them); the other columns Python values (dates, aware datetimes)."""
    python = row.model_dump()
    as_json = row.model_dump(mode="json")
    return {name: as_json[name] if isinstance(section.table.c[name].type, JSON) else python[name] for name in python}


def parse_export(raw_text: str) -> ParsedExport:
    """Validate a whole export document; raise ``BackupError`` naming the section, item and
    field of the first problem.  Every row must be one the app can read back."""
    fix = _FIX
    doc = _load_json(raw_text)
    _check_values(doc)
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
        seen: dict[Any, int] = {}
        for i, item in enumerate(items):
            try:
                row = section.row_model.model_validate(item)
            except ValidationError as exc:
                where, msg = _first_error(exc)
                raise _refuse(f"Section '{section.name}', item {i + 1}, field '{where}': {msg}.") from None
            key = tuple(getattr(row, c.name) for c in section.table.primary_key.columns)
            if key in seen:
                shown = key[0] if len(key) == 1 else key
                raise _refuse(
                    f"Section '{section.name}', items {seen[key]} and {i + 1} have the same id {shown!r}; "
                    "ids must be unique."
                )
            seen[key] = i + 1
            parsed.append(_row_in(section, row))
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
