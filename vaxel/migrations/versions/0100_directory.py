"""Staff directory: organisation, people, keywords, phone hours, absences, forwards, closed
extensions, and a version counter that tells other processes to reload.

Revision ID: 0100
Revises: 0002
Create Date: 2026-11-23 14:43:47.640538
"""

import sqlalchemy as sa
from alembic import op

import vaxel.db


revision = "0100"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dir_departments",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_departments")),
    )
    op.create_table(
        "dir_schedules",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weekly", sa.Text(), nullable=False),
        sa.Column("exceptions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_schedules")),
    )
    op.create_table(
        "dir_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_version")),
    )
    op.create_table(
        "dir_units",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.String(length=120), nullable=False),
        sa.Column("schedule_id", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["dir_departments.id"],
            name=op.f("fk_dir_units_department_id_dir_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["dir_schedules.id"],
            name=op.f("fk_dir_units_schedule_id_dir_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_units")),
    )
    op.create_table(
        "dir_groups",
        sa.Column("id", sa.String(length=160), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.String(length=120), nullable=False),
        sa.Column("schedule_id", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["dir_schedules.id"],
            name=op.f("fk_dir_groups_schedule_id_dir_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["dir_units.id"], name=op.f("fk_dir_groups_unit_id_dir_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_groups")),
    )
    op.create_table(
        "dir_people",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department_name", sa.String(length=200), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.String(length=120), nullable=False),
        sa.Column("group_id", sa.String(length=160), nullable=True),
        sa.Column("extension", sa.String(length=6), nullable=False),
        sa.Column("desk_endpoint", sa.String(length=60), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("number_hidden", sa.Boolean(), nullable=False),
        sa.Column("message_channel", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("schedule_id", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["dir_groups.id"], name=op.f("fk_dir_people_group_id_dir_groups")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["dir_schedules.id"],
            name=op.f("fk_dir_people_schedule_id_dir_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["dir_units.id"], name=op.f("fk_dir_people_unit_id_dir_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_people")),
    )
    with op.batch_alter_table("dir_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_people_extension"), ["extension"], unique=False)

    op.create_table(
        "dir_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("start", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("end", vaxel.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("return_message", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_absences_person_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_absences")),
    )
    with op.batch_alter_table("dir_absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_absences_person_id"), ["person_id"], unique=False)

    op.create_table(
        "dir_closed",
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("since", vaxel.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("breakthrough_allowed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_closed_person_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_dir_closed")),
    )
    op.create_table(
        "dir_forwards",
        sa.Column("person_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_value", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_forwards_person_id_dir_people")
        ),
        sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("pk_dir_forwards")),
    )
    op.create_table(
        "dir_keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.String(length=120), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["dir_people.id"], name=op.f("fk_dir_keywords_person_id_dir_people")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["dir_units.id"], name=op.f("fk_dir_keywords_unit_id_dir_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_keywords")),
    )
    with op.batch_alter_table("dir_keywords", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_keywords_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dir_keywords", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_keywords_person_id"))

    op.drop_table("dir_keywords")
    op.drop_table("dir_forwards")
    op.drop_table("dir_closed")
    with op.batch_alter_table("dir_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_absences_person_id"))

    op.drop_table("dir_absences")
    with op.batch_alter_table("dir_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dir_people_extension"))

    op.drop_table("dir_people")
    op.drop_table("dir_groups")
    op.drop_table("dir_units")
    op.drop_table("dir_version")
    op.drop_table("dir_schedules")
    op.drop_table("dir_departments")
