"""An interim stand-in for the queue service, used only while none is registered.

It does exactly the queue contract of ``vaxel/queue/ports.py`` and nothing more: the
caller's channel goes into the holding bridge ``holding_bridge_id(queue)`` with hold music,
and a callback request is stored in the IVR's table for the queue service to take over.
No distribution, no announcements: when ``ctx.services["queues"]`` exists it is used instead.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog

from vaxel.asterisk.ari import AriClient, AriError
from vaxel.ivr.store import IvrStore
from vaxel.numbers import CheckedNumber
from vaxel.queue.ports import QueueCall, holding_bridge_id

log = structlog.get_logger("vaxel.ivr")


class HoldingOnlyQueue:
    def __init__(self, *, ari: AriClient, store: IvrStore) -> None:
        self.ari, self.store = ari, store
        self._ready: set[str] = set()
        self._lock = asyncio.Lock()

    async def enter(self, call: QueueCall) -> None:
        bridge_id = holding_bridge_id(call.queue)
        async with self._lock:
            if bridge_id not in self._ready:
                await self._ensure_bridge(bridge_id)
                self._ready.add(bridge_id)
        await self.ari.add_to_bridge(bridge_id, call.channel_id)
        log.info("entered_holding_bridge", queue=call.queue, tags=call.tags, interim=True)

    async def _ensure_bridge(self, bridge_id: str) -> None:
        existing = {b["id"] for b in await self.ari.bridges()}
        if bridge_id not in existing:
            try:
                await self.ari.create_bridge(bridge_id, kind="holding")
            except AriError as exc:
                if exc.status != 409:  # created meanwhile by someone else
                    raise
            await self.ari.start_moh(f"bridges/{bridge_id}")

    async def request_callback(self, *, queue: str, number: CheckedNumber, language: str,
                               requested_at: datetime, call_id: str) -> str:  # fmt: skip
        return await asyncio.to_thread(
            self.store.add_callback_request,
            queue=queue,
            number=number.e164,
            language=language,
            requested_at=requested_at,
            call_id=call_id,
        )
