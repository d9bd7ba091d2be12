"""Foundation: the profile, store metadata and the full-text search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("company_types", sa.JSON, nullable=False),
        sa.Column("loop_date", sa.Date, nullable=False),
        sa.Column("target_companies", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "kind UNINDEXED, ref UNINDEXED, url UNINDEXED, title, body, "
            "tokenize='porter unicode61')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index ("
            " id SERIAL PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, url TEXT NOT NULL,"
            " title TEXT NOT NULL, body TEXT NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('english', title), 'A') ||"
            "  setweight(to_tsvector('english', body), 'B')) STORED)"
        )
        op.execute("CREATE INDEX search_index_tsv ON search_index USING GIN (tsv)")


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    op.drop_table("store_meta")
    op.drop_table("profile")
