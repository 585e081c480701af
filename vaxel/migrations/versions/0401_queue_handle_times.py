"""Queue: recent handle times, so the wait estimate survives a restart.

Revision ID: 0401
Revises: 0400
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db

revision = "0401"
down_revision = "0400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_handle_times",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("ended_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_queue_handle_times_queue_ended_at", "queue_handle_times", ["queue", "ended_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_queue_handle_times_queue_ended_at", table_name="queue_handle_times")
    op.drop_table("queue_handle_times")
