"""After a start, a restart or an ARI reconnect: make the queue agree with Asterisk.

ARI does not replay events missed while the controller was away, so the store (first
start) or memory (reconnect) is compared with the channels and bridges Asterisk still has:

- every waiting caller whose channel is still up keeps their entry, in the same order
  (``model.reconcile``), and is put back in the holding bridge if it is not there;
- callers whose channel is gone are recorded as ``hung_up_during_outage``;
- callbacks are kept; they have no channel;
- a ring in progress did not survive: its leg is hung up and the telephonist is free again;
- a call the queue had connected whose bridge still holds both sides is adopted again, so
  its end still gives the telephonist their wrap-up; otherwise the call is over.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.queue import events as ev
from vaxel.queue.calls import Talk, talk_bridge_id
from vaxel.queue.model import EntryKind, reconcile
from vaxel.queue.ports import holding_bridge_id
from vaxel.queue.state import Waiter
from vaxel.queue.store import status_of
from vaxel.queue.telephonists import CancelRing, EndCall, OnCall, Ringing, Telephonist, transition

log = structlog.get_logger("vaxel.queue")


class Restart:
    def __init__(self, service: Any) -> None:
        self.s = service
        self.loaded = False

    async def load(self) -> None:
        """Read the persisted state once, at start."""
        s = self.s
        entries = await asyncio.to_thread(s.store.open_entries)
        rows = await asyncio.to_thread(s.store.telephonist_rows)
        await asyncio.to_thread(s.load_handle_times)
        for person in list(s.people.values()):
            row = rows.get(person.id)
            if row is not None:
                s.people[person.id] = replace(
                    person, status=status_of(row), idle_since=row.idle_since, missed=row.missed
                )
        s.entries = {e.id: e for e in entries}
        self.loaded = True
        log.info("queue_loaded", entries=len(entries))

    async def resync(self) -> None:
        s = self.s
        if not self.loaded:
            await self.load()
        now = s.clock.now()
        for name in s.queues:
            s.open[name] = s.is_open(name, now)
        channels = {c["id"]: c for c in await s.ari.channels()}
        bridges = {b["id"]: b for b in await s.ari.bridges()}
        s.forget_bridges()
        kept, gone = reconcile(list(s.entries.values()), set(channels))
        for entry in gone:
            s.leave(entry.id, ev.LeaveReason.HUNG_UP_DURING_OUTAGE)
        talks = self._adopt_talks(channels, bridges)
        # Rings in progress are over: their legs go, their entries wait in the same place.
        ringing = {ring.channel_id for ring in s.legs.rings.values()}
        for ring in list(s.legs.rings.values()):
            s.legs._drop_ring(ring)
        for person in list(s.people.values()):
            s.set_person(self._settle(person))
        for channel_id in channels:
            if channel_id.startswith(("vq-", "vc-")) and channel_id not in talks:
                ringing.add(channel_id)
        for channel_id in ringing:
            await s.ari.hangup(channel_id)
        for entry in kept:
            s.set_entry(entry)
            if entry.kind is not EntryKind.CALLER or entry.channel_id is None:
                s.waiters.setdefault(entry.id, Waiter())
                continue
            s.adopt(entry)
            bridge = await s.ensure_bridge(entry.queue)
            members = set((bridges.get(holding_bridge_id(entry.queue)) or {}).get("channels", []))
            if entry.channel_id not in members:
                try:
                    await s.ari.add_to_bridge(bridge, entry.channel_id)
                except AriError as exc:
                    log.info("queue_rebridge_failed", entry=entry.id, reason=str(exc))
            s.announcer.start(entry.id)
        log.info("queue_resynced", kept=len(kept), gone=len(gone), talks=len(talks))
        s.distribute()

    def _adopt_talks(self, channels: dict[str, Any], bridges: dict[str, Any]) -> set[str]:
        """Calls still connected in a talk bridge; returns their channel ids."""
        s = self.s
        found: set[str] = set()
        for person in s.people.values():
            if not isinstance(person.status, OnCall):
                continue
            entry_id = person.status.entry_id
            if entry_id in s.calls.talks:
                talk = s.calls.talks[entry_id]
                found |= {talk.caller, talk.leg}
                continue
            members = [c for c in (bridges.get(talk_bridge_id(entry_id)) or {}).get("channels", [])
                       if c in channels]  # fmt: skip
            legs = [c for c in members if c.startswith(("vq-", "vc-"))]
            callers = [c for c in members if c not in legs]
            if len(members) != 2 or not legs:
                continue
            row = s.store.entry(entry_id)
            queue = row.queue if row is not None else next(iter(s.queues))
            leg = next((c for c in legs if c.startswith("vq-")), legs[0])
            caller = callers[0] if callers else next(c for c in legs if c != leg)
            talk = Talk(entry_id, queue, person.id, caller, leg, asyncio.get_running_loop().time())
            s.calls.adopt_talk(talk)
            s.router.claim(caller, s.stasis)
            s.router.claim(leg, s.stasis)
            found |= {caller, leg}
        return found

    def _settle(self, person: Telephonist) -> Telephonist:
        s = self.s
        now = s.clock.now()
        status = person.status
        if isinstance(status, Ringing):
            return transition(person, CancelRing(), now)
        if isinstance(status, OnCall) and status.entry_id not in s.calls.talks:
            row = s.store.entry(status.entry_id)
            cfg = s.queues.get(row.queue) if row is not None else None
            return transition(person, EndCall(cfg.wrapup_s if cfg else 0), now)
        return person
