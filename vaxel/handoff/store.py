"""The handoff's tables: every handoff's state (written on every transition) and messages.

A state is stored as JSON made from its frozen dataclasses (``encode``/``decode``), so a
restarted controller continues exactly where the killed one stopped. The channels the
service knows (caller, telephonist, ringing legs) are stored beside the state: without
them a restart could not tell which live channels belong to which handoff.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from vaxel.db import Base, UtcDateTime
from vaxel.handoff import commands, inputs, states
from vaxel.handoff.events import HandoffAttempt, HandoffConcluded
from vaxel.handoff.messages import Channel, Message, MessageStatus, Urgency

_TYPES: dict[str, type] = {}
for _module in (states, inputs, commands):
    for _name, _value in vars(_module).items():
        if isinstance(_value, type) and dataclasses.is_dataclass(_value):
            _TYPES[_name] = _value
_TYPES["HandoffAttempt"] = HandoffAttempt
_TYPES["HandoffConcluded"] = HandoffConcluded
_ENUMS: dict[str, type[enum.Enum]] = {
    e.__name__: e for e in (states.Mode, states.Initiator, states.Party, states.ReturnedTo,
                            states.Outcome)
}  # fmt: skip


def encode(value: Any) -> Any:
    """A state (or anything inside one) as plain JSON values, tagged with type names."""
    if isinstance(value, enum.Enum):
        return {"$e": type(value).__name__, "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$t": type(value).__name__, **fields}
    if isinstance(value, datetime):
        return {"$d": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$s": value.total_seconds()}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    return value


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "$e" in value:
        return _ENUMS[value["$e"]](value["v"])
    if "$d" in value:
        return datetime.fromisoformat(value["$d"])
    if "$s" in value:
        return timedelta(seconds=value["$s"])
    cls = _TYPES[value["$t"]]
    return cls(**{k: decode(v) for k, v in value.items() if k != "$t"})


class HandoffRow(Base):
    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state_kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    caller_channel: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(64))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    telephonist: Mapped[str] = mapped_column(String(40))
    telephonist_channel: Mapped[str | None] = mapped_column(String(64))
    target_channel: Mapped[str | None] = mapped_column(String(64))
    legs: Mapped[str] = mapped_column(Text, default="{}")  # ringing leg id -> device
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class MessageRow(Base):
    __tablename__ = "handoff_messages"

    reference: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    caller_name: Mapped[str] = mapped_column(String(200))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    target_unit: Mapped[str] = mapped_column(String(120))
    target_person: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str | None] = mapped_column(String(300))
    deadline: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    recording: Mapped[str | None] = mapped_column(String(200))
    handoff_id: Mapped[str | None] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


def message_of(row: MessageRow) -> Message:
    return Message(
        reference=row.reference,
        created_at=row.created_at,
        caller_name=row.caller_name,
        caller_number=row.caller_number,
        subject=row.subject,
        urgency=Urgency(row.urgency),
        target_unit=row.target_unit,
        target_person=row.target_person,
        channel=Channel(row.channel),
        deadline=row.deadline,
        status=MessageStatus(row.status),
        delivery_attempts=row.delivery_attempts,
        last_attempt_at=row.last_attempt_at,
        handled_at=row.handled_at,
        escalated_at=row.escalated_at,
        recording=row.recording,
        handoff_id=row.handoff_id,
    )


class HandoffStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    # --- handoffs ---------------------------------------------------------------------
    def save(self, values: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            row = session.get(HandoffRow, values["id"])
            if row is None:
                session.add(HandoffRow(**values))
            else:
                for key, value in values.items():
                    setattr(row, key, value)

    def open_handoffs(self) -> list[HandoffRow]:
        """Not done, or done but still connected: both need a look after a restart."""
        with self.sessions() as session:
            query = select(HandoffRow).where(
                (HandoffRow.done.is_(False)) | (HandoffRow.connected.is_(True))
            )
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def get(self, handoff_id: str) -> HandoffRow | None:
        with self.sessions() as session:
            row = session.get(HandoffRow, handoff_id)
            if row is not None:
                session.expunge(row)
            return row

    def recent(self, limit: int = 100) -> list[HandoffRow]:
        with self.sessions() as session:
            query = select(HandoffRow).order_by(HandoffRow.created_at.desc()).limit(limit)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    # --- messages ---------------------------------------------------------------------
    def next_sequence(self, year: int) -> int:
        with self.sessions() as session:
            found = session.scalar(
                select(func.max(MessageRow.sequence)).where(MessageRow.year == year)
            )
            return int(found or 0) + 1

    def add_message(self, row: MessageRow) -> None:
        with self.sessions.begin() as session:
            session.add(row)

    def message(self, reference: str) -> MessageRow | None:
        with self.sessions() as session:
            row = session.get(MessageRow, reference)
            if row is not None:
                session.expunge(row)
            return row

    def message_by_token(self, token_hash: str) -> MessageRow | None:
        with self.sessions() as session:
            row = session.scalar(select(MessageRow).where(MessageRow.token_hash == token_hash))
            if row is not None:
                session.expunge(row)
            return row

    def update_message(self, reference: str, **values: Any) -> None:
        with self.sessions.begin() as session:
            row = session.get(MessageRow, reference)
            if row is not None:
                for key, value in values.items():
                    setattr(row, key, value)

    def pending_messages(self) -> list[MessageRow]:
        """Everything the scheduler may still have to do: deliver, or escalate."""
        open_states = [MessageStatus.CREATED.value, MessageStatus.DELIVERED.value,
                       MessageStatus.DELIVERY_FAILED.value]  # fmt: skip
        with self.sessions() as session:
            query = select(MessageRow).where(MessageRow.status.in_(open_states))
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows

    def messages(self, limit: int = 200) -> list[MessageRow]:
        with self.sessions() as session:
            query = select(MessageRow).order_by(MessageRow.created_at.desc()).limit(limit)
            rows = list(session.scalars(query))
            session.expunge_all()
            return rows


def dumps(value: Any) -> str:
    return json.dumps(encode(value), ensure_ascii=False)


def loads(text: str) -> Any:
    return decode(json.loads(text))
