"""The queue's tables: entries (callers and callbacks) and telephonist states.

Everything the queue needs to survive a kill -9 is here: entry times, the returned mark,
callback attempts, the telephonists' statuses and the recent handle times the wait
estimate is based on. Writes go through one worker thread in
submission order (see ``service.Persister``), so the last state written is the last state
decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from vaxel.db import Base, UtcDateTime
from vaxel.queue.model import Entry, EntryKind, EntryState, Language, Returned
from vaxel.queue.telephonists import (
    Available,
    LoggedOut,
    OnCall,
    Paused,
    Ringing,
    Status,
    Telephonist,
    Wrapup,
)


class EntryRow(Base):
    __tablename__ = "queue_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    queue: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    caller_number: Mapped[str | None] = mapped_column(String(32))
    office: Mapped[str | None] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    offered_to: Mapped[str | None] = mapped_column(String(40))
    returned_reason: Mapped[str | None] = mapped_column(String(40))
    returned_whisper: Mapped[str | None] = mapped_column(String(200))
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    returned_to: Mapped[str | None] = mapped_column(String(40))
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Set when the entry leaves the queue; open entries have neither.
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    left_reason: Mapped[str | None] = mapped_column(String(32))
    answered_by: Mapped[str | None] = mapped_column(String(40))
    wrapup_code: Mapped[str | None] = mapped_column(String(16))


class TelephonistRow(Base):
    __tablename__ = "queue_telephonists"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[str | None] = mapped_column(String(40))
    until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str | None] = mapped_column(String(80))
    idle_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    missed: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class HandleTimeRow(Base):
    """One answered call's talk plus wrap-up time: what the wait estimate is based on."""

    __tablename__ = "queue_handle_times"
    __table_args__ = (Index("ix_queue_handle_times_queue_ended_at", "queue", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(String(40))
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seconds: Mapped[float] = mapped_column(Float)


def entry_values(entry: Entry) -> dict[str, Any]:
    returned = entry.returned
    return {
        "queue": entry.queue,
        "kind": entry.kind.value,
        "entered_at": entry.entered_at,
        "channel_id": entry.channel_id,
        "call_id": entry.call_id,
        "language": entry.language,
        "caller_number": entry.caller_number,
        "office": entry.office,
        "state": entry.state.value,
        "offered_to": entry.offered_to,
        "returned_reason": returned.reason if returned else None,
        "returned_whisper": returned.whisper if returned else None,
        "returned_at": returned.at if returned else None,
        "returned_to": returned.preferred_telephonist if returned else None,
        "queued_at": entry.queued_at,
        "attempts": entry.attempts,
        "not_before": entry.not_before,
    }


def entry_of(row: EntryRow) -> Entry:
    returned = None
    if row.returned_at is not None:
        returned = Returned(
            row.returned_reason or "", row.returned_whisper or "", row.returned_at, row.returned_to
        )
    language: Language = "en" if row.language == "en" else "sv"
    return Entry(
        id=row.id,
        queue=row.queue,
        entered_at=row.entered_at,
        kind=EntryKind(row.kind),
        channel_id=row.channel_id,
        call_id=row.call_id,
        language=language,
        caller_number=row.caller_number,
        office=row.office,
        state=EntryState(row.state),
        offered_to=row.offered_to,
        returned=returned,
        queued_at=row.queued_at,
        attempts=row.attempts,
        not_before=row.not_before,
    )


def status_values(status: Status) -> dict[str, Any]:
    match status:
        case Ringing(entry_id, deadline):
            return {"status": "ringing", "entry_id": entry_id, "until": deadline, "reason": None}
        case OnCall(entry_id):
            return {"status": "on_call", "entry_id": entry_id, "until": None, "reason": None}
        case Wrapup(until):
            return {"status": "wrapup", "entry_id": None, "until": until, "reason": None}
        case Paused(reason):
            return {"status": "paused", "entry_id": None, "until": None, "reason": reason}
        case Available():
            return {"status": "available", "entry_id": None, "until": None, "reason": None}
    return {"status": "logged_out", "entry_id": None, "until": None, "reason": None}


def status_of(row: TelephonistRow) -> Status:
    match row.status:
        case "ringing" if row.entry_id and row.until:
            return Ringing(row.entry_id, row.until)
        case "on_call" if row.entry_id:
            return OnCall(row.entry_id)
        case "wrapup" if row.until:
            return Wrapup(row.until)
        case "paused":
            return Paused(row.reason or "")
        case "available":
            return Available()
    return LoggedOut()


class QueueStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def save_entry(self, entry: Entry) -> None:
        with self.sessions.begin() as session:
            row = session.get(EntryRow, entry.id)
            values = entry_values(entry)
            if row is None:
                session.add(EntryRow(id=entry.id, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)

    def leave(
        self, entry: Entry, *, at: datetime, reason: str, answered_by: str | None = None
    ) -> None:
        with self.sessions.begin() as session:
            row = session.get(EntryRow, entry.id)
            if row is None:
                row = EntryRow(id=entry.id, **entry_values(entry))
                session.add(row)
            else:  # e.g. a callback's last attempt, counted as it gives up
                for key, value in entry_values(entry).items():
                    setattr(row, key, value)
            row.left_at, row.left_reason, row.answered_by = at, reason, answered_by

    def set_wrapup_code(self, entry_id: str, code: str) -> tuple[str, str] | None:
        """The entry's queue and contact, for the labelled event; None if it is gone."""
        with self.sessions.begin() as session:
            row = session.get(EntryRow, entry_id)
            if row is None:
                return None
            row.wrapup_code = code
            return row.queue, row.call_id or row.id

    def open_entries(self) -> list[Entry]:
        with self.sessions() as session:
            rows = session.scalars(select(EntryRow).where(EntryRow.left_at.is_(None))).all()
            return [entry_of(row) for row in rows]

    def entry(self, entry_id: str) -> EntryRow | None:
        with self.sessions() as session:
            return session.get(EntryRow, entry_id)

    def recent(self, limit: int = 200) -> list[EntryRow]:
        with self.sessions() as session:
            query = select(EntryRow).order_by(EntryRow.entered_at.desc()).limit(limit)
            return list(session.scalars(query).all())

    def save_telephonist(self, telephonist: Telephonist, at: datetime) -> None:
        values = {
            **status_values(telephonist.status),
            "idle_since": telephonist.idle_since,
            "missed": telephonist.missed,
            "updated_at": at,
        }
        with self.sessions.begin() as session:
            row = session.get(TelephonistRow, telephonist.id)
            if row is None:
                session.add(TelephonistRow(id=telephonist.id, **values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)

    def add_handle_time(self, queue: str, ended_at: datetime, seconds: float) -> None:
        with self.sessions.begin() as session:
            session.add(HandleTimeRow(queue=queue, ended_at=ended_at, seconds=seconds))

    def recent_handle_times(self, queue: str, since: datetime, limit: int) -> list[float]:
        """The latest ``limit`` handle times of ``queue`` ended after ``since``, oldest first."""
        with self.sessions() as session:
            query = (
                select(HandleTimeRow.seconds)
                .where(HandleTimeRow.queue == queue, HandleTimeRow.ended_at > since)
                .order_by(HandleTimeRow.ended_at.desc(), HandleTimeRow.id.desc())
                .limit(limit)
            )
            return list(reversed(session.scalars(query).all()))

    def telephonist_rows(self) -> dict[str, TelephonistRow]:
        with self.sessions() as session:
            return {row.id: row for row in session.scalars(select(TelephonistRow)).all()}
