"""The telephonist's console in headless Chromium against the sandbox Asterisk: sipp citizens
call, sipp phones answer (or never do), and the page must show it live, drive the transfer
by keyboard, and survive a controller restart without a reload."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import wait_until
from tests.support.artefacts import screenshots_dir
from tests.support.axe import assert_no_serious_violations
from tests.support.handoff_calls import (
    ASA,
    ASA_ID,
    LENA,
    PASSWORD,
    bridged_together,
    directory_of,
    finish,
    first_ring,
    heard,
    start,
)
from tests.support.mail_inbox import Inbox, free_tcp_port
from tests.support.queue_calls import caller
from tests.support.sipp import phone, softphone
from tests.web.directory_live import CHROMIUM_ARGS
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.directory.store import HoursText
from vaxel.handoff.states import Target
from vaxel.handoff.wording import no_phone_hours_text
from vaxel.web.auth import Role

ASA_TARGET = Target("Åsa Nyström", person_id=ASA_ID, extension=ASA)
MIKAEL = "2015"  # Åsa's colleague in the LSS unit: free, with a sandbox desk phone


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def mailbox():
    """A real SMTP server on loopback (aiosmtpd) recording what is delivered, and its port."""
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_tcp_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        yield inbox, port
    finally:
        smtp.stop()


def open_console(browser, controller, base: str):  # type: ignore[no-untyped-def]
    """Telephonist t1001's account, logged in, on /console in English, the stream live."""
    ctx = build_context(load_site_config(controller.site_file))
    ctx.auth.create_user(username="t1001", display_name="Tove Telefonist", password=PASSWORD,
                         roles={Role.TELEPHONIST})  # fmt: skip
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("pageerror", lambda error: print(f"console page error: {error}"))  # in -s output
    page.goto(f"{base}/login?next=/console?lang=en")
    page.get_by_label("Användarnamn").fill("t1001")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector('#console[data-live="connected"]')
    return page


def log_in_from_console(page, view) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector('#my-status[data-status="available"]', timeout=5000)
    wait_until(lambda: (row := view.telephonist("t1001")) and row.status == "available",
               what="t1001 logged in through the queue service")  # fmt: skip


def entered_queue(ari_watch, number: str, seen: dict) -> None:  # type: ignore[no-untyped-def]
    ari_watch.wait_for(lambda e: e["type"] == "ChannelEnteredBridge"
                       and e["bridge"]["id"] == "vaxel-queue-centre"
                       and e["channel"]["caller"]["number"] == number, timeout=40)  # fmt: skip
    seen["at"] = time.monotonic()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(screenshots_dir() / name), full_page=True)


def test_waiting_citizen_appears_within_a_second_and_the_answered_call_shows_the_number_dialled(
    browser, pbx, ari_watch, tmp_path
):
    controller, view, _handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740790"
    telephonist = softphone(pbx, "1001", answer_after_ms=3000, hold_ms=20000)
    citizen = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        seen: dict = {}
        watcher = threading.Thread(target=entered_queue, args=(ari_watch, number, seen))
        watcher.start()
        citizen = caller(pbx, number)
        page.wait_for_selector("#waiting tr[data-entry-id]", timeout=40000)
        shown = time.monotonic()
        watcher.join(timeout=40)
        assert "at" in seen, controller.log()
        assert shown - seen["at"] < 1.0, f"{shown - seen['at']:.2f} s"
        row = page.locator("#waiting tr").first
        assert number[1:] in row.locator(".number").inner_text()
        assert row.locator(".dialled").get_attribute("data-number") == "switchboard"
        assert row.locator(".dialled").inner_text() == "Växeln"
        screenshot(page, "console-waiting.png")
        assert_no_serious_violations(page)
        page.wait_for_selector("#call:not([hidden])", timeout=20000)
        assert number[1:] in page.locator("#call-number").inner_text()
        page.wait_for_selector("#call-dialled:has-text('Växeln')", timeout=2000)
        assert page.locator("#my-status").get_attribute("data-status") == "on_call"
        wait_until(lambda: bridged_together(ari_watch, number, "PJSIP/1001"),
                   what="the citizen talking to 1001")  # fmt: skip
        page.wait_for_selector("#waiting tr[data-entry-id]", state="detached", timeout=5000)
        screenshot(page, "console-call.png")
        page.keyboard.press("a")
        page.keyboard.type("1")
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt:has-text('Wrap-up code 1 saved')", timeout=5000)
        wait_until(lambda: (row := view.by_number(number)) and row.wrapup_code == "1",
                   what="the wrap-up code stored on the call")  # fmt: skip
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        assert page.locator("#callback-number").input_value().endswith(number[1:])
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt:has-text('Callback booked to +46701740790')", timeout=5000)
        wait_until(lambda: any(e.kind == "callback" and e.caller_number == "+46701740790"
                               for e in view.entries()), what="the callback in the queue")  # fmt: skip
    finally:
        finish(pbx, controller, telephonist, citizen)


def test_keyboard_transfer_comes_back_with_the_reason_and_one_key_reaches_a_free_colleague(
    browser, pbx, ari_watch, tmp_path
):
    controller, view, handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740791"
    telephonist = softphone(pbx, "1001", hold_ms=60000)
    officer = phone(pbx, ASA, "never")
    colleague = softphone(pbx, MIKAEL, answer_after_ms=500, hold_ms=8000)
    citizen = back = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        began = time.time()
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)

        page.keyboard.press("/")
        page.keyboard.type("Åsa Nyström")
        page.wait_for_selector('#results li[data-person-id="E10014"]', timeout=5000)
        first = page.locator("#results li.result").first
        if first.get_attribute("data-person-id") != "E10014":
            page.keyboard.press("ArrowDown")
        assert page.locator("#results li.selected").get_attribute("data-person-id") == "E10014"
        page.keyboard.press("Enter")
        # Follow the call: the telephonist is freed at once and rung again when it comes back.
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", answer_after_ms=1500, hold_ms=60000)
        page.wait_for_selector("#transfer:not([hidden])", timeout=10000)
        assert "Åsa Nyström" in page.locator("#transfer-text").inner_text()

        page.wait_for_selector('#returned[data-reason="no_answer"]', timeout=30000)
        reason = page.locator("#returned-reason").inner_text()
        assert "No answer from Åsa Nyström" in reason, reason
        colleagues = page.locator("#returned-colleagues li[data-person-id]")
        assert colleagues.first.get_attribute("data-person-id") == "E10015"
        assert "Mikael Löfgren" in colleagues.first.inner_text()
        page.wait_for_selector('#returned[data-state="Returned"]', timeout=30000)
        assert bridged_together(ari_watch, number, "PJSIP/1001")  # back with the same one
        assert not bridged_together(ari_watch, number, f"PJSIP/{ASA}")  # Åsa never answered
        assert first_ring(ari_watch, f"PJSIP/{ASA}", after=began) is not None
        screenshot(page, "console-returned.png")
        assert_no_serious_violations(page)

        page.keyboard.press("Escape")  # out of the search field: single keys act again
        page.keyboard.press("n")
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{MIKAEL}"), 30,
                   what="the caller connected to Mikael")  # fmt: skip
        row = handoffs.wait_state("Done", timeout=20)
        assert row.state_kind == "Done"
        assert colleague.wait(timeout=30) == 0, colleague.tail()
        page.wait_for_selector("#returned", state="hidden", timeout=10000)
    finally:
        finish(pbx, controller, telephonist, officer, colleague, back, citizen)


def test_console_recovers_from_a_controller_restart_without_a_reload_and_still_shows_the_call(
    browser, pbx, ari_watch, tmp_path
):
    controller, view, _handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740792"
    telephonist = softphone(pbx, "1001", hold_ms=90000)
    citizen = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)
        entry = page.locator("#call").get_attribute("data-entry-id")
        page.evaluate("window.consoleMarker = 'same page'")
        controller.kill9()
        page.wait_for_selector('#console[data-live="reconnecting"]', timeout=10000)
        assert page.locator("#live-status").inner_text() == "Reconnecting …"
        controller.start()
        restarted = time.monotonic()
        page.wait_for_selector('#console[data-live="connected"]', timeout=5000)
        page.wait_for_selector(f'#call[data-entry-id="{entry}"]:not([hidden])', timeout=5000)
        page.wait_for_selector("#call-dialled:has-text('Växeln')", timeout=5000)
        assert time.monotonic() - restarted < 5.0
        assert page.evaluate("window.consoleMarker") == "same page"  # no reload
        assert number[1:] in page.locator("#call-number").inner_text()
    finally:
        finish(pbx, controller, telephonist, citizen)


def test_a_returned_call_takes_a_message_by_keyboard_and_shows_the_receipt_reference(
    browser, pbx, ari_watch, tmp_path, mailbox
):
    inbox, smtp_port = mailbox
    # Appended to the site's [handoff] table: messages go by e-mail to the loopback server.
    smtp = f'smtp_port = {smtp_port}\nsmtp_from = "vaxel@kommun.example"\n'
    controller, view, handoffs, base = start(tmp_path, smtp, pbx=pbx)
    number = "0701740793"
    telephonist = softphone(pbx, "1001", hold_ms=60000)
    officer = phone(pbx, ASA, "never")
    citizen = back = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)
        page.keyboard.press("/")
        page.keyboard.type("Åsa Nyström")
        page.wait_for_selector('#results li.selected[data-person-id="E10014"]', timeout=5000)
        page.keyboard.press("Enter")
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", answer_after_ms=1000, hold_ms=60000)
        page.wait_for_selector('#returned[data-state="Returned"]', timeout=40000)
        # Åsa has no phone hours: the panel says so, yet refer stays a key (the engine
        # tells the telephonist and keeps the call) and the message is still one key away.
        page.wait_for_selector('#returned-hours[data-phone-hours="none"]', timeout=5000)
        assert (
            page.locator("#returned-hours")
            .inner_text()
            .startswith("Åsa Nyström has no phone hours")
        )
        assert page.locator("#do-refer").is_enabled()
        page.keyboard.press("Escape")
        page.keyboard.press("t")
        wait_until(lambda: heard(ari_watch, "PJSIP/1001", no_phone_hours_text(ASA_TARGET)), 30,
                   what="the telephonist told there are no phone hours")  # fmt: skip
        row = handoffs.latest()
        assert row is not None and row.state_kind == "Returned", row and row.state
        assert page.locator("#do-message").is_enabled()
        page.keyboard.press("m")
        assert page.evaluate("document.activeElement.id") == "message-name"
        page.keyboard.type("Karl Andersson")
        page.keyboard.press("Tab")
        assert page.locator("#message-number").input_value().endswith(number[1:])
        page.keyboard.press("Tab")
        page.keyboard.type("Frågar om bostadsanpassning")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#receipt:has-text('reference')", timeout=10000)
        reference = page.locator("#receipt").inner_text().rsplit(" ", 1)[-1]
        messages = handoffs.store.messages()
        assert any(m.reference == reference for m in messages), [m.reference for m in messages]
        # The e-mail reached the SMTP server, addressed to Åsa, with the reference and subject.
        wait_until(lambda: inbox.mails, what="the message's e-mail delivered")
        ((to, mail),) = inbox.mails
        assert to == ["asa.nystrom@kommun.example"], to
        subject, body = mail.split("\n", 1)
        assert subject == f"Meddelande {reference}: Frågar om bostadsanpassning", subject
        assert f"Referensnummer: {reference}" in body and "Från: Karl Andersson" in body, body
        wait_until(lambda: (row := handoffs.store.message(reference)) and row.status == "delivered",
                   what="the message marked delivered")  # fmt: skip
        page.reload()  # the receipt stays on screen after a reload
        page.wait_for_selector('#console[data-live="connected"]')
        assert reference in page.locator("#receipt").inner_text()
    finally:
        finish(pbx, controller, telephonist, officer, back, citizen)


def test_a_call_returned_outside_phone_hours_shows_when_they_are_and_one_key_refers_to_them(
    browser, pbx, ari_watch, tmp_path
):
    def asa_on_tuesday_afternoons(controller) -> None:  # type: ignore[no-untyped-def]
        directory_of(controller).set_own_hours(ASA_ID, HoursText({"tue": ["13:00-15:00"]}, {}))

    controller, view, handoffs, base = start(tmp_path, pbx=pbx, prepare=asa_on_tuesday_afternoons)
    number = "0701740794"
    telephonist = softphone(pbx, "1001", hold_ms=60000)
    citizen = back = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        began = time.time()
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)
        page.keyboard.press("/")
        page.keyboard.type("Åsa Nyström")
        page.wait_for_selector('#results li.selected[data-person-id="E10014"]', timeout=5000)
        page.keyboard.press("Enter")
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", answer_after_ms=1000, hold_ms=60000)
        page.wait_for_selector('#returned[data-reason="outside_phone_hours"]', timeout=30000)
        assert "Åsa Nyström is outside phone hours" in page.locator("#returned-reason").inner_text()
        hours = page.locator("#returned-hours").inner_text()
        assert hours.startswith("Next phone hours:") and "24/11" in hours and "13:00" in hours
        assert first_ring(ari_watch, f"PJSIP/{ASA}", after=began) is None  # never rung
        page.wait_for_selector('#returned[data-state="Returned"]', timeout=40000)
        page.keyboard.press("Escape")
        page.keyboard.press("t")
        handoffs.wait_state("ReferredToPhoneHours", "Done", timeout=20)
        assert back.wait(timeout=30) == 0, back.tail()  # the telephonist is released
    finally:
        finish(pbx, controller, telephonist, back, citizen)


def test_a_call_not_answered_inside_phone_hours_shows_the_next_ones_and_one_key_refers(
    browser, pbx, ari_watch, tmp_path
):
    """Refer is not only for a target outside phone hours: any returned call may be
    referred to the target's next phone hours (here Monday's end, then Tuesday's)."""

    def asa_on_monday_and_tuesday_afternoon(controller) -> None:  # type: ignore[no-untyped-def]
        hours = HoursText({"mon": ["08:00-16:00"], "tue": ["13:00-15:00"]}, {})
        directory_of(controller).set_own_hours(ASA_ID, hours)

    controller, view, handoffs, base = start(
        tmp_path, pbx=pbx, prepare=asa_on_monday_and_tuesday_afternoon
    )
    number = "0701740796"
    telephonist = softphone(pbx, "1001", hold_ms=60000)
    officer = phone(pbx, ASA, "never")
    citizen = back = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)
        page.keyboard.press("/")
        page.keyboard.type("Åsa Nyström")
        page.wait_for_selector('#results li.selected[data-person-id="E10014"]', timeout=5000)
        page.keyboard.press("Enter")
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", answer_after_ms=1000, hold_ms=60000)
        page.wait_for_selector('#returned[data-reason="no_answer"]', timeout=40000)
        page.wait_for_selector('#returned[data-state="Returned"]', timeout=40000)
        hours = page.locator("#returned-hours").inner_text()
        assert hours.startswith("Next phone hours:") and "24/11" in hours and "13:00" in hours
        assert page.locator("#do-refer").is_enabled()
        page.keyboard.press("Escape")
        page.keyboard.press("t")
        handoffs.wait_state("ReferredToPhoneHours", "Done", timeout=20)
        assert back.wait(timeout=30) == 0, back.tail()  # the telephonist is released
    finally:
        finish(pbx, controller, telephonist, officer, back, citizen)


def test_attended_transfer_consults_by_shift_enter_and_completes_with_one_key(
    browser, pbx, ari_watch, tmp_path
):
    controller, view, handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740795"
    telephonist = softphone(pbx, "1001", hold_ms=60000)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=15000)
    citizen = None
    try:
        page = open_console(browser, controller, base)
        log_in_from_console(page, view)
        citizen = caller(pbx, number)
        page.wait_for_selector("#call:not([hidden])", timeout=40000)
        page.keyboard.press("/")
        page.keyboard.type("Lena Wikström")
        page.wait_for_selector('#results li.selected[data-person-id="E10011"]', timeout=5000)
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector("#do-complete:not([hidden])", timeout=20000)
        assert "Lena Wikström" in page.locator("#transfer-text").inner_text()
        assert number[1:] in page.locator("#call-number").inner_text()  # the caller, on hold
        page.keyboard.press("Escape")  # leaves the search field only
        page.keyboard.press("k")
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        row = handoffs.wait_state("Done", timeout=20)
        assert row.state_kind == "Done"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        page.wait_for_selector("#transfer", state="hidden", timeout=5000)
        page.wait_for_selector("#call", state="hidden", timeout=5000)
    finally:
        finish(pbx, controller, telephonist, target, citizen)
