"""After a start, a restart (kill -9) or an ARI reconnect: make every handoff agree with
what Asterisk still has. ARI never replays events missed while we were away.

Each handoff in progress is loaded from the store (first start) or memory (reconnect) and
fed ``Reconciled`` with which of its channels are still alive; the model decides: keep
ringing until the stored deadline, or return the caller to the telephonist or the queue.
Nobody is left on hold in a bridge. A call we had connected whose other side is gone is
ended for the survivor too.
"""

from __future__ import annotations

import asyncio
import json

import structlog

from vaxel.handoff import store as codec
from vaxel.handoff.inputs import CallerHungUp, Reconciled
from vaxel.handoff.service import HandoffService, Live
from vaxel.handoff.states import Done, Requeued, Returned
from vaxel.handoff.store import HandoffRow

log = structlog.get_logger("vaxel.handoff")


class Restart:
    def __init__(self, service: HandoffService) -> None:
        self.s = service
        self.loaded = False

    async def load(self) -> None:
        rows = await asyncio.to_thread(self.s.store.open_handoffs)
        for row in rows:
            if row.id not in self.s.lives:
                self.s.lives[row.id] = live_of(row, self.s.config.handoff.queue)
        self.loaded = True
        log.info("handoff_loaded", open=len(rows))

    async def resync(self) -> None:
        s = self.s
        if not self.loaded:
            await self.load()
        channels = {c["id"] for c in await s.ari.channels()}
        for live in list(s.lives.values()):
            for channel in (live.caller, live.telephonist_channel, live.target_channel,
                            *live.legs):  # fmt: skip
                if channel and channel in channels:
                    s.own(live, channel)
            live.legs = {leg: d for leg, d in live.legs.items() if leg in channels}
            if isinstance(live.state, Done):
                await self._connected(live, channels)
                continue
            queues = s.queues
            in_queue_talk = queues is not None and live.caller in queues.calls.talk_by_channel
            event = Reconciled(
                caller_alive=live.caller in channels,
                target_alive=bool(live.legs) or live.target_channel in channels,
                telephonist_alive=in_queue_talk or live.telephonist_channel in channels,
            )
            log.info("handoff_reconcile", handoff=live.id, state=type(live.state).__name__,
                     caller=event.caller_alive, target=event.target_alive,
                     telephonist=event.telephonist_alive)  # fmt: skip
            await s.feed(live, event)
            s._arm(live)

    async def _connected(self, live: Live, channels: set[str]) -> None:
        alive = [c for c in (live.caller, live.target_channel, live.telephonist_channel)
                 if c and c in channels]  # fmt: skip
        if live.connected and len(alive) >= 2:
            return  # still talking; hang-ups will reach us as they happen
        for channel in alive:
            await self.s.ari.hangup(channel)
        live.connected = False
        await self.s.persist(live)
        self.s.forget(live)

    async def sweep(self) -> None:
        """Calls given back to the queue end there; forget those whose caller is gone."""
        s = self.s
        queues = s.queues
        if queues is None:
            return
        for live in list(s.lives.values()):
            if not isinstance(live.state, Returned | Requeued) or live.connected:
                continue
            if live.caller in queues.calls.talk_by_channel or live.caller in queues.by_channel:
                continue
            await s.feed(live, CallerHungUp())
            s.forget(live)


def live_of(row: HandoffRow, queue: str) -> Live:
    return Live(
        id=row.id,
        state=codec.loads(row.state),
        caller=row.caller_channel,
        telephonist=row.telephonist,
        queue=queue,
        created_at=row.created_at,
        call_id=row.call_id,
        caller_number=row.caller_number,
        telephonist_channel=row.telephonist_channel,
        target_channel=row.target_channel,
        legs=json.loads(row.legs or "{}"),
        connected=row.connected,
        freed=row.telephonist_channel is None,
    )
