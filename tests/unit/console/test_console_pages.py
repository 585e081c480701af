"""The console page and API in process (no Asterisk): who may open which console, and a
page shell that runs under a strict Content-Security-Policy (no inline script or style)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.web_login import page_login
from tests.unit.directory.dir_app import PASSWORD, make_context
from vaxel.console import wiring
from vaxel.web.app import create_app
from vaxel.web.auth import Role


def client_for(tmp_path, username: str | None) -> TestClient:  # type: ignore[no-untyped-def]
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'console.db'}")
    ctx.auth.create_user(username="t1001", display_name="Tove", password=PASSWORD,
                         roles={Role.TELEPHONIST})  # fmt: skip
    wiring.wire(ctx)
    client = TestClient(create_app(ctx))
    if username:
        reply = page_login(client, username, PASSWORD)
        assert reply.status_code == 303, reply.text
    return client


def test_a_telephonist_gets_their_own_console_as_a_page_without_inline_script_or_style(tmp_path):
    page = client_for(tmp_path, "t1001").get("/console?lang=en")
    assert page.status_code == 200
    assert 'data-telephonist="t1001"' in page.text
    assert 'data-read-only="false"' in page.text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None
    assert "<style" not in page.text and " style=" not in page.text
    assert '<script src="/static/console.js" defer>' in page.text


def test_an_account_without_a_telephonist_is_refused_and_an_admin_chooses_read_only(tmp_path):
    client = client_for(tmp_path, "tove")  # a telephonist role, but no seat in the site file
    assert client.get("/console").status_code == 403
    assert client.get("/console?telephonist=t1002").status_code == 403
    (tmp_path / "a").mkdir()
    admin = client_for(tmp_path / "a", "admin")
    chooser = admin.get("/console")
    assert chooser.status_code == 200 and "/console?telephonist=t1002" in chooser.text
    watched = admin.get("/console?telephonist=t1002")
    assert 'data-telephonist="t1002"' in watched.text
    assert 'data-read-only="true"' in watched.text


def test_the_console_api_refuses_another_telephonists_view(tmp_path):
    client = client_for(tmp_path, None)
    token = client.post("/api/v1/auth/login",
                        json={"username": "t1001", "password": PASSWORD}).json()["token"]  # fmt: skip
    reply = client.get("/api/v1/console/t1002", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 403
    assert reply.json()["error"] == "not_a_telephonist"


def test_a_logged_out_visitor_is_sent_to_the_login_page(tmp_path):
    reply = client_for(tmp_path, None).get("/console", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/login?next=/console"
