"""The IVR's tables: disruption notices, manual opening-hours overrides, and closed-hours
callback requests kept until the queue service takes them over.

Everything is read on each call (a few rows), so a change made from the CLI in another
process takes effect on the next call without a restart or a cache to invalidate.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from vaxel.db import Base, UtcDateTime
from vaxel.errors import NotFound
from vaxel.ivr.model import Override, OverrideMode
from vaxel.ivr.routing import Notice


class DisruptionRow(Base):
    __tablename__ = "ivr_disruptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_sv: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    recording: Mapped[str | None] = mapped_column(String(500))
    numbers: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated names
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))


class OverrideRow(Base):
    __tablename__ = "ivr_overrides"

    target: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. "queue:centre"
    mode: Mapped[str] = mapped_column(String(20))
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    destination: Mapped[str | None] = mapped_column(String(80))
    set_by: Mapped[str] = mapped_column(String(80))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CallbackRequestRow(Base):
    """Left in closed hours while no queue service runs; the queue service takes them over."""

    __tablename__ = "ivr_callback_requests"

    reference: Mapped[str] = mapped_column(String(20), primary_key=True)
    queue: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(32))  # E.164, passed the number policy
    language: Mapped[str] = mapped_column(String(8))
    call_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")


@dataclass(frozen=True)
class OverrideInfo:
    target: str
    override: Override
    set_by: str
    set_at: datetime


class IvrStore:
    def __init__(self, sessions) -> None:  # type: ignore[no-untyped-def]
        self._sessions = sessions

    # --- disruption notices -----------------------------------------------------------
    def add_notice(
        self,
        *,
        text_sv: str,
        text_en: str | None,
        recording: str | None,
        numbers: frozenset[str],
        starts_at: datetime,
        ends_at: datetime,
        created_by: str,
    ) -> Notice:
        with self._sessions.begin() as session:
            row = DisruptionRow(
                text_sv=text_sv,
                text_en=text_en,
                recording=recording,
                numbers=",".join(sorted(numbers)),
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=created_by,
            )
            session.add(row)
            session.flush()
            return _notice(row)

    def clear_notice(self, notice_id: int, at: datetime) -> Notice:
        with self._sessions.begin() as session:
            row = session.get(DisruptionRow, notice_id)
            if row is None or row.cleared_at is not None:
                raise NotFound(f"no active disruption notice {notice_id}")
            row.cleared_at = at
            # Ending it now keeps one rule for "active": starts_at <= t < ends_at.
            row.ends_at = min(row.ends_at, at)
            return _notice(row)

    def active_notices(self, t: datetime) -> list[Notice]:
        with self._sessions() as session:
            query = select(DisruptionRow).where(
                DisruptionRow.cleared_at.is_(None), DisruptionRow.ends_at > t
            )
            return [_notice(r) for r in session.scalars(query.order_by(DisruptionRow.id))]

    # --- overrides --------------------------------------------------------------------
    def set_override(self, target: str, override: Override, *, by: str, at: datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(OverrideRow, target)
            if row is None:
                row = OverrideRow(target=target)
                session.add(row)
            row.mode, row.until, row.destination = (
                override.mode.value,
                override.until,
                override.destination,
            )
            row.set_by, row.set_at = by, at

    def clear_override(self, target: str) -> bool:
        with self._sessions.begin() as session:
            row = session.get(OverrideRow, target)
            if row is None:
                return False
            session.delete(row)
            return True

    def overrides(self, t: datetime) -> dict[str, Override]:
        """Unexpired overrides by target; expired ones are simply ignored (they expire by
        themselves, no job has to remove them)."""
        return {
            info.target: info.override for info in self.override_infos() if info.override.active(t)
        }

    def override_infos(self) -> list[OverrideInfo]:
        with self._sessions() as session:
            rows = session.scalars(select(OverrideRow).order_by(OverrideRow.target))
            return [
                OverrideInfo(
                    r.target,
                    Override(OverrideMode(r.mode), r.until, r.destination),
                    r.set_by,
                    r.set_at,
                )
                for r in rows
            ]

    # --- callback requests ------------------------------------------------------------
    def add_callback_request(
        self, *, queue: str, number: str, language: str, requested_at: datetime, call_id: str
    ) -> str:
        reference = "CB" + "".join(secrets.choice("0123456789") for _ in range(6))
        with self._sessions.begin() as session:
            session.add(
                CallbackRequestRow(
                    reference=reference,
                    queue=queue,
                    number=number,
                    language=language,
                    call_id=call_id,
                    requested_at=requested_at,
                    status="pending",
                )
            )
        return reference

    def callback_requests(self, status: str | None = "pending") -> list[CallbackRequestRow]:
        with self._sessions() as session:
            query = select(CallbackRequestRow).order_by(CallbackRequestRow.requested_at)
            if status:
                query = query.where(CallbackRequestRow.status == status)
            return list(session.scalars(query))


def _notice(row: DisruptionRow) -> Notice:
    return Notice(
        id=row.id,
        text_sv=row.text_sv,
        text_en=row.text_en,
        recording=row.recording,
        numbers=frozenset(n for n in row.numbers.split(",") if n),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )
