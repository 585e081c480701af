"""Overflow to "message" with real SIP: after the maximum wait the caller is asked for a
voice message; the message is stored with a reference, delivered by e-mail to the queue's
unit, and the caller is told the reference.

The sandbox Asterisk has no ``/var/spool/asterisk/recording`` directory, so its recordings
fail ("No such file or directory") and this test sees the fallback: the message carries the
caller's number instead of their voice. Whether a recording is attached is therefore not
asserted here."""

from __future__ import annotations

import json

from aiosmtpd.controller import Controller

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.mail_inbox import Inbox, free_tcp_port
from tests.support.queue_calls import QueueView, caller, full_log, queue_site, said
from vaxel import db
from vaxel.handoff.store import HandoffStore
from vaxel.queue.texts import say
from vaxel.queue.voice_message import spoken_reference

UNIT_EMAIL = "medborgarcenter@kommun.example"


def taken_reference(controller: ControllerProcess) -> str | None:
    for line in full_log(controller).splitlines():
        if '"queue_message_taken"' in line:
            return str(json.loads(line)["reference"])
    return None


def test_caller_overflowing_to_message_is_told_a_reference_and_the_message_is_delivered(
    pbx, tmp_path
):
    inbox = Inbox()
    smtp_port = free_tcp_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    site = queue_site(tmp_path, when_nobody_logged_in="admit", max_wait_s=10,
                      overflow="message", message_unit="medborgarcenter")  # fmt: skip
    site.write_text(
        site.read_text() + f"\n[handoff]\nsmtp_port = {smtp_port}\n"
        'smtp_from = "vaxel@kommun.example"\n'
        f'[handoff.units.medborgarcenter]\nchannel = "email"\nemail = "{UNIT_EMAIL}"\n'
    )
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    number = "0701740861"
    # Nobody is logged in: after 10 s the caller is asked for a message, speaks after the
    # tone and presses # (more than once, in case the first comes before the tone).
    steps = [("pause", 27000), ("audio", ""), ("pause", 4000),
             *[step for _ in range(3) for step in (("dtmf", "#"), ("pause", 3000))]]  # fmt: skip
    citizen = caller(pbx, number, steps)
    try:
        entry = view.wait_open(1)[0]
        reference = wait_until(lambda: taken_reference(controller), timeout=70,
                               what="the message taken")  # fmt: skip
        left = view.by_number(number)
        assert left is not None and left.id == entry.id and left.left_reason == "message"
        store = HandoffStore(db.make_sessionmaker(db.make_engine(controller.config.database.url)))
        message = store.message(reference)
        assert message is not None and message.caller_number == number
        assert message.target_unit == "medborgarcenter"
        wait_until(lambda: store.message(reference).status == "delivered",
                   what="the message delivered")  # fmt: skip
        ((to, mail),) = inbox.mails
        assert to == [UNIT_EMAIL] and reference in mail and number in mail
        wait_until(lambda: said(controller, say("message_taken",
                                                reference=spoken_reference(reference))),
                   timeout=20, what="the reference told to the caller")  # fmt: skip
        assert said(controller, say("message_prompt"))
    finally:
        citizen.stop()
        controller.stop()
        smtp.stop()
