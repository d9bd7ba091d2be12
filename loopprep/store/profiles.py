"""Reading and writing the profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from loopprep.domain import Profile
from loopprep.store.tables import profile as profile_table

PROFILE_ID = 1


def get_profile(conn: Connection) -> Profile | None:
    row = conn.execute(profile_table.select().where(profile_table.c.id == PROFILE_ID)).mappings().first()
    return None if row is None else profile_from_row(row)


def profile_from_row(row: Mapping[Any, Any]) -> Profile:
    """The profile held in a ``profile`` table row (keyed by column name)."""
    return Profile(
        role=row["role"],
        level=row["level"],
        company_types=row["company_types"],
        loop_date=row["loop_date"],
        target_companies=row["target_companies"],
    )


def save_profile(conn: Connection, profile: Profile, *, now: dt.datetime) -> None:
    values = {
        "role": profile.role.value,
        "level": profile.level.value,
        "company_types": [c.value for c in profile.company_types],
        "loop_date": profile.loop_date,
        "target_companies": list(profile.target_companies),
        "updated_at": now,
    }
    updated = conn.execute(profile_table.update().where(profile_table.c.id == PROFILE_ID).values(**values)).rowcount
    if not updated:
        conn.execute(profile_table.insert().values(id=PROFILE_ID, **values))
