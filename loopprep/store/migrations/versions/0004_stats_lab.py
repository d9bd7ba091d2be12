"""Stats lab: case attempts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_case_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(80), nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("checked", sa.JSON, nullable=False),
        sa.Column("checklist_total", sa.Integer, nullable=False),
        sa.Column("numeric", sa.JSON, nullable=False),
        sa.Column("numeric_correct", sa.Integer, nullable=False),
        sa.Column("numeric_total", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stats_case_attempt_case_id", "stats_case_attempt", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_stats_case_attempt_case_id", table_name="stats_case_attempt")
    op.drop_table("stats_case_attempt")
