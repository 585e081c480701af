"""IVR: disruption notices, manual opening-hours overrides, closed-hours callback requests.

Revision ID: 0200
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db

revision = "0200"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ivr_disruptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_sv", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("recording", sa.String(length=500), nullable=True),
        sa.Column("numbers", sa.String(length=1000), nullable=False),
        sa.Column("starts_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_disruptions")),
    )
    op.create_table(
        "ivr_overrides",
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("until", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("destination", sa.String(length=80), nullable=True),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.Column("set_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", name=op.f("pk_ivr_overrides")),
    )
    op.create_table(
        "ivr_callback_requests",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_ivr_callback_requests")),
    )
    op.create_index(
        "ix_ivr_callback_requests_requested_at",
        "ivr_callback_requests",
        ["requested_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ivr_callback_requests_requested_at", table_name="ivr_callback_requests")
    op.drop_table("ivr_callback_requests")
    op.drop_table("ivr_overrides")
    op.drop_table("ivr_disruptions")
