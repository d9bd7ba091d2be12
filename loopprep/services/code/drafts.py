"""Code drafts: what a run or submit sent when the judge could not grade it.

A judge failure (busy, could not start, failed mid-run) is loopprep's fault, so it never counts as
an attempt; the user's code is kept as the problem's draft instead (one per problem, the newest
wins) and the next graded attempt deletes it, in the attempt's own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from loopprep.services.context import AppContext
from loopprep.store.tables import code_draft

DraftReason = Literal["judge-busy", "judge-error"]
DRAFT_REASONS: dict[str, str] = {
    "judge-busy": "the judge was busy",
    "judge-error": "the judge failed",
}


class DraftView(BaseModel):
    code: str
    saved_at: dt.datetime = Field(description="When the code was saved (UTC).")
    reason: DraftReason = Field(description="judge-busy or judge-error: why it could not be graded.")


def as_utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def save_draft(conn: Connection, problem_id: str, code: str, *, reason: DraftReason, now: dt.datetime) -> None:
    """Keep ``code`` as the problem's draft, replacing an older one (a single-statement upsert)."""
    values = {"problem_id": problem_id, "code": code, "saved_at": now, "reason": reason}
    ins = pg_insert(code_draft) if conn.dialect.name == "postgresql" else sqlite_insert(code_draft)
    conn.execute(
        ins.values(**values).on_conflict_do_update(
            index_elements=[code_draft.c.problem_id],
            set_={"code": code, "saved_at": now, "reason": reason},
        )
    )


def clear_draft(conn: Connection, problem_id: str, *, now: dt.datetime) -> None:
    """Delete the problem's draft if it was saved at or before ``now`` (when the graded attempt
    started): a later attempt supersedes it, one that started before it (a slow run finishing
    after a busy refusal) does not."""
    conn.execute(delete(code_draft).where(code_draft.c.problem_id == problem_id, code_draft.c.saved_at <= now))


def get_draft(ctx: AppContext, problem_id: str) -> DraftView | None:
    """The problem's draft, or None."""
    with ctx.engine.connect() as conn:
        row = conn.execute(select(code_draft).where(code_draft.c.problem_id == problem_id)).first()
    if row is None:
        return None
    reason: DraftReason = "judge-busy" if row.reason == "judge-busy" else "judge-error"
    return DraftView(code=row.code, saved_at=as_utc(row.saved_at), reason=reason)


def describe_draft(draft: DraftView) -> str:
    """One line for a page or a terminal: when and why the draft was saved."""
    return f"saved {draft.saved_at:%Y-%m-%d %H:%M} UTC because {DRAFT_REASONS[draft.reason]}"
