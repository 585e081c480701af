"""The directory pages in headless Chromium: My phone, and the directory's live presence."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn

from tests.support.axe import assert_no_serious_violations
from tests.support.sipp import free_port, phone
from tests.unit.directory.dir_app import KARIN, PASSWORD, make_app
from tests.web.directory_live import CHROMIUM_ARGS, phone_dials, start_controller
from vaxel.web.app import create_app


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def web(tmp_path):
    """The in-process app (no Asterisk needed) served by uvicorn on a free port."""
    import socket

    made = make_app(tmp_path, f"sqlite:///{tmp_path / 'web.db'}")
    port = free_port(socket.SOCK_STREAM)
    server = uvicorn.Server(uvicorn.Config(create_app(made.ctx), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield made, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def log_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_officer_logs_in_sets_phone_hours_and_a_forward_and_logs_out(browser, web):
    made, base = web
    page = browser.new_page()
    log_in(page, base, "karin", "/my-phone")
    page.wait_for_url(f"{base}/my-phone")
    assert page.get_by_role("heading", level=1).inner_text() == "Min telefon"

    page.get_by_label("Måndag").fill("10:00-12:00")
    page.get_by_label("Onsdag").fill("10:00-12:00, 13:00-14:00")
    page.get_by_role("button", name="Spara telefontider").click()
    page.wait_for_selector("#saved")
    assert page.get_by_label("Onsdag").input_value() == "10:00-12:00, 13:00-14:00"

    # A refused target is explained next to the form, and focusable fields say so.
    page.get_by_label("När").select_option("unconditional")
    page.get_by_label("Till", exact=True).select_option("mobile")
    page.get_by_label("Anknytning eller mobilnummer").fill("123&PJSIP/evil")
    page.get_by_role("button", name="Spara vidarekoppling").click()
    alert = page.get_by_role("alert")
    assert "siffror" in alert.inner_text() or "digits" in alert.inner_text()
    assert page.get_by_label("Anknytning eller mobilnummer").get_attribute("aria-invalid") == "true"
    assert_no_serious_violations(page)  # the page with its error shown

    page.get_by_label("När").select_option("unconditional")
    page.get_by_label("Till", exact=True).select_option("extension")
    page.get_by_label("Anknytning eller mobilnummer").fill("2006")
    page.get_by_role("button", name="Spara vidarekoppling").click()
    page.wait_for_selector("#saved")
    assert "Per Åberg" in page.locator("#forward-list").inner_text()
    assert "Vidarekopplad" in page.locator("#my-status").inner_text()

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{base}/login")
    settings = made.service.settings(KARIN)
    assert [(f.kind.value, f.target.value) for f in settings.forwards] == [
        ("unconditional", "2006")
    ]
    assert settings.phone_hours is not None and len(settings.phone_hours.weekly[2]) == 2
    actions = {r.action for r in made.ctx.auth.audit_trail(f"person:{KARIN}")}
    assert {"directory.phone_hours.set", "directory.forward.set"} <= actions


def test_my_phone_is_keyboard_usable_in_english(browser, web):
    _made, base = web
    page = browser.new_page()
    log_in(page, base, "karin", "/my-phone?lang=en")
    page.wait_for_url(f"{base}/my-phone?lang=en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Phone hours").is_visible()
    page.get_by_label("Reason", exact=True).last.focus()
    page.keyboard.type("sjuk")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Close the extension"
    page.wait_for_selector("#saved")
    assert page.locator("#closed-now").inner_text() == "The extension is closed."
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_no_serious_violations(page)


def test_telephonist_sees_presence_change_to_on_a_call_within_a_second(
    browser, pbx, ari_watch, tmp_path
):
    controller, base = start_controller(tmp_path)
    softphone = caller = None
    try:
        page = browser.new_page()
        log_in(page, base, "tove", "/directory?lang=en")
        page.get_by_label("Name, title, unit or keyword").fill("torghandel")
        page.get_by_role("button", name="Search").click()
        status = page.locator(f'tr[data-person-id="{KARIN}"] .status')
        assert status.inner_text() == "Available"
        page.wait_for_selector("body[data-live=connected]")

        answered: dict[str, float] = {}

        def watch() -> None:
            ari_watch.wait_for(lambda e: e["type"] == "ChannelStateChange"
                               and e["channel"]["name"].startswith("PJSIP/2005-")
                               and e["channel"]["state"] == "Up", timeout=15)  # fmt: skip
            answered["at"] = time.monotonic()

        watcher = threading.Thread(target=watch)
        watcher.start()
        softphone = phone(pbx, "2005", "answer", answer_after_ms=300, hold_ms=8000)
        time.sleep(0.3)
        caller = phone_dials(pbx, "2001", "2005", hold_ms=4000)
        page.wait_for_selector(
            f'tr[data-person-id="{KARIN}"] .status[data-status="on_call"]', timeout=15000
        )
        seen = time.monotonic()
        watcher.join(timeout=15)
        assert "at" in answered, controller.log()
        assert seen - answered["at"] < 1.0, f"{seen - answered['at']:.2f} s"
        assert status.inner_text() == "On a call"
        assert "On a call" in page.locator("#presence-announcer").inner_text()
        assert caller.wait(timeout=30) == 0, caller.tail()
        page.wait_for_selector(
            f'tr[data-person-id="{KARIN}"] .status[data-status="available"]', timeout=10000
        )
    finally:
        for run in (caller, softphone):
            if run is not None:
                run.stop()
        controller.stop()
