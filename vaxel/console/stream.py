"""The console's Server-Sent Events: the whole view on connect and on every change.

A full view each time (not a diff) makes a reconnect, a reload and a controller restart
trivially correct: the first message after any of them is the truth.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse

from vaxel.console.access import Seat
from vaxel.console.service import ConsoleService

KEEPALIVE_S = 15
RETRY_MS = 1000


def event(view: dict[str, Any], seat: Seat) -> str:
    data = json.dumps({**view, "read_only": seat.read_only}, ensure_ascii=False)
    return f"event: view\ndata: {data}\n\n"


def view_stream(request: Request, service: ConsoleService, seat: Seat) -> StreamingResponse:
    updates = service.watch(seat.telephonist)

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"retry: {RETRY_MS}\n\n"
            first = service.view(seat.telephonist, seat.read_only)
            if first is not None:
                yield event(first, seat)
            while not await request.is_disconnected():
                try:
                    view = await asyncio.wait_for(updates.get(), timeout=KEEPALIVE_S)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield event(view, seat)
        finally:
            service.unwatch(seat.telephonist, updates)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
