"""Login throttling per account and per address, audit of failures, a bound on concurrent
password checks, and the login form's CSRF token (issue #11, finding 4)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.web_login import login_form_token, page_login
from tests.unit.web.web_app import PASSWORD, site_file
from vaxel.app import build_context
from vaxel.clock import STOCKHOLM, FixedClock
from vaxel.config import load_site_config
from vaxel.web.app import create_app
from vaxel.web.auth import Role
from vaxel.web.login_guard import ACCOUNT_LIMIT, Busy, FailureWindow, Limit, LoginGuard

START = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)


@pytest.fixture()
def site(tmp_path):
    clock = FixedClock(START)
    ctx = build_context(load_site_config(site_file(tmp_path)), clock=clock)
    ctx.auth.create_user(username="anna", display_name="Anna", password=PASSWORD,
                         roles={Role.OFFICER})  # fmt: skip
    with TestClient(create_app(ctx)) as client:
        yield client, clock, ctx


def api_login(client: TestClient, password: str, username: str = "anna"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_forty_wrong_passwords_then_the_right_one_does_not_log_in_until_the_window_passes(site):
    client, clock, _ctx = site
    statuses = [api_login(client, f"wrong guess {i}").status_code for i in range(40)]
    assert statuses == [401] * ACCOUNT_LIMIT.failures + [429] * (40 - ACCOUNT_LIMIT.failures)
    right = api_login(client, PASSWORD)
    assert right.status_code == 429
    assert right.json()["error"] == "too_many_attempts" and "token" not in right.json()
    assert 0 < int(right.headers["retry-after"]) <= ACCOUNT_LIMIT.window.total_seconds()
    clock.advance(seconds=int(right.headers["retry-after"]))
    assert api_login(client, PASSWORD).status_code == 200


def test_the_page_form_is_throttled_with_retry_after_and_shares_the_count_with_the_api(site):
    client, _clock, _ctx = site
    for i in range(ACCOUNT_LIMIT.failures):
        assert page_login(client, "anna", f"wrong guess {i}").status_code == 401
    page = page_login(client, "anna", PASSWORD)
    assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
    assert "vaxel_session" not in page.headers.get("set-cookie", "")
    assert 'role="alert"' in page.text
    assert api_login(client, PASSWORD).status_code == 429


def test_failed_and_throttled_logins_are_in_the_audit_log_once_per_burst(site):
    client, _clock, ctx = site
    for i in range(ACCOUNT_LIMIT.failures + 20):
        api_login(client, f"wrong guess {i}")
    actions = [r.action for r in ctx.auth.audit_trail("user:anna", limit=500)]
    assert actions.count("login.failed") == ACCOUNT_LIMIT.failures
    assert actions.count("login.throttled") == 1
    failed = next(r for r in ctx.auth.audit_trail("user:anna") if r.action == "login.failed")
    assert failed.actor == "anna" and '"client"' in failed.detail


def test_an_unknown_username_is_audited_too(site):
    client, _clock, ctx = site
    api_login(client, "whatever password", username="mallory")
    assert [r.action for r in ctx.auth.audit_trail("user:mallory")] == ["login.failed"]


def test_the_login_form_without_its_csrf_token_is_refused(site):
    client, _clock, _ctx = site
    bare = client.post("/login", data={"username": "anna", "password": PASSWORD},
                       follow_redirects=False)  # fmt: skip
    assert bare.status_code == 403 and "vaxel_session" not in bare.headers.get("set-cookie", "")
    token = login_form_token(client)
    client.cookies.clear()
    no_cookie = client.post("/login", data={"username": "anna", "password": PASSWORD,
                                            "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert no_cookie.status_code == 403
    forged = "nonce.0000"
    client.cookies.set("vaxel_login_csrf", forged, path="/login")
    made_up = client.post("/login", data={"username": "anna", "password": PASSWORD,
                                          "csrf_token": forged}, follow_redirects=False)  # fmt: skip
    assert made_up.status_code == 403


def test_many_accounts_from_one_address_are_throttled_by_address():
    clock = FixedClock(START)
    guard = LoginGuard(clock=clock, address=Limit(5, timedelta(minutes=15)))
    for i in range(5):
        guard.failed(f"user{i}", "10.0.0.7")
    assert guard.retry_after("anna", "10.0.0.7") > 0
    assert guard.retry_after("anna", "10.0.0.8") == 0


def test_a_failure_window_lets_attempts_in_again_as_old_failures_age_out():
    window = FailureWindow(Limit(3, timedelta(minutes=15)))
    for minute in (0, 1, 2):
        window.record("anna", START + timedelta(minutes=minute))
    assert window.retry_after("anna", START + timedelta(minutes=2)) == 13 * 60
    assert window.retry_after("anna", START + timedelta(minutes=15, seconds=1)) == 0


def test_a_failure_window_forgets_the_oldest_keys_beyond_its_bound():
    window = FailureWindow(Limit(1, timedelta(minutes=15)), max_keys=3)
    for i in range(5):
        window.record(f"user{i}", START)
    assert window.retry_after("user0", START) == 0
    assert window.retry_after("user4", START) > 0


def test_no_more_than_the_bound_of_password_checks_run_at_once():
    async def scenario() -> int:
        guard = LoginGuard(clock=FixedClock(START), concurrent_checks=2, queue_timeout_s=5)
        inside, most, release = 0, 0, asyncio.Event()

        async def check() -> None:
            nonlocal inside, most
            async with guard.checking():
                inside += 1
                most = max(most, inside)
                await release.wait()
                inside -= 1

        tasks = [asyncio.create_task(check()) for _ in range(6)]
        while inside < 2:
            await asyncio.sleep(0)
        for _ in range(20):  # give the other four every chance to get in too
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
        return most

    assert asyncio.run(scenario()) == 2


def test_a_password_check_that_cannot_get_a_slot_in_time_is_refused_as_busy():
    async def scenario() -> None:
        guard = LoginGuard(clock=FixedClock(START), concurrent_checks=1, queue_timeout_s=0.05)
        async with guard.checking():
            with pytest.raises(Busy):
                async with guard.checking():
                    pass

    asyncio.run(scenario())
