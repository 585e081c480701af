"""The wallboard in headless Chromium against the sandbox Asterisk: a citizen's real call
changes the figures on the open page without a reload (waiting now from the queue, answered
today from the statistics), a kiosk screen follows live until its link is revoked, and screenshots at 1920x1080 and 1280x720 are kept in artefacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_vaxel
from tests.support.artefacts import screenshots_dir
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import (
    API_PASSWORD,
    QueueView,
    caller,
    log_in,
    queue_site,
    stop_all,
    with_web,
)
from tests.support.sipp import answering_phone
from tests.web.directory_live import CHROMIUM_ARGS
from vaxel.app import build_context
from vaxel.web.auth import Role

pytestmark = pytest.mark.e2e
SHOTS = screenshots_dir()


def waiting_tile(page, queue: str):  # type: ignore[no-untyped-def]
    return page.locator(f'section[data-queue="{queue}"] [data-figure="waiting"] .tile-value')


def kiosk_url(site: Path) -> str:
    added = run_vaxel("wallboard", "kiosk", "add", "Kundtjänst vägg", "--config", str(site))
    assert added.returncode == 0, added.stderr
    found = re.search(r"(http://\S+/kiosk/\S+)", added.stdout)
    assert found, added.stdout
    return found.group(1)


def test_a_real_call_changes_the_open_wallboard_and_a_revoked_kiosk_stops(pbx, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    site = queue_site(tmp_path, when_nobody_logged_in="admit")
    base = with_web(site)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    ctx = build_context(controller.config)
    ctx.auth.create_user(username="sara", display_name="Sara Supervisor", password=API_PASSWORD,
                         roles={Role.SUPERVISOR})  # fmt: skip
    kiosk = kiosk_url(site)
    SHOTS.mkdir(parents=True, exist_ok=True)
    runs = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{base}/login?next=/wallboard")
            page.get_by_label("Användarnamn").fill("sara")
            page.get_by_label("Lösenord").fill(API_PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_url(f"{base}/wallboard")
            expect(page.locator("#wb-connection")).to_have_text("● Direkt", timeout=10_000)
            expect(waiting_tile(page, "centre")).to_have_text("0", timeout=10_000)
            page.evaluate("window.notReloaded = true")
            wall = browser.new_page(viewport={"width": 1280, "height": 720})
            wall.goto(kiosk)
            expect(waiting_tile(wall, "centre")).to_have_text("0", timeout=10_000)

            runs.append(caller(pbx, "0701740681"))
            # The live figure changes on the open pages, without a reload.
            expect(waiting_tile(page, "centre")).to_have_text("1", timeout=20_000)
            expect(waiting_tile(wall, "centre")).to_have_text("1", timeout=10_000)
            assert page.evaluate("window.notReloaded") is True
            longest = page.locator('section[data-queue="centre"] [data-figure="longest_wait_s"]')
            expect(longest.locator(".tile-value")).to_have_text(re.compile(r"^0:0[1-9]|^0:[1-5]\d"))
            page.screenshot(path=str(SHOTS / "wallboard-1920x1080.png"))
            wall.screenshot(path=str(SHOTS / "wallboard-kiosk-1280x720.png"))

            # A telephonist logs in and answers: the statistics' own figure follows.
            runs.append(answering_phone(pbx, "1001", calls=1, hold_ms=3000))
            log_in(pbx, QueueView(controller), "1001")
            answered = page.locator('section[data-queue="centre"] [data-figure="answered"]')
            expect(answered.locator(".tile-value")).to_have_text("1", timeout=30_000)
            expect(waiting_tile(page, "centre")).to_have_text("0")
            assert page.evaluate("window.notReloaded") is True

            # Revoked: the open kiosk screen says so at once and stops.
            listed = run_vaxel("wallboard", "kiosk", "list", "--config", str(site))
            kiosk_id = listed.stdout.split("\t", 1)[0]
            revoked = run_vaxel("wallboard", "kiosk", "revoke", kiosk_id, "--config", str(site))
            assert revoked.returncode == 0, revoked.stderr
            expect(wall.locator("#wb-connection")).to_contain_text("återkallad", timeout=8_000)
            assert wall.request.get(kiosk).status == 403
            browser.close()
    finally:
        stop_all(runs, controller)
    for shot in ("wallboard-1920x1080.png", "wallboard-kiosk-1280x720.png"):
        assert (SHOTS / shot).stat().st_size > 10_000
