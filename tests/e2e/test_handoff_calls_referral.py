"""After the call came back, with real SIP: ``*4`` refers the caller to the target's phone
hours (spoken, then an offer to leave a message instead), ``*5`` lets the caller record a
message in their own voice. The message, with its recording, is delivered to the unit's
case system by JSON webhook on loopback."""

from __future__ import annotations

import json

import httpx

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    LENA,
    LENA_ID,
    caller_channel_destroyed,
    directory_of,
    finish,
    first_ring,
    heard,
    serve_then_transfer,
    start,
    transfer_keys,
)
from tests.support.ivr_calls import media_played, sound_of
from tests.support.sipp import softphone
from tests.support.webhook import WebhookInbox
from vaxel import db
from vaxel.directory.store import HoursText
from vaxel.handoff.store import HandoffStore

# The controller runs as if on Monday 23 November 2026 at 10:00; Lena answers on Tuesdays.
NEXT_HOURS = "Lena Wikström har telefontid tisdag 24 november klockan 13.00."
OFFER = " Vill du lämna ett meddelande i stället, tryck 1."
RECORD_PROMPT = "Tala in ditt meddelande efter tonen. Tryck fyrkant när du är klar."
# Keys pressed during the queue's whisper reach nobody: the telephonist waits it out (about 8 s).
WHISPERED_MS = 11000
RECEIPT = "Ditt meddelande är registrerat. Ditt referensnummer är {reference}."


def lena_on_tuesday_afternoons(controller) -> None:  # type: ignore[no-untyped-def]
    directory_of(controller).set_own_hours(LENA_ID, HoursText({"tue": ["13:00-15:00"]}, {}))


def webhook_for_lenas_unit(url: str) -> str:
    return f'[handoff.units.Bostadsanpassning]\nchannel = "webhook"\nwebhook_url = "{url}"\n'


def caller_channel(ari_watch, number: str) -> str:  # type: ignore[no-untyped-def]
    return next(e["channel"]["id"] for e in list(ari_watch.events)
                if e["type"] == "ChannelCreated" and e["channel"]["caller"]["number"] == number
                and e["channel"]["name"].startswith("PJSIP/trunk-"))  # fmt: skip


def stored_recording(pbx: dict, name: str) -> dict:
    auth = (pbx["ari_user"], pbx["ari_password"])
    reply = httpx.get(f"{pbx['ari_url']}/recordings/stored/{name}", auth=auth, timeout=5)
    assert reply.status_code == 200, reply.text
    return reply.json()  # type: ignore[no-any-return]


def hung_up_after(ari_watch, channel_id: str, text: str) -> bool:  # type: ignore[no-untyped-def]
    """The controller ended the caller's channel only after ``text`` had been played out.

    (The citizen's sipp may still be pressing keys then, so its exit code says nothing.)"""
    events = list(ari_watch.events)
    played = next((i for i, e in enumerate(events) if e["type"] == "PlaybackFinished"
                   and e["playback"]["media_uri"] == sound_of(text)
                   and e["playback"]["target_uri"] == f"channel:{channel_id}"), None)  # fmt: skip
    gone = next((i for i, e in enumerate(events) if e["type"] == "ChannelDestroyed"
                 and e["channel"]["id"] == channel_id), None)  # fmt: skip
    return played is not None and gone is not None and gone > played


def assert_recording_linked(payload: dict) -> None:
    """The delivered message links the caller's voice: the controller serves the WAV."""
    reply = httpx.get(payload["recording_url"], timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "audio/wav" and reply.content[:4] == b"RIFF"


def keys_every(digit: str, after_ms: int, times: int, gap_ms: int = 1500) -> list:
    """The citizen keeps pressing ``digit``: when the prompt asks is not known exactly."""
    steps: list = [("pause", after_ms)]
    for _ in range(times):
        steps += [("dtmf", digit), ("pause", gap_ms)]
    return steps


def message_rows(controller):  # type: ignore[no-untyped-def]
    return HandoffStore(db.make_sessionmaker(db.make_engine(controller.config.database.url)))


def start_lena_outside_phone_hours(tmp_path, pbx: dict, hook: WebhookInbox):  # type: ignore[no-untyped-def]
    controller, view, handoffs, _ = start(
        tmp_path, extra=webhook_for_lenas_unit(hook.url), pbx=pbx,
        prepare=lena_on_tuesday_afternoons,
    )  # fmt: skip
    return controller, view, handoffs


def voice_message_delivered(pbx: dict, controller, handoffs, hook: WebhookInbox):  # type: ignore[no-untyped-def]
    """The handoff ended in a message whose recording Asterisk stored, delivered by the
    webhook with a link to that recording; returns the message row and the payload."""
    done = handoffs.wait_state("Done", timeout=60)
    assert json.loads(done.state)["outcome"]["v"] == "message"
    (message,) = [m for m in message_rows(controller).messages() if m.handoff_id == done.id]
    recording = stored_recording(pbx, message.recording)
    assert recording["name"] == message.recording and recording["format"] == "wav"
    wait_until(lambda: hook.received, 15, what="the webhook delivery")
    payload = hook.received[0]["json"]
    assert payload["reference"] == message.reference
    assert payload["recording"] == message.recording
    assert_recording_linked(payload)
    return message, payload


def receipt_then_hang_up(ari_watch, caller_id: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    receipt = RECEIPT.format(reference=reference)
    wait_until(lambda: sound_of(receipt) in media_played(ari_watch, caller_id), 15,
               what="the receipt")  # fmt: skip
    wait_until(lambda: hung_up_after(ari_watch, caller_id, receipt), 20,
               what="the caller hung up after the receipt")  # fmt: skip


def test_referral_to_phone_hours_speaks_them_and_the_caller_can_leave_a_message(
    pbx, tmp_path, ari_watch
):
    with WebhookInbox() as hook:
        controller, view, handoffs = start_lena_outside_phone_hours(tmp_path, pbx, hook)
        number = "0701740731"
        telephonist = softphone(pbx, "1001", transfer_keys(LENA))
        runs: list = []
        back = None
        try:
            # Presses 1 (message instead) late and often, then # to end the recording.
            keys = [*keys_every("1", 24000, 14), *keys_every("#", 0, 15)]
            began = serve_then_transfer(pbx, view, controller, number, telephonist, runs, keys)
            back = softphone(pbx, "1001", [("pause", WHISPERED_MS), ("dtmf", "*4")], hold_ms=20000)
            row = handoffs.wait_state("Returned", timeout=30)
            # Back with the same telephonist, though the whisper is long (about 8 s).
            assert json.loads(row.state)["returned_to"]["v"] == "telephonist"
            failure = json.loads(row.state)["failure"]
            assert failure["outcome"]["v"] == "outside_phone_hours"
            assert first_ring(ari_watch, f"PJSIP/{LENA}", after=began) is None  # never rung
            whisper = ("Utanför telefontid hos Lena Wikström, nästa telefontid tisdag "
                       "24 november klockan 13.00")  # fmt: skip
            if failure.get("colleague"):
                whisper += f". Ledig kollega: {failure['colleague']}"
            assert heard(ari_watch, "PJSIP/1001", whisper)
            # *4: the telephonist is released, the caller hears Tuesday 13.00 and the offer.
            handoffs.wait_state("ReferredToPhoneHours", timeout=30)
            caller_id = caller_channel(ari_watch, number)
            wait_until(lambda: sound_of(NEXT_HOURS + OFFER) in media_played(ari_watch, caller_id),
                       10, what="the next phone hours spoken to the caller")  # fmt: skip
            assert back.wait(timeout=15) == 0, back.tail()  # BYE from Asterisk: freed
            # 1: the caller records a message instead, and hears its reference.
            wait_until(lambda: sound_of(RECORD_PROMPT) in media_played(ari_watch, caller_id),
                       40, what="the recording prompt")  # fmt: skip
            message, payload = voice_message_delivered(pbx, controller, handoffs, hook)
            assert payload["target_unit"] == "Bostadsanpassning"
            receipt_then_hang_up(ari_watch, caller_id, message.reference)
        finally:
            finish(pbx, controller, telephonist, back, *runs)


def test_star_five_records_the_callers_own_voice_and_delivers_it(pbx, tmp_path, ari_watch):
    with WebhookInbox() as hook:
        controller, view, handoffs = start_lena_outside_phone_hours(tmp_path, pbx, hook)
        number = "0701740732"
        telephonist = softphone(pbx, "1001", transfer_keys(LENA))
        runs: list = []
        back = None
        try:
            keys = keys_every("#", 30000, 20)
            serve_then_transfer(pbx, view, controller, number, telephonist, runs, keys)
            back = softphone(pbx, "1001", [("pause", WHISPERED_MS), ("dtmf", "*5")], hold_ms=20000)
            handoffs.wait_state("TakingMessage", timeout=40)
            assert back.wait(timeout=15) == 0, back.tail()  # freed for the next call
            caller_id = caller_channel(ari_watch, number)
            wait_until(lambda: sound_of(RECORD_PROMPT) in media_played(ari_watch, caller_id),
                       15, what="the recording prompt")  # fmt: skip
            assert not caller_channel_destroyed(ari_watch, number)
            message, payload = voice_message_delivered(pbx, controller, handoffs, hook)
            assert payload["subject"] == "Röstmeddelande till Lena Wikström"
            wait_until(lambda: message_rows(controller).message(message.reference).status
                       == "delivered", 10, what="the delivery tracked")  # fmt: skip
            receipt_then_hang_up(ari_watch, caller_id, message.reference)
        finally:
            finish(pbx, controller, telephonist, back, *runs)
