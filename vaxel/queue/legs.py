"""Ringing telephonists and dialling callbacks: the queue's outgoing legs until they answer.

A ring is an ARI originate to the telephonist's endpoint straight into Stasis with args
``["leg", "queue", <entry id>]``; it enters Stasis only when answered. Our own timer, not
the originate timeout, decides a ring timeout; it starts when Asterisk has accepted the
originate, so a slow request does not eat the telephonist's ring time. A leg that answered
is never a miss (``telephonists.pauses_after_miss`` decides the rest): an answer that comes
after the timeout withdraws the miss. A callback rings the telephonist first (whisper
"Återuppringning till ..."), then dials the citizen through the trunk with args
``["leg", "queue", <entry id>, "citizen"]``. An answered ring is connected by ``calls.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.numbers import NumberRefused, check_number
from vaxel.queue import events as ev
from vaxel.queue.distribution import Offer, apply_offer, on_ring_timeout
from vaxel.queue.model import (
    Entry,
    EntryKind,
    InvalidTransition,
    back_to_waiting,
    callback_attempt_failed,
)
from vaxel.queue.telephonists import (
    MISSED_CALL,
    Answer,
    CancelRing,
    EndCall,
    Paused,
    WithdrawMiss,
    transition,
)
from vaxel.queue.texts import digits, say

log = structlog.get_logger("vaxel.queue")


@dataclass
class RingLeg:
    entry_id: str
    telephonist_id: str
    channel_id: str
    timer: asyncio.TimerHandle | None = None
    answered: bool = False
    citizen: str | None = None  # a callback's outgoing call to the citizen
    timeout_s: int = 0


class Legs:
    def __init__(self, service: Any) -> None:
        self.s = service
        self.rings: dict[str, RingLeg] = {}  # entry id -> ring
        self.by_leg: dict[str, str] = {}  # leg or citizen channel -> entry id
        self.missed: dict[str, str] = {}  # leg channel given up on -> telephonist id
        self._count = 0

    # --- ringing -------------------------------------------------------------------------
    def ring(self, offer: Offer, now: datetime) -> None:
        """Apply the offer (synchronously) and start the ring."""
        s = self.s
        entry = s.entries[offer.entry.id]
        cfg = s.queues[entry.queue]
        deadline = now + timedelta(seconds=cfg.ring_timeout_s)
        entries, people = apply_offer(
            [entry], [s.people[offer.telephonist_id]], offer, now=now, deadline=deadline
        )
        s.set_entry(entries[0])
        s.set_person(people[0])
        self._count += 1
        leg_id = f"vq-{entry.id}-{self._count}"
        ring = RingLeg(entry.id, offer.telephonist_id, leg_id, timeout_s=cfg.ring_timeout_s)
        self.rings[entry.id] = ring
        self.by_leg[leg_id] = entry.id
        s.router.claim(leg_id, s.stasis)
        s.emit(
            ev.Offered(
                now, entry.queue, s.contact(entry), entry.id, offer.telephonist_id, offer.preferred
            ),
            entry.channel_id,
        )
        s.spawn(self._originate(entry, people[0].endpoint, leg_id, cfg.ring_timeout_s))

    async def _originate(self, entry: Entry, endpoint: str, leg_id: str, timeout_s: int) -> None:
        caller_id = entry.caller_number or "vaxel"
        try:
            await self.s.ari.originate(
                endpoint=endpoint,
                channel_id=leg_id,
                app_args=f"leg,queue,{entry.id}",
                caller_id=caller_id,
                timeout_s=timeout_s + 5,
            )
        except AriError as exc:
            log.info("queue_ring_failed", entry=entry.id, reason=str(exc))
            await self.timed_out(entry.id, leg_id)
            self.missed.pop(leg_id, None)  # no channel: it cannot answer late
            return
        ring = self.rings.get(entry.id)
        if ring is not None and ring.channel_id == leg_id and not ring.answered:
            ring.timer = asyncio.get_running_loop().call_later(
                timeout_s, lambda: self.s.spawn(self.timed_out(entry.id, leg_id))
            )

    async def timed_out(self, entry_id: str, leg_id: str) -> None:
        """No answer in time (or the phone refused): next telephonist, auto-pause this one."""
        s = self.s
        ring = self.rings.get(entry_id)
        if ring is None or ring.channel_id != leg_id or ring.answered:
            return
        self._drop_ring(ring)
        now = s.clock.now()
        result = on_ring_timeout(
            list(s.entries.values()),
            list(s.people.values()),
            entry_id=entry_id,
            telephonist_id=ring.telephonist_id,
            now=now,
        )
        entry = next(e for e in result.waiting if e.id == entry_id)
        person = next(t for t in result.telephonists if t.id == ring.telephonist_id)
        s.set_entry(entry)
        s.set_person(person)
        paused = isinstance(person.status, Paused)
        s.emit(ev.RingMissed(now, entry.queue, s.contact(entry), entry_id, person.id))
        if paused:
            s.emit(ev.TelephonistPaused(now, person.id, MISSED_CALL))
        self.missed[leg_id] = person.id
        log.info("queue_ring_missed", entry=entry_id, telephonist=person.id, paused=paused)
        s.distribute()
        await s.ari.hangup(leg_id)

    def _late_answer(self, channel_id: str) -> None:
        """The phone answered after its ring was given up: hand the leg back, and the miss
        it was paused for is withdrawn."""
        s = self.s
        telephonist_id = self.missed.pop(channel_id, None)
        person = s.people.get(telephonist_id or "")
        if person is None:
            return
        try:
            back = transition(person, WithdrawMiss(), s.clock.now())
        except InvalidTransition:
            return  # paused for another reason meanwhile, or already free
        s.set_person(back)
        s.emit(ev.TelephonistUnpaused(s.clock.now(), person.id))
        log.info("queue_late_answer", telephonist=person.id)
        s.distribute()

    def cancel_ring(self, entry_id: str) -> None:
        """The caller left while a telephonist rang: stop ringing, the telephonist is free."""
        s = self.s
        ring = self.rings.get(entry_id)
        if ring is None:
            return
        self._drop_ring(ring)
        person = s.people[ring.telephonist_id]
        change = CancelRing() if not ring.answered else EndCall(0)
        s.set_person(transition(person, change, s.clock.now()))
        s.spawn(s.ari.hangup(ring.channel_id))
        if ring.citizen:
            s.spawn(s.ari.hangup(ring.citizen))

    def _drop_ring(self, ring: RingLeg) -> None:
        if ring.timer:
            ring.timer.cancel()
        self.rings.pop(ring.entry_id, None)
        self.by_leg.pop(ring.channel_id, None)
        if ring.citizen:
            self.by_leg.pop(ring.citizen, None)

    # --- answered ------------------------------------------------------------------------
    async def answered(self, channel_id: str, args: list[str]) -> None:
        """StasisStart of a leg: the telephonist (or a callback's citizen) answered."""
        s = self.s
        entry_id = args[0] if args else ""
        ring = self.rings.get(entry_id)
        if len(args) > 1 and args[1] == "citizen":
            if ring is None or ring.citizen != channel_id:
                await s.ari.hangup(channel_id)
                return
            await self._connect(ring, channel_id)
            return
        if ring is None or ring.channel_id != channel_id or entry_id not in s.entries:
            self._late_answer(channel_id)
            await s.ari.hangup(channel_id)  # a ring we already gave up on
            return
        ring.answered = True
        if ring.timer:
            ring.timer.cancel()
        person = s.people[ring.telephonist_id]
        s.set_person(transition(person, Answer(), s.clock.now()))
        entry = s.entries[entry_id]
        if entry.kind is EntryKind.CALLBACK:
            await self._dial_citizen(ring, entry)
            return
        if entry.returned and entry.returned.whisper:
            await s.announcer.whisper(channel_id, entry.returned.whisper, entry.language)
        if ring.entry_id in s.entries:
            await self._connect(ring, entry.channel_id or "")
        else:  # the caller hung up during the whisper
            await self._end_leg(ring, channel_id)

    async def _dial_citizen(self, ring: RingLeg, entry: Entry) -> None:
        s = self.s
        number = entry.caller_number or ""
        await s.announcer.whisper(
            ring.channel_id, say("callback_whisper", "sv", number=digits(number)), "sv"
        )
        attempt = entry.attempts + 1
        citizen = f"vc-{entry.id}-{attempt}"
        ring.citizen = citizen
        self.by_leg[citizen] = entry.id
        s.router.claim(citizen, s.stasis)
        now = s.clock.now()
        s.emit(
            ev.CallbackAttempted(
                now, entry.queue, s.contact(entry), entry.id, ring.telephonist_id, attempt
            )
        )
        try:
            await s.ari.start_moh(f"channels/{ring.channel_id}")
        except AriError:
            pass
        ring_s = s.queues[entry.queue].callback_ring_s
        loop = asyncio.get_running_loop()
        ring.timer = loop.call_later(
            ring_s + 2, lambda: s.spawn(self.citizen_failed(entry.id, citizen))
        )
        try:
            # Checked when it was given; again here, as it comes back from the store.
            checked = check_number(number, s.config.number_policy)
        except NumberRefused as refused:
            log.warning("queue_callback_number_refused", entry=entry.id, reason=str(refused))
            await self.citizen_failed(entry.id, citizen)
            return
        try:
            await s.ari.originate(
                endpoint=getattr(s.config.ivr, "outside_dial", "PJSIP/{number}@trunk").format(
                    number=checked.e164
                ),
                channel_id=citizen,
                app_args=f"leg,queue,{entry.id},citizen",
                caller_id=s.config.numbers[0].e164 if s.config.numbers else None,
                timeout_s=ring_s,
            )
        except AriError as exc:
            log.info("queue_callback_dial_failed", entry=entry.id, reason=str(exc))
            await self.citizen_failed(entry.id, citizen)

    async def citizen_failed(self, entry_id: str, citizen: str) -> None:
        """The citizen did not answer the callback: retry later in the same place, or give up."""
        s = self.s
        ring = self.rings.get(entry_id)
        if ring is None or ring.citizen != citizen:
            return
        self._drop_ring(ring)
        entry = s.entries[entry_id]
        now = s.clock.now()
        retry = callback_attempt_failed(entry, now=now, policy=s.callback_policy(entry.queue))
        person = s.people[ring.telephonist_id]
        s.set_person(transition(person, EndCall(0), now))
        if retry is None:
            s.entries[entry_id] = replace(entry, attempts=entry.attempts + 1)
            s.leave(entry_id, "callback_given_up")
            s.emit(
                ev.CallbackGivenUp(now, entry.queue, s.contact(entry), entry_id, entry.attempts + 1)
            )
        else:
            s.set_entry(retry)
        log.info("queue_callback_no_answer", entry=entry_id, retry=retry is not None)
        await s.ari.hangup(ring.channel_id)
        await s.ari.hangup(citizen)
        s.distribute()

    async def _connect(self, ring: RingLeg, caller: str) -> None:
        self._drop_ring(ring)
        await self.s.calls.connect(ring.entry_id, ring.telephonist_id, ring.channel_id, caller)

    async def _end_leg(self, ring: RingLeg, channel_id: str) -> None:
        self._drop_ring(ring)
        await self.s.calls.end_leg(ring.telephonist_id, channel_id)

    async def channel_gone(self, channel_id: str) -> bool:
        """A ring leg or a callback's citizen ended; True when it was one of ours."""
        entry_id = self.by_leg.get(channel_id)
        if entry_id is None:
            return self.missed.pop(channel_id, None) is not None
        ring = self.rings.get(entry_id)
        if ring is None:
            return True
        if ring.citizen == channel_id:
            await self.citizen_failed(entry_id, channel_id)
        elif ring.answered:  # the telephonist hung up during a callback's dialling
            self.cancel_ring(entry_id)
            entry = self.s.entries.get(entry_id)
            if entry is not None:
                self.s.set_entry(back_to_waiting(entry))
            self.s.distribute()
        else:  # busy, rejected or unreachable before the timeout
            await self.timed_out(entry_id, channel_id)
            self.missed.pop(channel_id, None)  # gone: it cannot answer late
        return True
