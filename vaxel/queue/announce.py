"""What a waiting caller hears and presses.

Announcements are played to the caller's own channel while it stays in the queue's holding
bridge: Asterisk runs a channel playback on a bridged channel as a bridge action, so that
one caller is suspended from the bridge's music for the sentence and comes back to it
after, while everyone else keeps hearing music. The caller never leaves the bridge, so a
restart mid-sentence cannot strand them outside it.

The position is said on entry and every ``announce_every_s``, with the estimate only when
``estimate_wait`` has a basis (``None`` means the wait is not mentioned at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.ivr.speech import next_opening_sentence, position_announcement
from vaxel.numbers import NumberRefused, check_number
from vaxel.queue import events as ev
from vaxel.queue.estimate import (
    Overflow,
    OverflowToMessage,
    OverflowToQueue,
    RefuseReason,
    active_count,
    estimate_wait,
    position,
)
from vaxel.queue.keys import Choosing, KeyOutcome, Waiting, press
from vaxel.queue.media import Media
from vaxel.queue.model import Entry, EntryKind, EntryState
from vaxel.queue.ports import FULL_FROM, QueueCall, holding_bridge_id
from vaxel.queue.state import Waiter
from vaxel.queue.texts import digits, lang_of, say

log = structlog.get_logger("vaxel.queue")
KEYS_TIMEOUT_S = 15
# Long enough to hear when the queue opens, press 1 and confirm the number.
CLOSING_GRACE_S = 30


class Announcer:
    def __init__(self, service: Any, media: Media) -> None:
        self.s, self.media = service, media
        self._leaving: dict[str, asyncio.Future[None]] = {}
        self.lent: dict[str, Any] = {}  # channel spoken to but owned by another -> its owner

    # --- position announcements ----------------------------------------------------------
    def start(self, entry_id: str) -> None:
        waiter = self.s.waiters.get(entry_id)
        if waiter is not None and waiter.announcer is None:
            waiter.announcer = self.s.spawn(self._loop(entry_id))

    async def _loop(self, entry_id: str) -> None:
        s = self.s
        while True:
            entry = s.entries.get(entry_id)
            if entry is None or entry.kind is not EntryKind.CALLER:
                return
            waiter = s.waiters[entry_id]
            if (
                entry.state is EntryState.WAITING
                and isinstance(waiter.keys, Waiting)
                and waiter.closing_until is None  # the closing message is what they hear
            ):
                await self.announce(entry)
            await asyncio.sleep(s.queues[entry.queue].announce_every_s)

    def sentence(self, entry: Entry) -> str:
        s = self.s
        waiting = list(s.entries.values())
        place = position(entry, waiting)
        seconds = estimate_wait(
            place,
            list(s.handle_times[entry.queue]),
            active_count(s.people.values(), entry.queue),
        )
        wait = timedelta(seconds=seconds) if seconds else None
        text = position_announcement(place, wait, entry.language)
        if s.queues[entry.queue].callback:
            text += " " + say("callback_offer", entry.language)
        return text

    async def announce(self, entry: Entry) -> None:
        if not entry.channel_id:
            return
        playback = await self.media.say(entry.channel_id, self.sentence(entry), entry.language)
        waiter = self.s.waiters.get(entry.id)
        if waiter is not None:
            waiter.playback = playback

    async def stop(self, playback: str | None) -> None:
        await self.media.stop(playback)

    async def whisper(self, channel_id: str, text: str, lang: str) -> None:
        """To the telephonist before the call is put through; any key skips the rest."""
        await self.media.say(channel_id, text, lang, wait=True, timeout=15, skippable=True)

    # --- keys ----------------------------------------------------------------------------
    async def on_dtmf(self, channel_id: str, digit: str) -> None:
        s = self.s
        if await self.media.skip(channel_id):
            log.info("queue_whisper_skipped", channel=channel_id, digit=digit)
            return
        entry_id = s.by_channel.get(channel_id)
        entry = s.entries.get(entry_id) if entry_id else None
        if entry is None or not s.queues[entry.queue].callback:
            return
        waiter = s.waiters[entry.id]
        result = press(waiter.keys, digit, entry.caller_number)
        waiter.keys = result.state
        waiter.keys_until = s.clock.now() + timedelta(seconds=KEYS_TIMEOUT_S)
        lang = entry.language
        log.info("queue_key", entry=entry.id, digit=digit, outcome=result.outcome.value)
        match result.outcome:
            case KeyOutcome.OPEN_MENU:
                await self.media.stop(waiter.playback)
                # Out of the holding bridge for the dialogue: keys pressed during a playback
                # on a bridged channel are not reliably passed on. The entry keeps its place.
                await self.leave_bridge(entry, channel_id)
                known = _shown(entry.caller_number, s)
                text = (
                    say("callback_menu_known", lang, number=digits(known, lang))
                    if known
                    else say("callback_menu_unknown", lang)
                )
                waiter.playback = await self.media.say(channel_id, text, lang)
            case KeyOutcome.STOP_MENU:
                await self.media.stop(waiter.playback)
            case KeyOutcome.CANCEL:
                await self.media.stop(waiter.playback)
                await self.back_to_bridge(entry)
            case KeyOutcome.SUBMIT:
                await self.media.stop(waiter.playback)
                await self._submit(entry, result.number or "")

    async def leave_bridge(self, entry: Entry, channel_id: str) -> None:
        """Out of the holding bridge, and wait until Asterisk has done it: a playback queued
        before the channel has left would still run as a bridge action."""
        left = asyncio.get_running_loop().create_future()
        self._leaving[channel_id] = left
        try:
            await self.s.ari.remove_from_bridge(holding_bridge_id(entry.queue), channel_id)
            await asyncio.wait_for(left, 2)
        except (AriError, TimeoutError) as exc:
            log.info("queue_leave_bridge", entry=entry.id, reason=repr(exc))
        finally:
            self._leaving.pop(channel_id, None)

    def left_bridge(self, channel_id: str) -> None:
        future = self._leaving.get(channel_id)
        if future is not None and not future.done():
            future.set_result(None)

    async def back_to_bridge(self, entry: Entry) -> None:
        """The dialogue is over and the caller still waits: back to the music, same place."""
        s = self.s
        if entry.id not in s.entries or not entry.channel_id:
            return
        if s.entries[entry.id].state is EntryState.OFFERED:
            return  # being connected to a telephonist right now
        bridge = await s.ensure_bridge(entry.queue)
        try:
            await s.ari.add_to_bridge(bridge, entry.channel_id)
        except AriError as exc:
            log.info("queue_rebridge_failed", entry=entry.id, reason=str(exc))

    async def _submit(self, entry: Entry, raw: str) -> None:
        s = self.s
        lang = entry.language
        channel_id = entry.channel_id or ""
        try:
            number = check_number(raw, s.config.number_policy)
        except NumberRefused as exc:
            log.info("queue_callback_refused", entry=entry.id, code=exc.code)
            await self.media.say(channel_id, say("callback_refused", lang), lang, wait=True)
            await self.back_to_bridge(entry)
            return
        if entry.state is not EntryState.WAITING:
            await self.back_to_bridge(entry)
            return
        s.make_callback(entry.id, number)
        log.info("queue_callback_requested", entry=entry.id)
        text = say("callback_accepted", lang, number=digits(number.e164, lang))
        await self.media.say(channel_id, text, lang, wait=True)
        await s.ari.hangup(channel_id)

    def expire_keys(self, now: datetime) -> None:
        s = self.s
        for entry_id, waiter in s.waiters.items():
            if waiter.keys_until and waiter.keys_until <= now and isinstance(waiter.keys, Choosing):
                waiter.keys, waiter.keys_until = Waiting(), None
                entry = s.entries.get(entry_id)
                if entry is not None:
                    s.spawn(self.back_to_bridge(entry))

    # --- refusals, closing and overflow ---------------------------------------------------
    async def refused(self, call: QueueCall, reason: RefuseReason) -> None:
        s = self.s
        lang = lang_of(call.language)
        if reason is RefuseReason.CLOSED:
            opening = next_opening_sentence(s.next_open(call.queue), s.clock.now(), lang)
            text = say("closed", lang, next_open=opening)
        elif reason is RefuseReason.FULL:
            text = say("full", lang)
        else:
            text = say("nobody", lang)
        await s.ari.answer(call.channel_id)
        async with self.borrowed(call.channel_id):
            await self.media.say(call.channel_id, text, lang, wait=True)
        await s.ari.hangup(call.channel_id)

    @contextlib.asynccontextmanager
    async def borrowed(self, channel_id: str) -> AsyncIterator[None]:
        """Speak to a caller the queue does not own (one it refuses or sends on): the
        playback's events must come to the queue, then the channel goes back to its owner,
        who also gets its ``StasisEnd`` if the caller hangs up meanwhile."""
        s = self.s
        previous = s.router.owner(channel_id)
        if previous is None or previous is s.stasis:
            yield
            return
        self.lent[channel_id] = previous
        s.router.claim(channel_id, s.stasis)
        try:
            yield
        finally:
            if self.lent.pop(channel_id, None) is not None:  # still up: give it back
                s.router.claim(channel_id, previous)

    async def send_on(self, call: QueueCall, destination: Overflow, reason: RefuseReason) -> None:
        """The queue is full or nobody is logged in: the caller is told, then goes where the
        site says (one hop only: a queue reached this way never sends the caller on again)."""
        s = self.s
        lang = lang_of(call.language)
        if isinstance(destination, OverflowToQueue):
            moving = "full_moving" if reason is RefuseReason.FULL else "nobody_moving"
            async with self.borrowed(call.channel_id):
                await self.media.say(call.channel_id, say(moving, lang), lang, wait=True)
            tags = {**call.tags, FULL_FROM: call.queue}
            await s.enter(replace(call, queue=destination.name, tags=tags))
            return
        if isinstance(destination, OverflowToMessage) and s.voice_messages.available():
            entry = Entry(id=uuid.uuid4().hex[:16], queue=call.queue, entered_at=s.clock.now(),
                          channel_id=call.channel_id, call_id=call.call_id, language=lang,
                          caller_number=call.caller_number)  # fmt: skip
            previous = s.router.owner(call.channel_id)
            s.router.claim(call.channel_id, s.stasis)
            await s.voice_messages.take(entry, Waiter(previous_owner=previous))
            return
        await self.refused(call, reason)

    def closing(self, queue: str) -> None:
        """A departmental queue closes: say when it opens and offer a callback."""
        s = self.s
        until = s.clock.now() + timedelta(seconds=CLOSING_GRACE_S)
        for entry in s.waiting_in(queue):
            if entry.kind is EntryKind.CALLER and entry.channel_id:
                waiter = s.waiters[entry.id]
                waiter.closing_until = until
                s.spawn(self._closing(entry))

    async def _closing(self, entry: Entry) -> None:
        s = self.s
        lang = entry.language
        opening = next_opening_sentence(s.next_open(entry.queue), s.clock.now(), lang)
        key = "closing" if s.queues[entry.queue].callback else "closing_no_callback"
        await self.media.stop(s.waiters[entry.id].playback)
        s.waiters[entry.id].playback = await self.media.say(
            entry.channel_id or "", say(key, lang, next_open=opening), lang
        )

    async def goodbye(self, entry: Entry, reason: ev.LeaveReason) -> None:
        s = self.s
        if s.leave(entry.id, reason) is None or not entry.channel_id:
            return
        await self.media.say(
            entry.channel_id, say("goodbye", entry.language), entry.language, wait=True
        )
        await s.ari.hangup(entry.channel_id)

    async def overflowed(self, entry: Entry, overflow: str) -> None:
        s = self.s
        lang = entry.language
        if not entry.channel_id:
            return
        if overflow == "closed" or not s.queues[entry.queue].callback:
            if s.leave(entry.id, ev.LeaveReason.OVERFLOW) is None:
                return
            await self.media.say(entry.channel_id, say("nobody", lang), lang, wait=True)
            await s.ari.hangup(entry.channel_id)
            return
        waiter = s.waiters[entry.id]
        await self.media.stop(waiter.playback)
        waiter.playback = await self.media.say(
            entry.channel_id, say("overflow_message", lang), lang
        )


def _shown(caller_number: str | None, service: Any) -> str | None:
    """The calling number if it could be called back at all, else None (ask for one)."""
    if not caller_number:
        return None
    try:
        return check_number(caller_number, service.config.number_policy).e164
    except NumberRefused:
        return None
