"""The directory's tables and queries: organisation, people, keywords and what people set.

Rows are translated into the pure model types at this boundary, so the service and the
search never see SQLAlchemy objects. Phone hours are stored as JSON in the site file's
shape ({"mon": ["10:00-12:00"]}); a schedule is either a person's own or shared by a unit
or a group (own > group > unit).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from vaxel.db import Base, UtcDateTime
from vaxel.directory.importer import (
    Directory,
    ImportPlan,
    StoredPerson,
)
from vaxel.directory.model import (
    WEEKDAYS,
    Absence,
    ClosedExtension,
    Department,
    Forward,
    ForwardKind,
    Group,
    Keyword,
    MessageChannel,
    Person,
    PersonSettings,
    PhoneHours,
    TargetKind,
    Unit,
    ValidTarget,
    parse_period,
    parse_weekly,
)

IMPORT_KEYWORD_PRIORITY = 50


class DepartmentRow(Base):
    __tablename__ = "dir_departments"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class ScheduleRow(Base):
    """Weekly windows plus dated exceptions (a date with no windows: no phone hours)."""

    __tablename__ = "dir_schedules"
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    weekly: Mapped[str] = mapped_column(Text, default="{}")
    exceptions: Mapped[str] = mapped_column(Text, default="{}")


class UnitRow(Base):
    __tablename__ = "dir_units"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[str] = mapped_column(ForeignKey("dir_departments.id"))
    schedule_id: Mapped[str | None] = mapped_column(ForeignKey("dir_schedules.id"))


class GroupRow(Base):
    __tablename__ = "dir_groups"
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[str] = mapped_column(ForeignKey("dir_units.id"))
    schedule_id: Mapped[str | None] = mapped_column(ForeignKey("dir_schedules.id"))


class PersonRow(Base):
    __tablename__ = "dir_people"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the HR employee id
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    department_name: Mapped[str] = mapped_column(String(200), default="")
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    group_name: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[str] = mapped_column(ForeignKey("dir_units.id"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("dir_groups.id"))
    # Not unique: a deactivated person's extension may be given to a newcomer.
    extension: Mapped[str] = mapped_column(String(6), index=True)
    desk_endpoint: Mapped[str | None] = mapped_column(String(60))
    mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    number_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    message_channel: Mapped[str] = mapped_column(String(20), default="email")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule_id: Mapped[str | None] = mapped_column(ForeignKey("dir_schedules.id"))


class KeywordRow(Base):
    __tablename__ = "dir_keywords"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(String(200))
    priority: Mapped[int] = mapped_column(Integer, default=50)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("dir_people.id"), index=True)
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("dir_units.id"))
    # "import" keywords are replaced by every import; "manual" ones are kept.
    source: Mapped[str] = mapped_column(String(20), default="import")


class AbsenceRow(Base):
    __tablename__ = "dir_absences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("dir_people.id"), index=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")
    return_message: Mapped[str] = mapped_column(String(500), default="")


class ForwardRow(Base):
    __tablename__ = "dir_forwards"
    person_id: Mapped[str] = mapped_column(ForeignKey("dir_people.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_value: Mapped[str] = mapped_column(String(40), default="")


class ClosedRow(Base):
    __tablename__ = "dir_closed"
    person_id: Mapped[str] = mapped_column(ForeignKey("dir_people.id"), primary_key=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(200), default="")
    breakthrough_allowed: Mapped[bool] = mapped_column(Boolean, default=False)


class VersionRow(Base):
    """Bumped on every change, so other processes (the controller) know to reload."""

    __tablename__ = "dir_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


# --- phone hours <-> JSON ------------------------------------------------------------------


@dataclass(frozen=True)
class HoursText:
    """Phone hours as people write them: {"mon": ["10:00-12:00"]} and dated exceptions."""

    weekly: Mapping[str, Sequence[str]]
    exceptions: Mapping[date, Sequence[str]]

    def to_model(self) -> PhoneHours:
        return PhoneHours(
            parse_weekly({d: list(p) for d, p in self.weekly.items() if p}),
            {day: tuple(parse_period(p) for p in ps) for day, ps in self.exceptions.items()},
        )


def _hours_from_row(row: ScheduleRow) -> HoursText:
    weekly = {d: list(v) for d, v in json.loads(row.weekly or "{}").items() if d in WEEKDAYS}
    exceptions = {date.fromisoformat(d): list(v) for d, v in json.loads(row.exceptions).items()}
    return HoursText(weekly, exceptions)


class DirectoryStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    # --- reading ---------------------------------------------------------------------
    def version(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(VersionRow.version).where(VersionRow.id == 1)) or 0

    def load(self) -> Directory:
        """Everything the search index needs; people include the deactivated ones."""
        with self._sessions() as session:
            departments = tuple(
                Department(r.id, r.name) for r in session.scalars(select(DepartmentRow))
            )
            units = tuple(
                Unit(r.id, r.name, r.department_id) for r in session.scalars(select(UnitRow))
            )
            groups = tuple(
                Group(r.id, r.name, r.unit_id) for r in session.scalars(select(GroupRow))
            )
            people = tuple(_person(r) for r in session.scalars(select(PersonRow)))
            keywords = tuple(
                Keyword(r.term, r.priority, person_id=r.person_id, unit_id=r.unit_id)
                for r in session.scalars(select(KeywordRow))
            )
        return Directory(departments, units, groups, people, keywords)

    def hours_text(self, person_id: str) -> tuple[HoursText | None, str]:
        """The person's effective phone hours and where they come from: own/group/unit/none."""
        with self._sessions() as session:
            return self._effective_hours(session, person_id)

    def settings(self, person_ids: Iterable[str] | None = None) -> dict[str, PersonSettings]:
        with self._sessions() as session:
            query = select(PersonRow.id)
            if person_ids is not None:
                query = query.where(PersonRow.id.in_(list(person_ids)))
            ids = list(session.scalars(query))
            absences: dict[str, list[Absence]] = {}
            for a in session.scalars(select(AbsenceRow).where(AbsenceRow.person_id.in_(ids))):
                absences.setdefault(a.person_id, []).append(
                    Absence(a.start, a.end, a.reason, a.return_message)
                )
            forwards: dict[str, list[Forward]] = {}
            for f in session.scalars(select(ForwardRow).where(ForwardRow.person_id.in_(ids))):
                target = ValidTarget(TargetKind(f.target_kind), f.target_value)
                forwards.setdefault(f.person_id, []).append(Forward(ForwardKind(f.kind), target))
            closed = {
                c.person_id: ClosedExtension(c.since, c.by, c.reason, c.breakthrough_allowed)
                for c in session.scalars(select(ClosedRow).where(ClosedRow.person_id.in_(ids)))
            }
            hours = self._all_hours(session, ids)
        return {
            pid: PersonSettings(
                phone_hours=hours.get(pid),
                absences=tuple(sorted(absences.get(pid, []), key=lambda a: a.start)),
                forwards=tuple(forwards.get(pid, [])),
                closed=closed.get(pid),
            )
            for pid in ids
        }

    def absences(self, person_id: str) -> list[tuple[int, Absence]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(AbsenceRow)
                .where(AbsenceRow.person_id == person_id)
                .order_by(AbsenceRow.start)
            )
            return [(r.id, Absence(r.start, r.end, r.reason, r.return_message)) for r in rows]

    def _all_hours(self, session: Session, ids: list[str]) -> dict[str, PhoneHours]:
        schedules = {
            r.id: _hours_from_row(r).to_model() for r in session.scalars(select(ScheduleRow))
        }
        unit_schedule = dict(
            session.execute(select(UnitRow.id, UnitRow.schedule_id)).tuples().all()
        )
        group_schedule = dict(
            session.execute(select(GroupRow.id, GroupRow.schedule_id)).tuples().all()
        )
        found: dict[str, PhoneHours] = {}
        rows = session.execute(
            select(
                PersonRow.id, PersonRow.schedule_id, PersonRow.group_id, PersonRow.unit_id
            ).where(PersonRow.id.in_(ids))
        )
        for pid, own, group_id, unit_id in rows.tuples():
            schedule_id = own or group_schedule.get(group_id or "") or unit_schedule.get(unit_id)
            if schedule_id in schedules:
                found[pid] = schedules[schedule_id]
        return found

    def _effective_hours(self, session: Session, person_id: str) -> tuple[HoursText | None, str]:
        person = session.get(PersonRow, person_id)
        if person is None:
            return None, "none"
        group = session.get(GroupRow, person.group_id) if person.group_id else None
        unit = session.get(UnitRow, person.unit_id)
        for source, schedule_id in (
            ("own", person.schedule_id),
            ("group", group.schedule_id if group else None),
            ("unit", unit.schedule_id if unit else None),
        ):
            if schedule_id:
                row = session.get(ScheduleRow, schedule_id)
                if row is not None:
                    return _hours_from_row(row), source
        return None, "none"

    # --- writing settings --------------------------------------------------------------
    def set_own_hours(self, person_id: str, hours: HoursText | None) -> None:
        with self._sessions.begin() as session:
            _own_hours(session, _require(session, person_id), hours)
            _bump(session)

    def set_shared_hours(self, owner: str, owner_id: str, hours: HoursText | None) -> None:
        """Shared phone hours of a unit or a group (e.g. building permits weekdays 10-12)."""
        table = UnitRow if owner == "unit" else GroupRow
        schedule_id = f"{owner}:{owner_id}"
        with self._sessions.begin() as session:
            row = session.get(table, owner_id)
            if row is None:
                raise KeyError(owner_id)
            if hours is None:
                row.schedule_id = None
                session.flush()
                session.execute(delete(ScheduleRow).where(ScheduleRow.id == schedule_id))
            else:
                _put_schedule(session, schedule_id, row.name, hours)
                row.schedule_id = schedule_id
            _bump(session)

    def set_forward(self, person_id: str, kind: ForwardKind, target: ValidTarget | None) -> None:
        with self._sessions.begin() as session:
            _require(session, person_id)
            _forward(session, person_id, kind, target)
            _bump(session)

    def set_absence(self, person_id: str, absence: Absence | None) -> None:
        """One absence per person through the pages and the API: a new one replaces it."""
        with self._sessions.begin() as session:
            _require(session, person_id)
            _absence(session, person_id, absence)
            _bump(session)

    def set_closed(self, person_id: str, closed: ClosedExtension | None) -> None:
        with self._sessions.begin() as session:
            _require(session, person_id)
            _closed(session, person_id, closed)
            _bump(session)

    def replace_settings(
        self,
        person_id: str,
        *,
        hours: HoursText | None,
        forwards: Mapping[ForwardKind, ValidTarget],
        absence: Absence | None,
        closed: ClosedExtension | None,
    ) -> None:
        """All of a person's settings at once, in one transaction: all or nothing."""
        with self._sessions.begin() as session:
            _own_hours(session, _require(session, person_id), hours)
            for kind in ForwardKind:
                _forward(session, person_id, kind, forwards.get(kind))
            _absence(session, person_id, absence)
            _closed(session, person_id, closed)
            _bump(session)

    # --- import (the queries live in store_import.py) ------------------------------------
    def import_state(self) -> dict[str, StoredPerson]:
        from vaxel.directory.store_import import import_state

        return import_state(self._sessions)

    def apply_import(self, plan: ImportPlan) -> None:
        from vaxel.directory.store_import import apply_import

        with self._sessions.begin() as session:
            apply_import(session, plan)
            _bump(session)


def _require(session: Session, person_id: str) -> PersonRow:
    person = session.get(PersonRow, person_id)
    if person is None:
        raise KeyError(person_id)
    return person


def _own_hours(session: Session, person: PersonRow, hours: HoursText | None) -> None:
    schedule_id = f"person:{person.id}"
    if hours is None:
        person.schedule_id = None
        session.flush()
        session.execute(delete(ScheduleRow).where(ScheduleRow.id == schedule_id))
    else:
        _put_schedule(session, schedule_id, person.name, hours)
        person.schedule_id = schedule_id


def _forward(session: Session, person_id: str, kind: ForwardKind, to: ValidTarget | None) -> None:
    session.execute(
        delete(ForwardRow).where(ForwardRow.person_id == person_id, ForwardRow.kind == kind)
    )
    if to is not None:
        session.add(ForwardRow(person_id=person_id, kind=kind.value, target_kind=to.kind.value,
                               target_value=to.value))  # fmt: skip


def _absence(session: Session, person_id: str, absence: Absence | None) -> None:
    session.execute(delete(AbsenceRow).where(AbsenceRow.person_id == person_id))
    if absence is not None:
        session.add(AbsenceRow(person_id=person_id, start=absence.start, end=absence.end,
                               reason=absence.reason, return_message=absence.return_message))  # fmt: skip


def _closed(session: Session, person_id: str, closed: ClosedExtension | None) -> None:
    session.execute(delete(ClosedRow).where(ClosedRow.person_id == person_id))
    if closed is not None:
        session.add(ClosedRow(person_id=person_id, since=closed.since, by=closed.by,
                              reason=closed.reason,
                              breakthrough_allowed=closed.breakthrough_allowed))  # fmt: skip


def _bump(session: Session) -> None:
    row = session.get(VersionRow, 1)
    if row is None:
        session.add(VersionRow(id=1, version=1))
    else:
        row.version += 1


def _put_schedule(session: Session, schedule_id: str, name: str, hours: HoursText) -> None:
    hours.to_model()  # refuse anything the model would refuse, before it is stored
    weekly = json.dumps({d: list(p) for d, p in hours.weekly.items() if p})
    exceptions = json.dumps({d.isoformat(): list(p) for d, p in sorted(hours.exceptions.items())})
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        session.add(ScheduleRow(id=schedule_id, name=name, weekly=weekly, exceptions=exceptions))
    else:
        row.name, row.weekly, row.exceptions = name, weekly, exceptions
    # No relationship() tells the unit of work the order, so the schedule goes in first.
    session.flush()


def _person(r: PersonRow) -> Person:
    return Person(
        id=r.id,
        name=r.name,
        title=r.title,
        unit_id=r.unit_id,
        extension=r.extension,
        desk_endpoint=r.desk_endpoint,
        mobile=r.mobile,
        email=r.email,
        number_hidden=r.number_hidden,
        message_channel=MessageChannel(r.message_channel),
        group_id=r.group_id,
        active=r.active,
    )
