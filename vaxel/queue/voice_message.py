"""Overflow to "message": a caller who has waited the queue's maximum leaves a voice message.

The caller leaves the queue (``QueueLeft`` with reason ``message``) and its holding bridge,
hears that nobody can answer and that they may speak after the tone, and is recorded until
``#``, silence, the time limit or hanging up. The handoff package's message service
(``ctx.services["handoff_messages"]``) stores and delivers it like every other message, with
a reference and a deadline, to the queue's ``message_unit``; the caller hears the reference
and is hung up. If the recording fails, the message is still taken with the caller's number
so the unit can call back; the caller is not dropped without being told.
"""

from __future__ import annotations

from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.handoff.messages import Urgency
from vaxel.handoff.messaging import NewMessage
from vaxel.queue.model import Entry
from vaxel.queue.state import Waiter
from vaxel.queue.texts import Language, digits, say

log = structlog.get_logger("vaxel.queue")
PREFIX = "vaxel-queue-message-"
RECORD_MAX_S = 120
RECORD_SILENCE_S = 6


def spoken_reference(reference: str, lang: str = "sv") -> str:
    """'M-2026-000123' as 'M, två noll två sex, noll noll noll ett två tre'."""
    letter, year, sequence = reference.split("-")
    language: Language = "en" if lang == "en" else "sv"
    return f"{letter}, {digits(year, language)}, {digits(sequence, language)}"


class VoiceMessages:
    def __init__(self, service: Any) -> None:
        self.s = service
        self.recording: dict[str, Entry] = {}  # recording name -> the entry it is for
        self.by_channel: dict[str, str] = {}  # caller channel -> recording name
        self.previous_owner: dict[str, Any] = {}  # caller channel -> e.g. the IVR's service

    def available(self) -> bool:
        return self.s.services.get("handoff_messages") is not None

    async def take(self, entry: Entry, waiter: Waiter | None) -> None:
        """``entry`` has just left the queue; its caller is still on the line."""
        s = self.s
        channel = entry.channel_id or ""
        lang = entry.language
        if waiter is not None:
            self.previous_owner[channel] = waiter.previous_owner
            await s.announcer.stop(waiter.playback)
        await s.announcer.leave_bridge(entry, channel)
        await s.announcer.media.say(channel, say("message_prompt", lang), lang, wait=True)
        name = PREFIX + entry.id
        self.recording[name] = entry
        self.by_channel[channel] = name
        try:
            await s.ari.request(
                "POST", f"/channels/{channel}/record",
                params={"name": name, "format": "wav", "maxDurationSeconds": RECORD_MAX_S,
                        "maxSilenceSeconds": RECORD_SILENCE_S, "beep": "true",
                        "terminateOn": "#", "ifExists": "overwrite"},
            )  # fmt: skip
        except AriError as exc:
            log.info("queue_message_record_failed", entry=entry.id, reason=str(exc))
            await self.recorded(name, None)

    async def on_event(self, event: dict[str, Any]) -> bool:
        """Recording events, and the caller hanging up mid-recording (which ends a voice
        message as often as ``#`` does). True when the event was about a message."""
        kind = event.get("type")
        if kind in ("RecordingFinished", "RecordingFailed"):
            name = (event.get("recording") or {}).get("name", "")
            if name in self.recording:
                await self.recorded(name, name if kind == "RecordingFinished" else None)
                return True
            return False
        channel = (event.get("channel") or {}).get("id", "")
        if kind not in ("StasisEnd", "ChannelDestroyed") or channel not in self.previous_owner:
            return False
        name = self.by_channel.get(channel)
        if name is not None:
            await self.recorded(name, name, hung_up=True)
        previous = self.previous_owner.pop(channel, None) if kind == "StasisEnd" else None
        if previous is not None:
            await previous.handle(event)  # it closes its call record
        return True

    async def recorded(self, name: str, recording: str | None, hung_up: bool = False) -> None:
        entry = self.recording.pop(name, None)
        if entry is None:
            return  # already taken (finished and hung up both report it)
        channel = entry.channel_id or ""
        self.by_channel.pop(channel, None)
        lang = entry.language
        reference = await self._store(entry, recording)
        if hung_up:
            return
        if reference is None:
            text = say("message_failed", lang)
        else:
            text = say("message_taken", lang, reference=spoken_reference(reference, lang))
        await self.s.announcer.media.say(channel, text, lang, wait=True)
        try:
            await self.s.ari.hangup(channel)
        except AriError:
            pass

    async def _store(self, entry: Entry, recording: str | None) -> str | None:
        s = self.s
        cfg = s.queues[entry.queue]
        what = "Röstmeddelande" if recording else "Samtal som ingen hann svara på"
        new = NewMessage(
            caller_name="Inspelat av den som ringde" if recording else "Okänd",
            caller_number=entry.caller_number,
            subject=f"{what} från kön {cfg.label}",
            urgency=Urgency.NORMAL,
            target_unit=cfg.message_unit or cfg.name,
            recording=recording,
        )
        try:
            message, _token = await s.services["handoff_messages"].create(new)
        except Exception:
            log.exception("queue_message_not_stored", entry=entry.id)
            return None
        log.info("queue_message_taken", entry=entry.id, reference=message.reference,
                 recorded=recording is not None)  # fmt: skip
        return str(message.reference)
