"""ML coding: attempts and the reference solutions' cached performance figures.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("problem_id", sa.String(60), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
        sa.Column("elapsed_s", sa.Float, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("perf", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_code_attempt_problem_id", "code_attempt", ["problem_id"])
    op.create_table(
        "code_reference_perf",
        sa.Column("problem_id", sa.String(60), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("ms", sa.Float, nullable=False),
        sa.Column("peak_bytes", sa.Integer, nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("code_reference_perf")
    op.drop_index("ix_code_attempt_problem_id", table_name="code_attempt")
    op.drop_table("code_attempt")
