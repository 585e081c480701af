"""The queue's connected calls: bridging the telephonist with the caller, and the calls
in progress until they end or another package takes them over.

A ring that was answered (``legs.py``) comes here. The caller keeps their place in the
queue until the talk bridge holds both sides; a side that ends before that is no miss, and
a caller still on the line goes back to their place. A connected call ends with wrap-up
for the telephonist, or is handed over (``hand_over``) to the handoff, which watches every
connected call through ``listeners``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.queue import events as ev
from vaxel.queue.model import Entry, EntryKind, back_to_waiting
from vaxel.queue.ports import holding_bridge_id
from vaxel.queue.telephonists import EndCall, OnCall, transition

log = structlog.get_logger("vaxel.queue")


def talk_bridge_id(entry_id: str) -> str:
    return f"vaxel-call-{entry_id}"


@dataclass
class Talk:
    entry_id: str
    queue: str
    telephonist_id: str
    caller: str
    leg: str
    started: float
    gone: set[str] = field(default_factory=set)  # channels that ended while connecting


class ConnectedCalls:
    def __init__(self, service: Any) -> None:
        self.s = service
        self.talks: dict[str, Talk] = {}  # entry id -> call in progress
        self.talk_by_channel: dict[str, str] = {}
        self.last_call: dict[str, str] = {}  # telephonist -> entry id, for wrap-up codes
        self.connecting: dict[str, Talk] = {}  # caller or leg channel -> call being bridged
        # Told of every call the queue connects (and re-adopts after a restart): the
        # handoff watches telephonists' legs for transfer keys and REFERs this way.
        self.listeners: list[Callable[[Talk], None]] = []

    async def connect(self, entry_id: str, telephonist_id: str, leg: str, caller: str) -> None:
        """Bridge the telephonist's answered ``leg`` with the caller (or the called-back
        citizen); the ring is over."""
        s = self.s
        entry = s.entries.get(entry_id)
        if entry is None:
            await self.end_leg(telephonist_id, leg)
            return
        waiter = s.waiters.get(entry.id)
        playback = waiter.playback if waiter else None
        talk = Talk(entry.id, entry.queue, telephonist_id, caller, leg,
                    asyncio.get_running_loop().time())  # fmt: skip
        waiting_caller = entry.kind is EntryKind.CALLER
        if waiting_caller:
            # The caller keeps their place until the bridge holds both sides.
            self.connecting[caller] = self.connecting[leg] = talk
        else:
            self._answered(entry, talk)
        s.router.claim(caller, s.stasis)
        bridge = talk_bridge_id(entry.id)
        failed = False
        try:
            await asyncio.gather(s.announcer.stop(playback), s.ari.create_bridge(bridge, "mixing"))
            if waiting_caller:
                await asyncio.gather(
                    self._move(caller, holding_bridge_id(entry.queue), bridge),
                    s.ari.add_to_bridge(bridge, leg),
                )
            else:
                await s.ari.stop_moh(f"channels/{leg}")
                await s.ari.add_to_bridge(bridge, caller)
                await s.ari.add_to_bridge(bridge, leg)
        except AriError as exc:
            log.info("queue_connect_failed", entry=entry.id, reason=str(exc))
            failed = True
        finally:
            self.connecting.pop(caller, None)
            self.connecting.pop(leg, None)
        if not waiting_caller:
            if failed:
                await self.end_talk(entry.id)
            return
        if failed or talk.gone:
            await self._not_connected(entry, talk)
            return
        wait_s = self._answered(entry, talk)
        log.info("queue_answered", entry=entry.id, telephonist=telephonist_id, wait_s=wait_s)

    async def _move(self, channel_id: str, source: str, target: str) -> None:
        await self.s.ari.remove_from_bridge(source, channel_id)
        await self.s.ari.add_to_bridge(target, channel_id)

    def _answered(self, entry: Entry, talk: Talk) -> int:
        """The entry leaves the queue answered; returns the wait in seconds."""
        s = self.s
        now = s.clock.now()
        s.leave(entry.id, ev.LeaveReason.ANSWERED, answered_by=talk.telephonist_id)
        contact = s.contact(entry)
        wait_s = int((now - entry.entered_at).total_seconds())
        s.emit(
            ev.Answered(now, entry.queue, contact, entry.id, talk.telephonist_id, wait_s),
            talk.caller,
        )
        if entry.kind is EntryKind.CALLBACK:
            s.emit(ev.CallbackCompleted(now, entry.queue, contact, entry.id, talk.telephonist_id))
        self.adopt_talk(talk)
        return wait_s

    async def _not_connected(self, entry: Entry, talk: Talk) -> None:
        """A side ended before the bridge held both. The telephonist answered, so it is no
        miss; a caller still on the line goes back to their place in the queue."""
        s = self.s
        person = s.people[talk.telephonist_id]
        s.set_person(transition(person, EndCall(0), s.clock.now()))
        await s.ari.hangup(talk.leg)
        await s.ari.destroy_bridge(talk_bridge_id(entry.id))
        current = s.entries.get(entry.id)
        if current is None:
            pass
        elif talk.caller in talk.gone:
            s.leave(entry.id, ev.LeaveReason.ABANDONED)
        else:
            s.set_entry(back_to_waiting(current))
            log.info("queue_back_in_place", entry=entry.id, telephonist=talk.telephonist_id)
            try:
                await s.ari.add_to_bridge(holding_bridge_id(entry.queue), talk.caller)
            except AriError as exc:  # the caller's own StasisEnd records them as gone
                log.info("queue_back_in_place_failed", entry=entry.id, reason=str(exc))
        s.distribute()

    def adopt_talk(self, talk: Talk) -> None:
        self.talks[talk.entry_id] = talk
        self.talk_by_channel[talk.caller] = talk.entry_id
        self.talk_by_channel[talk.leg] = talk.entry_id
        self.last_call[talk.telephonist_id] = talk.entry_id
        for listener in self.listeners:
            listener(talk)

    def hand_over(self, channel_id: str) -> Talk | None:
        """Another package (the handoff) takes a connected call over: the queue forgets it
        without hanging up either side. The telephonist stays on the call until
        ``end_handed_over``."""
        entry_id = self.talk_by_channel.get(channel_id)
        talk = self.talks.pop(entry_id, None) if entry_id is not None else None
        if talk is None:
            return None
        self.talk_by_channel.pop(talk.caller, None)
        self.talk_by_channel.pop(talk.leg, None)
        return talk

    def end_handed_over(self, telephonist_id: str, wrapup_s: int = 0) -> None:
        """The telephonist is done with a call the queue handed over: free for the next."""
        s = self.s
        person = s.people.get(telephonist_id)
        if person is None or not isinstance(person.status, OnCall):
            return
        s.set_person(transition(person, EndCall(wrapup_s), s.clock.now()))
        s.distribute()

    async def end_leg(self, telephonist_id: str, channel_id: str) -> None:
        """An answered leg with no caller left to connect: hang it up, the telephonist is free."""
        s = self.s
        person = s.people[telephonist_id]
        s.set_person(transition(person, EndCall(0), s.clock.now()))
        await s.ari.hangup(channel_id)
        s.distribute()

    async def end_talk(self, entry_id: str) -> None:
        """Either side hung up: hang up the other, wrap-up for the telephonist."""
        s = self.s
        talk = self.talks.pop(entry_id, None)
        if talk is None:
            return
        self.talk_by_channel.pop(talk.caller, None)
        self.talk_by_channel.pop(talk.leg, None)
        cfg = s.queues[talk.queue]
        held = asyncio.get_running_loop().time() - talk.started
        s.record_handle_time(talk.queue, held + cfg.wrapup_s)
        person = s.people[talk.telephonist_id]
        try:
            s.set_person(transition(person, EndCall(cfg.wrapup_s), s.clock.now()))
        except Exception:  # noqa: BLE001 - e.g. logged out by the API mid-call
            log.info("queue_end_call_state", telephonist=person.id, status=str(person.status))
        await s.ari.hangup(talk.caller)
        await s.ari.hangup(talk.leg)
        await s.ari.destroy_bridge(talk_bridge_id(entry_id))
        s.distribute()

    async def channel_gone(self, channel_id: str) -> bool:
        """A channel being connected or in a connected call ended; True when it was ours."""
        connecting = self.connecting.get(channel_id)
        if connecting is not None:
            connecting.gone.add(channel_id)  # ``connect`` sees it when its requests return
            return True
        entry_id = self.talk_by_channel.get(channel_id)
        if entry_id is not None:
            await self.end_talk(entry_id)
            return True
        return False
