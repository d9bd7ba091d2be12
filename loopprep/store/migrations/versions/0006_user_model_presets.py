"""User model presets move from files under DATA_DIR/models into the database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

The files themselves are read once by ``services.estimate.import_model_files`` when the
context opens (a migration does not know the data directory); they are left in place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_model_preset",
        sa.Column("id", sa.String(70), primary_key=True),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("user_model_preset")
