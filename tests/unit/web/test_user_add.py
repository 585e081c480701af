"""`vaxel user add`: an account is never created without a password by accident."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.support.controller import write_site_file
from vaxel import cli
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.web.auth import AuthError
from vaxel.web.store import UserRecord

PASSWORD = "correct horse battery"


class FakeStdin(io.StringIO):
    def __init__(self, text: str, *, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture()
def site(tmp_path):
    return write_site_file(tmp_path)


def add(site, monkeypatch, *flags: str, stdin: str = "", tty: bool = False) -> int:
    monkeypatch.setattr("sys.stdin", FakeStdin(stdin, tty=tty))
    return cli.main(["user", "add", "--config", str(site), "--username", "anna",
                     "--role", "officer", *flags])  # fmt: skip


def stored_hash(site) -> str | bool | None:
    ctx = build_context(load_site_config(site))
    with ctx.sessions() as session:
        user = session.scalar(select(UserRecord).where(UserRecord.username == "anna"))
    return False if user is None else user.password_hash


def test_user_add_without_a_terminal_or_flag_refuses_and_creates_nothing(site, monkeypatch, capsys):
    assert add(site, monkeypatch) == 2
    error = capsys.readouterr().err.strip()
    assert "--password-stdin" in error and "--no-password" in error
    assert len(error.splitlines()) == 1
    assert stored_hash(site) is False


def test_user_add_at_a_terminal_asks_twice_and_the_password_works(site, monkeypatch):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert add(site, monkeypatch, tty=True) == 0
    ctx = build_context(load_site_config(site))
    assert ctx.auth.check_password("anna", PASSWORD) > 0


def test_user_add_at_a_terminal_refuses_two_different_passwords(site, monkeypatch, capsys):
    typed = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert add(site, monkeypatch, tty=True) == 2
    assert "differ" in capsys.readouterr().err
    assert stored_hash(site) is False


def test_user_add_refuses_an_empty_password_on_stdin(site, monkeypatch):
    assert add(site, monkeypatch, "--password-stdin", stdin="\n") == 2
    assert stored_hash(site) is False


def test_user_add_with_no_password_flag_makes_an_account_that_cannot_log_in_by_password(
    site, monkeypatch
):
    assert add(site, monkeypatch, "--no-password") == 0
    assert stored_hash(site) is None
    ctx = build_context(load_site_config(site))
    with pytest.raises(AuthError):
        ctx.auth.check_password("anna", "")
