"""The call record: one row per call that reached the controller."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from vaxel.db import Base, UtcDateTime


class CallRecord(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Asterisk linkedid
    channel_id: Mapped[str] = mapped_column(String(64))
    dialled_number: Mapped[str] = mapped_column(String(32))
    number_name: Mapped[str | None] = mapped_column(String(40))
    caller_number: Mapped[str | None] = mapped_column(String(32))
    caller_hash: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="sv")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    greeting_played_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_calls_started_at", "started_at"),)


class CallStore:
    def __init__(self, sessions) -> None:  # type: ignore[no-untyped-def]
        self._sessions = sessions

    def call_started(
        self,
        *,
        call_id: str,
        channel_id: str,
        dialled_number: str,
        number_name: str | None,
        caller_number: str | None,
        started_at: datetime,
    ) -> None:
        with self._sessions.begin() as session:
            if session.get(CallRecord, call_id) is None:
                session.add(
                    CallRecord(
                        id=call_id,
                        channel_id=channel_id,
                        dialled_number=dialled_number,
                        number_name=number_name,
                        caller_number=caller_number,
                        started_at=started_at,
                    )
                )

    def update(self, call_id: str, **fields: object) -> None:
        with self._sessions.begin() as session:
            record = session.get(CallRecord, call_id)
            if record is not None:
                for key, value in fields.items():
                    setattr(record, key, value)

    def get(self, call_id: str) -> CallRecord | None:
        with self._sessions() as session:
            return session.get(CallRecord, call_id)

    def recent(self, limit: int = 50) -> list[CallRecord]:
        with self._sessions() as session:
            query = select(CallRecord).order_by(CallRecord.started_at.desc()).limit(limit)
            return list(session.scalars(query))

    def open_calls(self) -> list[CallRecord]:
        with self._sessions() as session:
            return list(session.scalars(select(CallRecord).where(CallRecord.ended_at.is_(None))))
