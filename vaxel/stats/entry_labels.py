"""Labels the contact from the entry service's call record until the IVR labels it itself.

The entry service writes the call record (vaxel/ivr/service.py); this hook turns its
start into ``ContactStarted`` (number dialled, opening state decided with the
controller's clock, caller) and its end into ``ContactEnded``. While no queue runtime is
registered (``ctx.services["queues"]``), the hold music after the greeting is the
caller's wait for service, so it is labelled as a ``queue_wait`` stint of the number's
queue; once the queue runtime runs, it labels the waits itself and this stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.stats.contacts import ContactHeaders
from vaxel.stats.events import ContactEnded, ContactStarted, make_record
from vaxel.stats.sink import StatsSink


class EntryLabels:
    def __init__(
        self,
        *,
        sink: StatsSink,
        headers: ContactHeaders,
        config: SiteConfig,
        clock: Clock,
        loop: asyncio.AbstractEventLoop,
        queues_running: Callable[[], bool],
    ) -> None:
        self.sink, self.headers, self.config, self.clock = sink, headers, config, clock
        self.loop, self.queues_running = loop, queues_running
        self._calls: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    def __call__(self, call_id: str, fields: dict[str, object]) -> None:
        """A CallStore hook; runs in the entry service's worker thread."""
        now = self.clock.now()
        self.loop.call_soon_threadsafe(self._on_update, call_id, dict(fields), now)

    def _on_update(self, call_id: str, fields: dict[str, Any], now: datetime) -> None:
        call = self._calls.get(call_id)
        if fields.get("started"):
            e164 = str(fields.get("dialled_number") or "")
            info = self.headers.number(e164)
            self._calls[call_id] = call = {"channel": fields.get("channel_id"), "e164": e164}
            event = ContactStarted(
                at=now, contact_id=call_id, number_e164=e164, number_dialled=info.name,
                number_kind=str(info.kind), opening=str(self.headers.opening(e164, now)),
                caller=fields.get("caller_number") or None,
            )  # fmt: skip
            self._emit(event, call["channel"])
            return
        if call is None:
            return
        if "greeting_played_at" in fields and not self.queues_running():
            call["waiting_since"] = now
        if fields.get("ended_at"):
            self._calls.pop(call_id, None)
            since = call.get("waiting_since")
            if since is not None and not self.queues_running():
                self.sink.record(self._entry_wait(call_id, call["e164"], since, now))
            self._emit(ContactEnded(at=now, contact_id=call_id,
                                    reason=str(fields.get("end_reason") or "")), None)  # fmt: skip

    def _entry_wait(self, call_id: str, e164: str, since: datetime, now: datetime):  # type: ignore[no-untyped-def]
        number = self.config.number_by_e164(e164)
        queue = (number.queue or number.office or "") if number else ""
        fields = {
            "kind": "queue_wait",
            "end": now.isoformat(),
            "queue": queue,
            "outcome": "abandoned",
        }
        return make_record("Stint", call_id, since, fields)

    def _emit(self, event: Any, channel_id: str | None) -> None:
        task = asyncio.ensure_future(self.sink.emit(event, channel_id=channel_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
