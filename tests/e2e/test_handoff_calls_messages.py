"""A message is delivered to a real SMTP server on loopback, escalated when its deadline
passes (the clock injected), and marked handled through the link in its e-mail; or to a
case system's JSON webhook on loopback, retried until it takes it.

Runs the message service in-process against the store a controller would use; the
scheduler job is ``MessageService.check``, the same call APScheduler makes."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from tests.support.controller import write_site_file
from tests.support.mail_inbox import Inbox, free_tcp_port
from tests.support.webhook import WebhookInbox
from vaxel.app import build_context
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.handoff.messages import Urgency
from vaxel.handoff.messaging import NewMessage
from vaxel.handoff.wiring import build_messages
from vaxel.web.app import create_app

# A Monday 10:00: the deadline is the end of Tuesday, 17:00.
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


def site(tmp_path: Path, smtp_port: int) -> Path:
    extra = (
        "[handoff]\n"
        f"smtp_port = {smtp_port}\n"
        'smtp_from = "vaxel@kommun.example"\n'
        'escalation_email = "chef@kommun.example"\n'
        "[handoff.units.bygglov]\n"
        'channel = "email"\n'
        'email = "bygglov@kommun.example"\n'
        'escalation_email = "bygglov-chef@kommun.example"\n'
    )
    return write_site_file(tmp_path, extra=extra)


def test_message_is_delivered_by_smtp_then_escalated_when_not_handled(tmp_path):
    inbox = Inbox()
    port = free_tcp_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        ctx = build_context(load_site_config(site(tmp_path, port)), clock=FixedClock(MONDAY))
        messages = build_messages(ctx)
        new = NewMessage("Karl Svensson", "+46701740699", "Fråga om attefallshus",
                         Urgency.URGENT, "bygglov")  # fmt: skip
        message, token = asyncio.run(messages.create(new))
        assert re.fullmatch(r"M-2026-\d{6}", message.reference)
        assert message.deadline == datetime.fromisoformat("2026-11-24T17:00:00+01:00")
        row = messages.store.message(message.reference)
        assert row is not None and row.status == "delivered" and row.delivery_attempts == 1
        ((to, mail),) = inbox.mails
        assert to == ["bygglov@kommun.example"]
        assert message.reference in mail and "attefallshus" in mail
        assert f"/messages/handled/{token}" in mail

        # Before the deadline nothing is escalated; a later process (new clock) escalates.
        asyncio.run(messages.check())
        assert len(inbox.mails) == 1
        later = build_context(load_site_config(site(tmp_path, port)),
                              clock=FixedClock(MONDAY + timedelta(days=1, hours=8)))  # fmt: skip
        asyncio.run(build_messages(later).check())
        assert len(inbox.mails) == 2
        to, mail = inbox.mails[1]
        assert to == ["bygglov-chef@kommun.example"] and message.reference in mail
        row = messages.store.message(message.reference)
        assert row is not None and row.status == "escalated" and row.escalated_at is not None
        asyncio.run(build_messages(later).check())  # escalated once, not every check
        assert len(inbox.mails) == 2

        # The link in the e-mail marks it handled (a click: GET shows a form, POST marks).
        later.services["handoff_messages"] = build_messages(later)
        from vaxel.handoff.api import make_pages

        later.page_routers.append(make_pages(later))
        client = TestClient(create_app(later))
        assert client.get(f"/messages/handled/{token}").status_code == 200
        assert messages.store.message(message.reference).status == "escalated"
        done = client.post(f"/messages/handled/{token}")
        assert done.status_code == 200 and message.reference in done.text
        assert messages.store.message(message.reference).status == "handled"
        assert client.post("/messages/handled/not-a-token").status_code == 404
        # A message without a recording has nothing to listen to behind its token.
        assert client.get(f"/messages/recording/{token}").status_code == 404
    finally:
        smtp.stop()


def test_failed_delivery_is_retried_and_tracked(tmp_path):
    port = free_tcp_port()  # nothing listens: every attempt fails
    ctx = build_context(load_site_config(site(tmp_path, port)), clock=FixedClock(MONDAY))
    messages = build_messages(ctx)
    new = NewMessage("Karl", None, "Ärende", Urgency.NORMAL, "bygglov")
    message, _ = asyncio.run(messages.create(new))
    row = messages.store.message(message.reference)
    assert row is not None and row.status == "created" and row.delivery_attempts == 1
    assert row.last_error and row.next_attempt_at is not None
    ctx.clock.advance(minutes=2)  # type: ignore[attr-defined]
    asyncio.run(messages.check())
    row = messages.store.message(message.reference)
    assert row is not None and row.delivery_attempts == 2


def webhook_site(tmp_path: Path, url: str) -> Path:
    extra = (
        "[handoff]\n"
        "delivery_first_delay_s = 60\n"
        "[handoff.units.socialtjanst]\n"
        'channel = "webhook"\n'
        f'webhook_url = "{url}"\n'
    )
    return write_site_file(tmp_path, extra=extra)


def test_message_is_delivered_to_a_webhook_with_retries_and_tracked_status(tmp_path):
    # The case system fails twice (503, 500) before it takes the message.
    with WebhookInbox(statuses=[503, 500]) as hook:
        ctx = build_context(load_site_config(webhook_site(tmp_path, hook.url)),
                            clock=FixedClock(MONDAY))  # fmt: skip
        messages = build_messages(ctx)
        new = NewMessage("Karl Svensson", "+46701740699", "Försörjningsstöd, fråga om beslut",
                         Urgency.NORMAL, "socialtjanst")  # fmt: skip
        message, token = asyncio.run(messages.create(new))
        row = messages.store.message(message.reference)
        assert row is not None and row.channel == "webhook" and row.status == "created"
        assert row.delivery_attempts == 1 and "503" in (row.last_error or "")
        asyncio.run(messages.check())  # not due yet: no new attempt
        assert len(hook.received) == 1
        for _ in range(2):
            ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
            asyncio.run(messages.check())
        row = messages.store.message(message.reference)
        assert row is not None and row.status == "delivered" and row.delivery_attempts == 3
        assert row.last_error is None and row.next_attempt_at is None
        assert [r["status"] for r in hook.received] == [503, 500, 200]
        payload = hook.received[-1]["json"]
        assert payload["reference"] == message.reference
        assert payload["subject"] == "Försörjningsstöd, fråga om beslut"
        assert payload["caller_number"] == "+46701740699"
        asyncio.run(messages.check())  # delivered once, not again
        assert len(hook.received) == 3
        # The delivered link works (a retry carries a fresh token: only hashes are stored).
        delivered_token = payload["handled_url"].rsplit("/messages/handled/", 1)[1]
        assert delivered_token != token
        handled = asyncio.run(messages.mark_handled(token=delivered_token))
        assert handled.reference == message.reference
        assert messages.store.message(message.reference).status == "handled"
