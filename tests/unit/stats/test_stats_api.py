"""The statistics API and page: roles, formats, pseudonyms only, wrap-up codes."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.support.controller import write_site_file
from tests.support.stats_store import started, waits
from tests.support.web_login import page_login
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.queue.events import LeaveReason
from vaxel.stats.wiring import wire
from vaxel.web.app import create_app
from vaxel.web.auth import Role

PASSWORD = "correct horse battery"
DAY = "2026-11-23"


@pytest.fixture()
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("VAXEL_STATS_DIR", str(tmp_path / "journal"))
    ctx = build_context(load_site_config(write_site_file(tmp_path)))
    for name, role in (("ada", Role.ANALYST), ("tove", Role.TELEPHONIST), ("root", Role.ADMIN)):
        ctx.auth.create_user(username=name, display_name=name, password=PASSWORD, roles={role})
    wire(ctx)  # without Asterisk: the API and pages only
    ctx.services["stats"].ingest.apply([started(), *waits("c1", 30, LeaveReason.ABANDONED)])
    with TestClient(create_app(ctx)) as test_client:
        yield test_client


def login(client: TestClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def test_an_analyst_gets_every_format_of_the_accessibility_report(client):
    auth = login(client, "ada")
    url = f"/api/v1/stats/reports/accessibility?from={DAY}&to={DAY}"
    reply = client.get(url, headers=auth)
    assert reply.status_code == 200
    assert reply.json()["tables"]["summary"][0]["abandoned"] == 1
    xlsx = client.get(url + "&format=xlsx", headers=auth)
    assert load_workbook(io.BytesIO(xlsx.content)).worksheets
    assert "<svg" in client.get(url + "&format=html&lang=en", headers=auth).text
    assert client.get(url + "&format=csv", headers=auth).text.startswith("\ufeffHela perioden")


def test_the_telephonist_report_is_for_administrators_only(client):
    url = f"/api/v1/stats/reports/telephonists?from={DAY}&to={DAY}"
    assert client.get(url, headers=login(client, "ada")).status_code == 403
    assert client.get(url, headers=login(client, "root")).status_code == 200
    other = f"/api/v1/stats/reports/accessibility?from={DAY}&to={DAY}"
    assert client.get(other, headers=login(client, "tove")).status_code == 403


def test_the_call_log_shows_pseudonyms_never_numbers(client):
    reply = client.get(f"/api/v1/stats/calls?from={DAY}&to={DAY}", headers=login(client, "ada"))
    assert reply.status_code == 200
    [row] = reply.json()
    assert row["outcome"] == "abandoned_in_queue" and len(row["caller"]) == 64
    assert "0701740650" not in reply.text


def test_a_telephonist_sets_a_wrap_up_code(client):
    auth = login(client, "tove")
    url = "/api/v1/stats/contacts/c1/wrap-up"
    assert client.put(url, json={"code": "bogus"}, headers=auth).status_code == 400
    assert (
        client.put(
            "/api/v1/stats/contacts/x/wrap-up", json={"code": "other"}, headers=auth
        ).status_code
        == 404
    )
    assert client.put(url, json={"code": "message"}, headers=auth).status_code == 204
    rows = client.get(
        f"/api/v1/stats/calls?from={DAY}&to={DAY}", headers=login(client, "ada")
    ).json()
    assert (rows[0]["wrap_up"], rows[0]["outcome"]) == ("message", "message_taken")


def test_the_report_page_filters_and_keeps_the_telephonist_report_from_analysts(client):
    page_login(client, "ada", PASSWORD)
    page = client.get(f"/reports?name=telephonists&from={DAY}&to={DAY}")
    assert page.status_code == 403 and "does not allow the telephonist report" in page.text
    assert 'class="report"' not in page.text
    # c1 waited in the centre queue: another queue has nothing offered.
    base = f"/reports?name=accessibility&from={DAY}&to={DAY}&lang=en"
    shown = client.get(base + "&queue=centre").text
    other = client.get(base + "&queue=office-dalby&department=lss").text
    assert 'name="queue" value="centre"' in shown and "&queue=centre&format=xlsx" in shown
    assert 'value="lss"' in other
    api = f"/api/v1/stats/reports/accessibility?from={DAY}&to={DAY}"
    auth = login(client, "ada")
    offered = [client.get(api + q, headers=auth).json()["tables"]["summary"][0]["offered"]
               for q in ("&queue=centre", "&queue=office-dalby")]  # fmt: skip
    assert offered == [1, 0]


def test_the_report_page_renders_for_an_analyst(client):
    page_login(client, "ada", PASSWORD)
    page = client.get(f"/reports?name=accessibility&from={DAY}&to={DAY}")
    assert page.status_code == 200 and "Tillgänglighet" in page.text and "<svg" in page.text
    _ = date


def test_the_report_page_explains_a_date_it_cannot_read_and_keeps_the_choices(client):
    page_login(client, "ada", PASSWORD)
    page = client.get(f"/reports?name=audit&from=92026-03-01&to={DAY}&queue=centre")
    assert page.status_code == 400
    assert "&#39;from&#39; must be a date like 2026-11-23" in page.text
    assert 'value="audit" selected' in page.text and 'name="queue" value="centre"' in page.text
    backwards = client.get(f"/reports?name=accessibility&from={DAY}&to=2026-11-01")
    assert backwards.status_code == 400 and "&#39;to&#39; is before" in backwards.text


def test_a_call_log_offset_beyond_any_row_count_is_a_clear_refusal(client):
    url = f"/api/v1/stats/calls?from={DAY}&to={DAY}&offset={10**20}"
    reply = client.get(url, headers=login(client, "ada"))
    assert reply.status_code == 422, reply.text
    assert reply.json()["problems"][0]["field"] == "offset"
