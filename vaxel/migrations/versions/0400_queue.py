"""Queue: entries (callers and callbacks) and telephonist states, for restart safety.

Revision ID: 0400
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db

revision = "0400"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_entries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entered_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("office", sa.String(length=40), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("offered_to", sa.String(length=40), nullable=True),
        sa.Column("returned_reason", sa.String(length=40), nullable=True),
        sa.Column("returned_whisper", sa.String(length=200), nullable=True),
        sa.Column("returned_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("returned_to", sa.String(length=40), nullable=True),
        sa.Column("queued_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("left_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("left_reason", sa.String(length=32), nullable=True),
        sa.Column("answered_by", sa.String(length=40), nullable=True),
        sa.Column("wrapup_code", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_entries")),
    )
    op.create_index("ix_queue_entries_queue", "queue_entries", ["queue"], unique=False)
    op.create_index("ix_queue_entries_left_at", "queue_entries", ["left_at"], unique=False)
    op.create_table(
        "queue_telephonists",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("until", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("idle_since", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("updated_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_telephonists")),
    )


def downgrade() -> None:
    op.drop_table("queue_telephonists")
    op.drop_index("ix_queue_entries_left_at", table_name="queue_entries")
    op.drop_index("ix_queue_entries_queue", table_name="queue_entries")
    op.drop_table("queue_entries")
