"""Security headers on every response, and the Secure cookie flag under an https public URL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support.web_login import page_login
from tests.unit.web.web_app import PASSWORD, full_context
from vaxel.web.app import create_app
from vaxel.web.auth import Role
from vaxel.web.headers import CONTENT_SECURITY_POLICY


def app_for(directory, web: str = "", base_url: str = "http://testserver") -> TestClient:
    ctx = full_context(directory, web, users={"anna": Role.OFFICER})
    return TestClient(create_app(ctx), base_url=base_url, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with app_for(tmp_path_factory.mktemp("headers")) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/", 303),
        ("GET", "/api/v1/me", 401),
        ("GET", "/static/vaxel.css", 200),
        ("GET", "/no/such/page", 404),
        ("DELETE", "/api/v1/me", 405),
        ("GET", "/api/v1/probe/fails", 500),
        ("GET", "/api/v1/openapi.json", 200),
        ("GET", "/messages/handled/some-token", 200),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(client, method, path, status):
    reply = client.request(method, path, follow_redirects=False)
    assert reply.status_code == status
    assert reply.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert reply.headers["x-frame-options"] == "DENY"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] in ("no-referrer", "same-origin")


def test_the_policy_forbids_inline_script_and_style_and_framing():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def login_cookie(client: TestClient) -> str:
    reply = page_login(client, "anna", PASSWORD)
    assert reply.status_code == 303
    return reply.headers["set-cookie"].lower()


def test_session_cookie_is_secure_when_the_public_url_is_https(tmp_path):
    web = 'public_url = "https://vaxel.kommun.example"\n'
    with app_for(tmp_path, web, base_url="https://testserver") as client:
        assert "; secure" in login_cookie(client)


def test_session_cookie_is_not_secure_on_a_plain_http_public_url(tmp_path):
    with app_for(tmp_path, 'public_url = "http://127.0.0.1:8080"\n') as client:
        assert "; secure" not in login_cookie(client)


def test_an_explicit_secure_cookies_setting_wins_over_the_public_url(tmp_path):
    with app_for(
        tmp_path, 'public_url = "https://vaxel.kommun.example"\nsecure_cookies = false\n'
    ) as client:
        assert "; secure" not in login_cookie(client)
