"""The user's data.  Changed only through Alembic migrations (``store/migrations``)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

profile = Table(
    "profile",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("role", String(40), nullable=False),
    Column("level", String(20), nullable=False),
    Column("company_types", JSON, nullable=False),
    Column("loop_date", Date, nullable=False),
    Column("target_companies", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Key/value facts about the store itself (e.g. the digest of the content last indexed).
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(80), primary_key=True),
    Column("value", Text, nullable=False),
)

# The search index is dialect-specific (an FTS5 virtual table on SQLite, a table with a
# generated tsvector on PostgreSQL); it is created by the migration and used through
# store/search.py, so it is not declared here.
