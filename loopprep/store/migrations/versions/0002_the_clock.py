"""The Clock: study plans, tasks and their progress.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("weekday_minutes", sa.Integer, nullable=False),
        sa.Column("weekend_minutes", sa.Integer, nullable=False),
        sa.Column("days_off", sa.JSON, nullable=False),
        sa.Column("loop_rounds", sa.JSON, nullable=False),
        sa.Column("start_times", sa.JSON, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("alarm_minutes", sa.Integer, nullable=False),
        sa.Column("profile_snapshot", sa.JSON, nullable=False),
        sa.Column("notices", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_task",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("item_kind", sa.String(20), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("round", sa.String(40), nullable=True),
        sa.Column("new_material", sa.Boolean, nullable=False),
        sa.Column("at", sa.String(16), nullable=True),
        sa.Column("counts", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_plan_task_day", "plan_task", ["day"])


def downgrade() -> None:
    op.drop_index("ix_plan_task_day", table_name="plan_task")
    op.drop_table("plan_task")
    op.drop_table("plan_settings")
