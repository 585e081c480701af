"""Handoff: the state of every follow-the-call (for restarts) and messages with deadlines.

Revision ID: 0500
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db

revision = "0500"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    utc = vaxel.db.UtcDateTime(timezone=True)
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("state_kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("caller_channel", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("telephonist", sa.String(length=40), nullable=False),
        sa.Column("telephonist_channel", sa.String(length=64), nullable=True),
        sa.Column("target_channel", sa.String(length=64), nullable=True),
        sa.Column("legs", sa.Text(), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index("ix_handoffs_done", "handoffs", ["done"], unique=False)
    op.create_table(
        "handoff_messages",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("caller_name", sa.String(length=200), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("target_unit", sa.String(length=120), nullable=False),
        sa.Column("target_person", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=300), nullable=True),
        sa.Column("deadline", utc, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", utc, nullable=True),
        sa.Column("next_attempt_at", utc, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("handled_at", utc, nullable=True),
        sa.Column("escalated_at", utc, nullable=True),
        sa.Column("recording", sa.String(length=200), nullable=True),
        sa.Column("handoff_id", sa.String(length=40), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_handoff_messages")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_handoff_messages_token_hash")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_handoff_messages_year")),
    )
    op.create_index("ix_handoff_messages_year", "handoff_messages", ["year"], unique=False)
    op.create_index("ix_handoff_messages_deadline", "handoff_messages", ["deadline"])
    op.create_index("ix_handoff_messages_status", "handoff_messages", ["status"])


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
