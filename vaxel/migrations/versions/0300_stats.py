"""Statistics: caller-view contacts, labelled events, daily rollups, reconcile checkpoints.

Revision ID: 0300
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db

revision = "0300"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stats_contacts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("started_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("ended_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("number_e164", sa.String(32), nullable=True),
        sa.Column("number_dialled", sa.String(40), nullable=False),
        sa.Column("number_kind", sa.String(16), nullable=False),
        sa.Column("opening", sa.String(8), nullable=False),
        sa.Column("caller", sa.String(64), nullable=True),
        sa.Column("caller_pseudonymised", sa.Boolean(), nullable=False),
        sa.Column("wrap_up", sa.String(32), nullable=True),
        sa.Column("wrap_up_by", sa.String(80), nullable=True),
        sa.Column("wrap_up_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("header_source", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_contacts")),
    )
    op.create_index("ix_stats_contacts_started_at", "stats_contacts", ["started_at"])
    op.create_index("ix_stats_contacts_day", "stats_contacts", ["day", "number_dialled"])
    op.create_table(
        "stats_labels",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("contact_id", sa.String(64), nullable=False),
        sa.Column("ref", sa.String(80), nullable=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_stats_labels")),
    )
    op.create_index("ix_stats_labels_contact_id", "stats_labels", ["contact_id"])
    op.create_index("ix_stats_labels_ref", "stats_labels", ["ref"])
    op.create_table(
        "stats_rollups",
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day", "number", name=op.f("pk_stats_rollups")),
    )
    op.create_table(
        "stats_dirty_days",
        sa.Column("day", sa.String(10), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_stats_dirty_days")),
    )
    op.create_table(
        "stats_checkpoints",
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_stats_checkpoints")),
    )


def downgrade() -> None:
    op.drop_table("stats_checkpoints")
    op.drop_table("stats_dirty_days")
    op.drop_table("stats_rollups")
    op.drop_index("ix_stats_labels_ref", "stats_labels")
    op.drop_index("ix_stats_labels_contact_id", "stats_labels")
    op.drop_table("stats_labels")
    op.drop_index("ix_stats_contacts_day", "stats_contacts")
    op.drop_index("ix_stats_contacts_started_at", "stats_contacts")
    op.drop_table("stats_contacts")
