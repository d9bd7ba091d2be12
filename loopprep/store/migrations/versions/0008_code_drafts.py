"""Code drafts: the code of a run or submit the judge could not grade (busy or failed), one per problem.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

A judge failure is never recorded as an attempt; the code is kept here instead, and the next
graded attempt at the problem deletes it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_draft",
        sa.Column("problem_id", sa.String(60), primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("code_draft")
