"""Accounts, roles, login sessions and CSRF.

Login is split in two so single sign-on can be added without rework: an *identity check*
(here: username and argon2 password; later: an OIDC callback that maps issuer + subject to
a user) and ``AuthService.open_session``, which every identity check ends in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from vaxel.clock import Clock
from vaxel.web.store import AuditRecord, SessionRecord, UserRecord

SESSION_LIFETIME = timedelta(hours=10)
_hasher = PasswordHasher()
# Verifying against a dummy hash when the user is unknown keeps timing the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Role(StrEnum):
    OFFICER = "officer"
    TELEPHONIST = "telephonist"
    UNIT_ADMIN = "unit_admin"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class AuthError(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    person_id: str | None
    unit_id: str | None
    csrf_token: str = ""

    def has(self, *roles: Role) -> bool:
        return Role.ADMIN in self.roles or bool(self.roles & set(roles))


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("a password needs at least 10 characters")
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    def __init__(self, *, sessions: sessionmaker, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def create_user(self, *, username: str, display_name: str, password: str | None,
                    roles: set[Role], person_id: str | None = None,
                    unit_id: str | None = None) -> int:  # fmt: skip
        with self._sessions.begin() as session:
            if session.scalar(select(UserRecord).where(UserRecord.username == username)):
                raise ValueError(f"user '{username}' exists already")
            user = UserRecord(
                username=username,
                display_name=display_name,
                password_hash=hash_password(password) if password else None,
                roles=",".join(sorted(roles)),
                person_id=person_id,
                unit_id=unit_id,
                created_at=self._clock.now(),
            )
            session.add(user)
            session.flush()
            return user.id

    def check_password(self, username: str, password: str) -> int:
        """The password identity check; returns the user id or raises AuthError."""
        with self._sessions() as session:
            user = session.scalar(select(UserRecord).where(UserRecord.username == username))
        stored = user.password_hash if user and user.active and user.password_hash else None
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise AuthError("wrong username or password") from None
        if stored is None or user is None:
            raise AuthError("wrong username or password")
        return user.id

    def open_session(self, user_id: int) -> tuple[str, str]:
        """Returns (session token, CSRF token). The token is stored only as a hash."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = self._clock.now()
        with self._sessions.begin() as session:
            session.execute(delete(SessionRecord).where(SessionRecord.expires_at < now))
            session.add(SessionRecord(token_hash=_token_hash(token), user_id=user_id,
                                      csrf_token=csrf, created_at=now,
                                      expires_at=now + SESSION_LIFETIME))  # fmt: skip
        return token, csrf

    def close_session(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                delete(SessionRecord).where(SessionRecord.token_hash == _token_hash(token))
            )

    def principal(self, token: str | None) -> Principal | None:
        if not token:
            return None
        with self._sessions() as session:
            record = session.get(SessionRecord, _token_hash(token))
            if record is None or record.expires_at <= self._clock.now():
                return None
            user = session.get(UserRecord, record.user_id)
            if user is None or not user.active:
                return None
            roles = frozenset(Role(r) for r in user.roles.split(",") if r)
            return Principal(user.id, user.username, user.display_name, roles,
                             user.person_id, user.unit_id, record.csrf_token)  # fmt: skip

    def audit(
        self, actor: Principal | str, action: str, subject: str, detail: dict | None = None
    ) -> None:
        name = actor.username if isinstance(actor, Principal) else actor
        with self._sessions.begin() as session:
            session.add(AuditRecord(at=self._clock.now(), actor=name, action=action,
                                    subject=subject, detail=json.dumps(detail or {}, ensure_ascii=False)))  # fmt: skip

    def audit_trail(self, subject_prefix: str = "", limit: int = 100) -> list[AuditRecord]:
        with self._sessions() as session:
            query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
            if subject_prefix:
                query = query.where(AuditRecord.subject.startswith(subject_prefix))
            return list(session.scalars(query))


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")
