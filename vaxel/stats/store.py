"""The statistics tables: the entry service's call record, caller-view contacts, labelled
events, daily rollups and reconcile checkpoints. Writes are idempotent upserts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String, Text, select
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


class ContactRecord(Base):
    """One citizen contact (Asterisk linkedid). The header comes from the controller's
    ``ContactStarted`` label (``header_source`` "label"), or from CEL when the label is
    missing ("cel"), or from the synthetic generator ("synth")."""

    __tablename__ = "stats_contacts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    day: Mapped[str] = mapped_column(String(10))  # local date, the rollup unit
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    number_e164: Mapped[str | None] = mapped_column(String(32))
    number_dialled: Mapped[str] = mapped_column(String(40))
    number_kind: Mapped[str] = mapped_column(String(16))
    opening: Mapped[str] = mapped_column(String(8))
    caller: Mapped[str | None] = mapped_column(String(64))
    caller_pseudonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    wrap_up: Mapped[str | None] = mapped_column(String(32))
    wrap_up_by: Mapped[str | None] = mapped_column(String(80))
    wrap_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    header_source: Mapped[str] = mapped_column(String(8))

    __table_args__ = (
        Index("ix_stats_contacts_started_at", "started_at"),
        Index("ix_stats_contacts_day", "day", "number_dialled"),
    )


class LabelRow(Base):
    __tablename__ = "stats_labels"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(64), index=True)
    ref: Mapped[str | None] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    fields: Mapped[str] = mapped_column(Text)


class RollupRow(Base):
    __tablename__ = "stats_rollups"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)


class DirtyDay(Base):
    """Days whose rollups are stale: rebuilt from the raw log before any report uses them."""

    __tablename__ = "stats_dirty_days"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)


class Checkpoint(Base):
    __tablename__ = "stats_checkpoints"

    source: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)


CallHook = Callable[[str, dict[str, object]], None]


class CallStore:
    """The entry service's call record. ``hooks`` see every start and update (the stats
    package labels the contact from them until the IVR labels it itself)."""

    def __init__(self, sessions, hooks: list[CallHook] | None = None) -> None:  # type: ignore[no-untyped-def]
        self._sessions = sessions
        self.hooks: list[CallHook] = hooks if hooks is not None else []

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
        # Hooks first: the labels must not depend on this table being writable.
        self._notify(
            call_id,
            {
                "started": True,
                "channel_id": channel_id,
                "dialled_number": dialled_number,
                "caller_number": caller_number,
                "started_at": started_at,
            },
        )

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
        self._notify(call_id, dict(fields))
        with self._sessions.begin() as session:
            record = session.get(CallRecord, call_id)
            if record is not None:
                for key, value in fields.items():
                    setattr(record, key, value)

    def _notify(self, call_id: str, fields: dict[str, object]) -> None:
        for hook in self.hooks:
            hook(call_id, fields)

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
