"""Login, roles and CSRF on the real app (in-process HTTP), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from tests.support.controller import write_site_file
from tests.support.web_login import page_login
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.web.app import CurrentUser, create_app, require
from vaxel.web.auth import Principal, Role

PASSWORD = "correct horse battery"


@pytest.fixture()
def client(tmp_path, store_url):
    ctx = build_context(load_site_config(write_site_file(tmp_path, database_url=store_url)))
    ctx.auth.create_user(username="anna", display_name="Anna Svensson", password=PASSWORD,
                         roles={Role.OFFICER}, person_id="p1")  # fmt: skip
    ctx.auth.create_user(username="tove", display_name="Tove Telefonist", password=PASSWORD,
                         roles={Role.TELEPHONIST})  # fmt: skip
    probe = APIRouter()

    @probe.post("/probe/telephonists-only")
    def telephonists_only(user: Principal = require(Role.TELEPHONIST)) -> dict[str, str]:
        return {"ok": user.username}

    @probe.post("/probe/anyone")
    def anyone(user: CurrentUser) -> dict[str, str]:
        return {"ok": user.username}

    ctx.api_routers.append(probe)
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def bearer(client: TestClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    for username in ("anna", "nobody"):
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": "x" * 12})
        assert reply.status_code == 401
        assert reply.json()["message"] == "wrong username or password"


def test_writes_need_a_login(client):
    assert client.post("/api/v1/probe/anyone").status_code == 401


def test_role_is_checked_on_writes(client):
    officer = client.post("/api/v1/probe/telephonists-only", headers=bearer(client, "anna"))
    assert officer.status_code == 403
    telephonist = client.post("/api/v1/probe/telephonists-only", headers=bearer(client, "tove"))
    assert telephonist.json() == {"ok": "tove"}


def test_cookie_session_needs_the_csrf_token_for_writes(client):
    page = page_login(client, "anna", PASSWORD)
    assert page.status_code == 303
    assert "httponly" in page.headers["set-cookie"].lower()
    assert client.post("/api/v1/probe/anyone").status_code == 403
    csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.post("/api/v1/probe/anyone", headers={"X-CSRF-Token": csrf}).json() == {
        "ok": "anna"
    }


def test_logout_ends_the_session(client):
    page_login(client, "anna", PASSWORD)
    csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get("/api/v1/me").status_code == 401


def test_login_form_does_not_redirect_off_site(client):
    reply = page_login(client, "anna", PASSWORD, next="//evil.example/")
    assert reply.headers["location"] == "/"


def test_broken_json_gets_a_clear_error_not_a_stack_trace(client):
    reply = client.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert reply.status_code == 422
    assert reply.json()["error"] == "invalid_request"
    assert "Traceback" not in reply.text
