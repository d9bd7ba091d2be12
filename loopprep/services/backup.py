"""Export all the user's data to one JSON document; import it back, never merging."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from loopprep import __version__
from loopprep.services.context import AppContext
from loopprep.store import backup
from loopprep.store.backup import describe_counts as describe_counts  # the CLI states counts with it


class ImportPlan(BaseModel):
    version: int
    incoming: dict[str, int]
    incoming_text: str
    existing: dict[str, int]
    existing_text: str
    would_overwrite: bool


class ImportResult(BaseModel):
    imported: dict[str, int]
    imported_text: str
    replaced: str | None


def export_document(ctx: AppContext, *, now: dt.datetime) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        return backup.export_data(conn, now=now, app_version=__version__)


def _parse(raw_text: str) -> backup.ParsedExport:
    """Parse and validate a whole export; model presets are checked as the calculators read them."""
    from loopprep.errors import BackupError, InvalidInput
    from loopprep.services.user_models import model_from_config

    parsed = backup.parse_export(raw_text)
    for i, row in enumerate(parsed.rows["user_models"]):
        try:
            model_from_config(row["config"], model_id=row["id"], source="import")
        except InvalidInput as exc:
            raise BackupError(
                f"Section 'user_models', item {i + 1}, field 'config': {exc.message}",
                "Use a file written by `loopprep export`. Nothing was changed.",
            ) from None
    return parsed


def plan_import(ctx: AppContext, raw_text: str) -> ImportPlan:
    """Validate the file and say what it holds and what it would overwrite; writes nothing."""
    parsed = _parse(raw_text)
    with ctx.engine.connect() as conn:
        existing = backup.existing_counts(conn)
    return ImportPlan(
        version=parsed.version,
        incoming=parsed.counts(),
        incoming_text=backup.describe_counts(parsed.counts()),
        existing=existing,
        existing_text=backup.describe_counts(existing),
        would_overwrite=any(existing.values()),
    )


def import_document(ctx: AppContext, raw_text: str, *, replace: bool) -> ImportResult:
    """Import in one transaction: all of it, or (on any error) nothing."""
    parsed = _parse(raw_text)
    with ctx.engine.begin() as conn:
        existing = backup.existing_counts(conn)
        backup.apply_import(conn, parsed, replace=replace)
    return ImportResult(
        imported=parsed.counts(),
        imported_text=backup.describe_counts(parsed.counts()),
        replaced=backup.describe_counts(existing) if any(existing.values()) else None,
    )
