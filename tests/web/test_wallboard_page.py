"""The wallboard page in headless Chromium on the in-process app (no Asterisk): levels are
shown by colour and by a word and symbol, a lost server is shown as reconnecting until the
page is live again without a reload, and an ended login stops the open page."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
import uvicorn

from tests.support.artefacts import screenshots_dir
from tests.support.axe import assert_no_serious_violations
from tests.support.sipp import free_port
from tests.unit.console.wallboard_app import PASSWORD, make_app
from tests.web.directory_live import CHROMIUM_ARGS
from vaxel.queue.model import Entry
from vaxel.queue.telephonists import Available, OnCall, Paused
from vaxel.web.app import create_app

SHOTS = screenshots_dir()


def serve(app, port: int) -> uvicorn.Server:  # type: ignore[no-untyped-def]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", timeout_graceful_shutdown=1))  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.02)
    return server


@pytest.fixture()
def busy(tmp_path):
    """Nine callers in the centre queue, the oldest for 7 minutes; telephonists at work."""
    made = make_app(tmp_path, refresh_s=0.5)
    now = made.ctx.clock.now()
    for n in range(9):
        entry = Entry(id=f"e{n}", queue="centre", entered_at=now - timedelta(seconds=420 - 30 * n),
                      channel_id=f"ch{n}")  # fmt: skip
        made.queues.entries[entry.id] = entry
    people = made.queues.people
    people["t1001"] = replace(people["t1001"], status=Paused("lunch"))
    people["t1002"] = replace(people["t1002"], status=OnCall("e0"))
    people["t1003"] = replace(people["t1003"], status=Available())
    return made


def test_levels_read_without_colour_and_reconnecting_is_shown(busy):
    from playwright.sync_api import expect, sync_playwright

    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    app = create_app(busy.ctx)
    server = serve(app, port)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{base}/login?next=/wallboard")
            page.get_by_label("Användarnamn").fill("sara")
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_url(f"{base}/wallboard")
            centre = page.locator('section[data-queue="centre"]')
            waiting = centre.locator('[data-figure="waiting"]')
            expect(waiting.locator(".tile-value")).to_have_text("9", timeout=10_000)
            expect(waiting).to_have_class("tile level-alarm")
            expect(waiting.locator(".tile-level")).to_have_text("✖ Larm")
            longest = centre.locator('[data-figure="longest_wait_s"]')
            expect(longest.locator(".tile-value")).to_have_text(re.compile(r"^7:\d\d$"))
            expect(longest).to_have_class("tile level-alarm")
            expect(centre.locator(".person.state-paused")).to_contain_text("Paus (lunch)")
            expect(centre.locator(".person.state-on_call")).to_contain_text("I samtal")
            page.evaluate("window.notReloaded = true")
            page.screenshot(path=str(SHOTS / "wallboard-levels-1920x1080.png"))
            assert_no_serious_violations(page)

            server.should_exit = True
            expect(page.locator("#wb-connection")).to_have_text("⟳ Återansluter …", timeout=15_000)
            server = serve(app, port)
            expect(page.locator("#wb-connection")).to_have_text("● Direkt", timeout=15_000)
            assert page.evaluate("window.notReloaded") is True

            # The login ends (logged out elsewhere, expired): the open page stops and says so.
            cookie = next(c for c in page.context.cookies() if c["name"] == "vaxel_session")
            busy.ctx.auth.close_session(cookie["value"])
            expect(page.locator("#wb-connection")).to_have_text(
                "✖ Du är inte längre inloggad: ladda om sidan", timeout=8_000
            )
            browser.close()
    finally:
        server.should_exit = True
