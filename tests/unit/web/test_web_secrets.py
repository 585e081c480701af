"""What the store keeps of passwords and sessions, and how long a session lives (SECURITY.md)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.support.controller import write_site_file
from tests.support.web_login import page_login
from vaxel.app import build_context
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.web.app import create_app
from vaxel.web.auth import SESSION_LIFETIME, AuthError, Role
from vaxel.web.store import SessionRecord, UserRecord

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture()
def ctx(tmp_path):  # type: ignore[no-untyped-def]
    context = build_context(load_site_config(write_site_file(tmp_path)), FixedClock(NOW))
    context.auth.create_user(username="anna", display_name="Anna", password=PASSWORD,
                             roles={Role.OFFICER})  # fmt: skip
    return context


def test_a_password_is_stored_only_as_an_argon2id_hash(ctx) -> None:  # type: ignore[no-untyped-def]
    with ctx.sessions() as session:
        stored = session.scalar(select(UserRecord.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_session_token_has_256_random_bits_and_is_stored_only_as_its_hash(ctx) -> None:  # type: ignore[no-untyped-def]
    user_id = ctx.auth.check_password("anna", PASSWORD)
    token, csrf = ctx.auth.open_session(user_id)
    again, _ = ctx.auth.open_session(user_id)
    assert len(token) >= 43 and token != again and csrf != token
    with ctx.sessions() as session:
        hashes = list(session.scalars(select(SessionRecord.token_hash)))
    assert token not in hashes and len(hashes) == 2


def test_a_session_ends_after_its_lifetime(ctx) -> None:  # type: ignore[no-untyped-def]
    token, _ = ctx.auth.open_session(ctx.auth.check_password("anna", PASSWORD))
    assert ctx.auth.principal(token) is not None
    ctx.clock.advance(seconds=SESSION_LIFETIME.total_seconds())
    assert ctx.auth.principal(token) is None


def test_a_user_without_a_password_cannot_log_in(ctx) -> None:  # type: ignore[no-untyped-def]
    ctx.auth.create_user(username="sso", display_name="Sso", password=None, roles={Role.ADMIN})
    with pytest.raises(AuthError):
        ctx.auth.check_password("sso", "")


def test_the_session_cookie_is_httponly_and_samesite_strict_and_never_in_the_url(ctx) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(ctx))
    reply = page_login(client, "anna", PASSWORD)
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    token = cookie.split("vaxel_session=")[1].split(";")[0]
    assert token not in reply.headers["location"]
