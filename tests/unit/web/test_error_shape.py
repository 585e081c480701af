"""Bad input gets a clear 4xx in the app's one error shape, never a 500 (issue #11, finding 6)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.web_login import page_login
from tests.unit.web.web_app import PASSWORD, full_context
from vaxel.stats.api import MAX_REPORT_DAYS
from vaxel.web.app import create_app

REPORT = "/api/v1/stats/reports/accessibility"
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    ctx = full_context(tmp_path_factory.mktemp("errors"))
    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
        token = client.post("/api/v1/auth/login", json={"username": "root", "password": PASSWORD})
        yield client, {"Authorization": f"Bearer {token.json()['token']}"}, ctx


@pytest.fixture()
def no_report_work(site, monkeypatch):
    """Fails the test if a report is computed at all."""
    service = site[2].services["stats"]

    def must_not_run(*args, **kwargs):
        raise AssertionError("the report was computed for a refused period")

    monkeypatch.setattr(service, "report", must_not_run)
    monkeypatch.setattr(service, "call_log", must_not_run)


def assert_app_shape(reply, status: int) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"error", "message", "problems"}, body
    assert isinstance(body["error"], str) and body["message"]
    for p in body["problems"]:
        assert set(p) == {"field", "message"}
    return body


@pytest.mark.parametrize(
    "query",
    ["from=notadate&to=2026-11-30", "from=2026-11-01&to=2026-13-01",
     "from=0001-01-01&to=9999-12-31", "from=9999-12-30&to=9999-12-31"],
)  # fmt: skip
def test_the_reports_page_refuses_bad_or_absurd_dates_with_400_not_500(site, no_report_work, query):
    client, _auth, _ctx = site
    page = TestClient(client.app, raise_server_exceptions=False)
    page_login(page, "root", PASSWORD)
    reply = page.get(f"/reports?{query}", headers={"accept": "text/html"})
    assert reply.status_code == 400
    assert 'role="alert"' in reply.text and "<form" in reply.text


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=0001-01-01&to=9999-12-31", "from"), ("from=2020-01-01&to=2026-12-31", "to"),
     ("from=9999-12-30&to=9999-12-31", "from"), ("from=2026-12-01&to=2026-11-01", "to")],
)  # fmt: skip
def test_the_report_api_refuses_an_absurd_period_before_any_work(
    site, no_report_work, query, field
):
    client, auth, _ctx = site
    body = assert_app_shape(client.get(f"{REPORT}?{query}", headers=auth), 400)
    assert [p["field"] for p in body["problems"]] == [field]


def test_a_report_of_the_longest_allowed_period_is_accepted(site):
    client, auth, _ctx = site
    from datetime import date, timedelta

    last = date(2026, 11, 30)
    first = last - timedelta(days=MAX_REPORT_DAYS - 1)
    reply = client.get(f"{REPORT}?from={first}&to={last}", headers=auth)
    assert reply.status_code == 200


def test_the_report_api_names_the_field_of_a_date_that_is_not_a_date(site):
    client, auth, _ctx = site
    for query, field in (("from=notadate&to=2026-11-30", "from"), ("from=2026-11-01&to=2026-13-01", "to")):  # fmt: skip
        body = assert_app_shape(client.get(f"{REPORT}?{query}", headers=auth), 422)
        assert [p["field"] for p in body["problems"]] == [field]


def test_the_call_log_refuses_an_absurd_period_before_any_work(site, no_report_work):
    client, auth, _ctx = site
    reply = client.get("/api/v1/stats/calls?from=0001-01-01&to=9999-12-31", headers=auth)
    assert_app_shape(reply, 400)


@pytest.mark.parametrize(
    "body",
    [b'{"username": "\xff\xfe", "password": "x"}',
     b'{"username": ' + b"9" * 5000 + b', "password": "x"}',
     b"[" * 100_000 + b"]" * 100_000,
     b'{"username": "anna", "password": "x", "nested": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001],
    ids=["bad utf-8", "huge integer", "deep array", "deep object"],
)  # fmt: skip
def test_unreadable_json_bodies_get_a_4xx_in_the_app_shape(site, body):
    client, _auth, _ctx = site
    reply = client.post("/api/v1/auth/login", content=body, headers=JSON)
    assert 400 <= reply.status_code < 500
    assert_app_shape(reply, reply.status_code)


def test_a_json_syntax_error_is_about_the_body_not_a_character_position(site):
    client, _auth, _ctx = site
    reply = client.post("/api/v1/auth/login", content=b"{not json", headers=JSON)
    body = assert_app_shape(reply, 422)
    assert [p["field"] for p in body["problems"]] == ["body"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/api/v1/me", 401, "unauthorized"), ("GET", "/api/v1/no/such/thing", 404, "not_found"),
     ("GET", "/no/such/page", 404, "not_found"), ("DELETE", "/api/v1/me", 405, "method_not_allowed"),
     ("GET", "/api/v1/probe/fails", 500, "internal")],
)  # fmt: skip
def test_http_errors_from_the_framework_use_the_app_shape(site, method, path, status, code):
    client, _auth, _ctx = site
    assert assert_app_shape(client.request(method, path), status)["error"] == code


def test_a_role_refusal_uses_the_app_shape(site):
    client, _auth, _ctx = site
    token = client.post("/api/v1/auth/login", json={"username": "anna", "password": PASSWORD})
    reply = client.get(f"{REPORT}?from=2026-11-01&to=2026-11-30",
                       headers={"Authorization": f"Bearer {token.json()['token']}"})  # fmt: skip
    assert assert_app_shape(reply, 403)["error"] == "forbidden"


def test_a_browser_gets_an_html_error_page_with_the_same_message(site):
    client, _auth, _ctx = site
    reply = client.get("/no/such/<script>", headers={"accept": "text/html"})
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert "there is nothing at this address" in reply.text
    assert "<script>" not in reply.text
