"""The import's side of the store: what the CSV owns per person, and applying a plan."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from vaxel.directory.importer import ImportedPerson, ImportPlan, StoredPerson, slug
from vaxel.directory.model import MessageChannel
from vaxel.directory.store import (
    IMPORT_KEYWORD_PRIORITY,
    DepartmentRow,
    GroupRow,
    KeywordRow,
    PersonRow,
    UnitRow,
)


def import_state(sessions: sessionmaker) -> dict[str, StoredPerson]:
    with sessions() as session:
        keywords: dict[str, list[str]] = {}
        for person_id, term in session.execute(
            select(KeywordRow.person_id, KeywordRow.term)
            .where(KeywordRow.source == "import", KeywordRow.person_id.is_not(None))
            .order_by(KeywordRow.id)
        ).tuples():
            keywords.setdefault(person_id or "", []).append(term)
        return {
            r.id: StoredPerson(_imported(r, tuple(keywords.get(r.id, ()))), r.active)
            for r in session.scalars(select(PersonRow))
        }


def apply_import(session: Session, plan: ImportPlan) -> None:
    """The store's version of importer.apply_plan, inside the caller's transaction."""
    for row in plan.create:
        _upsert_person(session, row, created=True)
    for change in plan.update:
        _upsert_person(session, change.after, created=False)
    if plan.deactivate:
        session.execute(
            update(PersonRow).where(PersonRow.id.in_(plan.deactivate)).values(active=False)
        )


def _imported(r: PersonRow, keywords: tuple[str, ...]) -> ImportedPerson:
    return ImportedPerson(
        employee_id=r.id,
        name=r.name,
        title=r.title,
        department=r.department_name,
        unit=r.unit_name,
        group=r.group_name,
        extension=r.extension,
        mobile=r.mobile,
        email=r.email,
        number_hidden=r.number_hidden,
        keywords=keywords,
        message_channel=MessageChannel(r.message_channel),
    )


def _upsert_person(session: Session, row: ImportedPerson, *, created: bool) -> None:
    # Ids are slugs of the names, as in importer.directory_from_rows: the export has no
    # organisation ids, and the slug keeps a unit's id stable across imports.
    department_id = slug(row.department)
    if session.get(DepartmentRow, department_id) is None:
        session.add(DepartmentRow(id=department_id, name=row.department))
    unit_id = slug(row.department, row.unit)
    if session.get(UnitRow, unit_id) is None:
        session.add(UnitRow(id=unit_id, name=row.unit, department_id=department_id))
    group_id = slug(row.department, row.unit, row.group) if row.group else None
    if group_id and session.get(GroupRow, group_id) is None:
        session.add(GroupRow(id=group_id, name=row.group, unit_id=unit_id))
    session.flush()
    values = dict(
        name=row.name, title=row.title, department_name=row.department, unit_name=row.unit,
        group_name=row.group, unit_id=unit_id, group_id=group_id, extension=row.extension,
        mobile=row.mobile, email=row.email, number_hidden=row.number_hidden,
        message_channel=row.message_channel.value, active=True,
    )  # fmt: skip
    person = None if created else session.get(PersonRow, row.employee_id)
    if person is None:
        session.add(PersonRow(id=row.employee_id, **values))
    else:
        for key, value in values.items():
            setattr(person, key, value)
    session.flush()
    session.execute(
        delete(KeywordRow).where(
            KeywordRow.person_id == row.employee_id, KeywordRow.source == "import"
        )
    )
    for term in row.keywords:
        session.add(KeywordRow(term=term, priority=IMPORT_KEYWORD_PRIORITY,
                               person_id=row.employee_id, source="import"))  # fmt: skip
