"""Estimation kit: drill attempts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "estimate_drill_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("answer", sa.Float, nullable=False),
        sa.Column("truth", sa.Float, nullable=False),
        sa.Column("ratio", sa.Float, nullable=False),
        sa.Column("grade", sa.String(10), nullable=False),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_estimate_drill_attempt_answered_at", "estimate_drill_attempt", ["answered_at"])


def downgrade() -> None:
    op.drop_index("ix_estimate_drill_attempt_answered_at", table_name="estimate_drill_attempt")
    op.drop_table("estimate_drill_attempt")
