"""After a transfer that was simply not answered, with real SIP: ``*4`` refers the caller to
the target's next phone hours (the reason it came back does not matter), and the call is
counted as a referral with no wrap-up code; with no phone hours the telephonist is told so
and keeps the caller, and a message taken then counts as a message, again with no code."""

from __future__ import annotations

import json
import time

import httpx

from tests.conftest import wait_until
from tests.e2e.test_handoff_calls_referral import (
    OFFER,
    WHISPERED_MS,
    caller_channel,
    hung_up_after,
    webhook_for_lenas_unit,
)
from tests.support.handoff_calls import (
    LENA,
    LENA_ID,
    bearer,
    bridged_together,
    caller_channel_destroyed,
    directory_of,
    finish,
    first_ring,
    hang_up_mine,
    heard,
    serve_then_transfer,
    start,
    transfer_keys,
)
from tests.support.ivr_calls import media_played, sound_of
from tests.support.queue_calls import labels_named
from tests.support.sipp import phone, softphone
from tests.support.webhook import WebhookInbox
from vaxel import db
from vaxel.directory.store import HoursText
from vaxel.stats.model import Contact, classify
from vaxel.stats.reader import Reader

# The controller runs as if on Monday 23 November 2026 at 10:00. Lena is in her Monday
# phone hours (so her phone rings, and nobody answers it); the next ones are on Tuesday.
NEXT_HOURS = "Lena Wikström har telefontid tisdag 24 november klockan 13.00."
NO_HOURS = (
    "Lena Wikström har ingen kommande telefontid. "
    "Välj en kollega, ett meddelande eller en ny koppling."
)
# Not the other handoff tests' 07017407...: a run in another checkout hangs those up.
OURS = "07017498"
RECEIPT = "Ditt meddelande är registrerat. Ditt referensnummer är {reference}."


def lena_on_monday_mornings_and_tuesday_afternoons(controller) -> None:  # type: ignore[no-untyped-def]
    hours = HoursText({"mon": ["09:00-12:00"], "tue": ["13:00-15:00"]}, {})
    directory_of(controller).set_own_hours(LENA_ID, hours)


def lena_without_phone_hours(controller) -> None:  # type: ignore[no-untyped-def]
    directory_of(controller).set_own_hours(LENA_ID, None)


def bound(start_phone):  # type: ignore[no-untyped-def]
    """A sandbox phone that got its port: a run in another checkout may hold it for a moment
    (its sipp exits at once with "Unable to bind main socket"), so try again."""
    for _ in range(40):
        run = start_phone()
        time.sleep(0.5)
        if run.process.poll() is None:
            return run
        time.sleep(0.5)
    raise AssertionError("the phone's port stayed taken by someone else")


def finish_ours(pbx: dict, controller, *runs) -> None:  # type: ignore[no-untyped-def]
    try:
        hang_up_mine(pbx, OURS)
    finally:
        finish(pbx, controller, *runs)


def stored_contact(controller, contact_id: str) -> Contact | None:  # type: ignore[no-untyped-def]
    reader = Reader(db.make_sessionmaker(db.make_engine(controller.config.database.url)))
    found = reader.contact(contact_id)
    return found[0] if found is not None else None


def stored_outcome(controller, contact_id: str, outcome: str) -> Contact:  # type: ignore[no-untyped-def]
    """The statistics store's contact, once it is classified as ``outcome``."""
    return wait_until(  # type: ignore[no-any-return]
        lambda: (c := stored_contact(controller, contact_id)) is not None
        and str(classify(c)) == outcome and c,
        20, what=f"the contact counted as {outcome}",
    )  # fmt: skip


def returned_whisper(failure: dict) -> str:
    whisper = "Inget svar hos Lena Wikström"
    if failure.get("colleague"):
        whisper += f". Ledig kollega: {failure['colleague']}"
    return whisper


def test_star_four_after_no_answer_refers_to_next_phone_hours_and_counts_as_referral(
    pbx, tmp_path, ari_watch
):
    controller, view, handoffs, _ = start(
        tmp_path, pbx=pbx, prepare=lena_on_monday_mornings_and_tuesday_afternoons
    )
    number = OURS + "41"
    runs: list = []
    telephonist = target = back = None
    try:  # the phones inside: a phone that never starts must still stop the controller
        telephonist = bound(lambda: softphone(pbx, "1001", transfer_keys(LENA)))
        target = bound(lambda: phone(pbx, LENA, "never"))
        began = serve_then_transfer(pbx, view, controller, number, telephonist, runs)
        back = bound(
            lambda: softphone(pbx, "1001", [("pause", WHISPERED_MS), ("dtmf", "*4")], hold_ms=30000)
        )
        referred = handoffs.wait_state("ReferredToPhoneHours", "Done", timeout=60)
        state = json.loads(referred.state)
        assert referred.state_kind == "ReferredToPhoneHours", referred.state
        # Lena's phone rang and nobody answered: not outside her phone hours.
        assert first_ring(ari_watch, f"PJSIP/{LENA}", after=began) is not None
        failure = state["failure"]
        assert failure["outcome"]["v"] == "no_answer"
        assert heard(ari_watch, "PJSIP/1001", returned_whisper(failure))
        # The caller hears Tuesday 13.00 and the offer; the telephonist is released.
        caller_id = caller_channel(ari_watch, number)
        wait_until(lambda: sound_of(NEXT_HOURS + OFFER) in media_played(ari_watch, caller_id),
                   15, what="the next phone hours spoken to the caller")  # fmt: skip
        assert back.wait(timeout=15) == 0, back.tail()  # BYE from Asterisk: freed
        # Nobody presses 1: the caller is hung up after the offer, the call a referral.
        done = handoffs.wait_state("Done", timeout=40)
        assert json.loads(done.state)["outcome"]["v"] == "referred"
        wait_until(lambda: hung_up_after(ari_watch, caller_id, NEXT_HOURS + OFFER), 20,
                   what="the caller hung up after the referral")  # fmt: skip
        # The statistics count it as a referral, with no wrap-up code keyed.
        assert done.call_id
        contact = stored_outcome(controller, done.call_id, "referred_to_phone_hours")
        assert contact.wrap_up is None
        [fact] = [f for f in labels_named(controller, "HandoffConcluded")
                  if f["handoff_id"] == done.id]  # fmt: skip
        assert (fact["outcome"], fact["reason"]) == ("referred", "no_answer")
        assert fact["next_phone_hours"].startswith("2026-11-24T13:00:00")
    finally:
        finish_ours(pbx, controller, telephonist, target, back, *runs)


def test_star_four_without_phone_hours_tells_telephonist_who_then_takes_a_message(
    pbx, tmp_path, ari_watch
):
    with WebhookInbox() as hook:
        controller, view, handoffs, base = start(
            tmp_path, extra=webhook_for_lenas_unit(hook.url), pbx=pbx,
            prepare=lena_without_phone_hours,
        )  # fmt: skip
        number = OURS + "42"
        runs: list = []
        telephonist = target = back = None
        try:
            telephonist = bound(lambda: softphone(pbx, "1001", transfer_keys(LENA)))
            target = bound(lambda: phone(pbx, LENA, "never"))
            headers = bearer(controller, base)
            serve_then_transfer(pbx, view, controller, number, telephonist, runs)
            back = bound(lambda: softphone(pbx, "1001", [("pause", WHISPERED_MS),
                                                         ("dtmf", "*4")], hold_ms=60000))  # fmt: skip
            handoffs.wait_state("Returned", timeout=60)
            caller_id = caller_channel(ari_watch, number)
            played_before = media_played(ari_watch, caller_id)
            # *4: the telephonist is told there are no phone hours to refer to...
            wait_until(lambda: heard(ari_watch, "PJSIP/1001", NO_HOURS), 30,
                       what="the telephonist told there are no phone hours")  # fmt: skip
            row = handoffs.latest()
            assert row is not None and row.state_kind == "Returned", row and row.state
            assert json.loads(row.state)["failure"]["no_phone_hours"] is True
            # ...the caller stays with them, hearing nothing of it...
            assert media_played(ari_watch, caller_id) == played_before
            assert not caller_channel_destroyed(ari_watch, number)
            assert bridged_together(ari_watch, number, "PJSIP/1001")
            # ...and the API shows why it came back and what is left to do, structured.
            [shown] = [h for h in httpx.get(f"{base}/api/v1/handoffs", headers=headers,
                                            timeout=10).json() if h["id"] == row.id]  # fmt: skip
            returned = shown["returned"]
            assert (shown["state"], returned["reason"], returned["phone_hours"]) == (
                "Returned", "no_answer", "none")  # fmt: skip
            assert returned["next_phone_hours"] is None
            assert returned["target"]["person_id"] == LENA_ID
            assert returned["ring_time_s"] is not None and returned["ring_time_s"] >= 4
            assert isinstance(returned["colleagues"], list)
            # The telephonist takes a message instead; the caller hears its reference.
            reply = httpx.post(f"{base}/api/v1/handoffs/{row.id}/message", headers=headers,
                               json={"caller_name": "Karin Holm", "subject": "Om bidraget"},
                               timeout=20)  # fmt: skip
            assert reply.status_code == 201, reply.text
            reference = reply.json()["reference"]
            receipt = RECEIPT.format(reference=reference)
            wait_until(lambda: sound_of(receipt) in media_played(ari_watch, caller_id), 15,
                       what="the receipt")  # fmt: skip
            wait_until(lambda: hung_up_after(ari_watch, caller_id, receipt), 20,
                       what="the caller hung up after the receipt")  # fmt: skip
            assert back.wait(timeout=15) == 0, back.tail()  # released by the message
            done = handoffs.wait_state("Done", timeout=20)
            assert json.loads(done.state)["outcome"]["v"] == "message"
            wait_until(lambda: hook.received, 15, what="the message delivered")
            assert hook.received[0]["json"]["reference"] == reference
            # Counted as a message, with no wrap-up code keyed.
            assert done.call_id
            contact = stored_outcome(controller, done.call_id, "message_taken")
            assert contact.wrap_up is None
            assert [str(s.kind) for s in contact.stints].count("message") == 1
            [fact] = [f for f in labels_named(controller, "HandoffConcluded")
                      if f["handoff_id"] == done.id]  # fmt: skip
            assert (fact["outcome"], fact["reason"]) == ("message", "no_answer")
        finally:
            finish_ours(pbx, controller, telephonist, target, back, *runs)
