"""Kiosk screens for the wallboard: a name and a token, stored only as its SHA-256 (like the
message-handled link), revocable at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from vaxel.db import Base, UtcDateTime
from vaxel.errors import DomainError, NotFound


class KioskRow(Base):
    __tablename__ = "wallboard_kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(80))


@dataclass(frozen=True)
class Kiosk:
    id: int
    name: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _kiosk(row: KioskRow) -> Kiosk:
    return Kiosk(row.id, row.name, row.created_at, row.created_by, row.revoked_at)


class KioskStore:
    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def add(self, name: str, by: str, now: datetime) -> tuple[Kiosk, str]:
        """A new kiosk and its token; the token is shown once and never stored."""
        name = name.strip()
        if not 1 <= len(name) <= 80:
            raise DomainError("a kiosk needs a name of 1-80 characters")
        token = secrets.token_urlsafe(32)
        with self.sessions.begin() as session:
            row = KioskRow(name=name, token_hash=token_hash(token), created_at=now, created_by=by)
            session.add(row)
            session.flush()
            return _kiosk(row), token

    def all(self) -> list[Kiosk]:
        with self.sessions() as session:
            return [_kiosk(r) for r in session.scalars(select(KioskRow).order_by(KioskRow.id))]

    def revoke(self, kiosk_id: int, by: str, now: datetime) -> Kiosk:
        with self.sessions.begin() as session:
            row = session.get(KioskRow, kiosk_id)
            if row is None:
                raise NotFound(f"no kiosk {kiosk_id}")
            if row.revoked_at is None:
                row.revoked_at, row.revoked_by = now, by
            return _kiosk(row)

    def valid(self, token: str | None) -> Kiosk | None:
        """The kiosk this token opens, or None (unknown, malformed or revoked)."""
        if not token or len(token) > 100:
            return None
        with self.sessions() as session:
            row = session.scalar(select(KioskRow).where(KioskRow.token_hash == token_hash(token)))
            return _kiosk(row) if row is not None and row.revoked_at is None else None
