"""The LabelSink: labelled events into the journal (then the store), and to Asterisk.

``emit`` never blocks a call and never raises: the journal append is a local file write;
the store write happens in the journal's writer; the ARI user event is sent in the
background. Asterisk 22 turns ``POST /events/user/VaxelLabel?source=channel:<id>`` into an
AMI ``UserEvent`` (with the channel's Linkedid and our variable) that the listener
consumes; it does *not* record it in CEL (measured: no USER_DEFINED line is written), so
the durable record of labels is our journal, and CEL is the durable record of calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient
from vaxel.stats.events import USER_EVENT, VARIABLE, LabelRecord, record_of
from vaxel.stats.ingest import label_item
from vaxel.stats.journal import Item, JournalWriter

log = structlog.get_logger("vaxel.stats")
ECHOES_KEPT = 10_000


class StatsSink:
    def __init__(self, writer: JournalWriter, ari: AriClient | None = None) -> None:
        self.writer, self.ari = writer, ari
        self._tasks: set[asyncio.Task[None]] = set()
        self._echoes: dict[str, None] = {}  # labels sent to Asterisk, already in the journal

    async def emit(self, event: Any, *, channel_id: str | None = None) -> None:
        try:
            record = record_of(event)
        except Exception:
            log.exception("label_not_recordable", event=type(event).__name__)
            return
        self.record(record, channel_id=channel_id)

    def record(self, record: LabelRecord, *, channel_id: str | None = None) -> None:
        try:
            self.writer.submit([label_item(record)])
        except OSError:
            log.exception("label_journal_failed", label=record.name, contact=record.contact_id)
        if self.ari is not None:
            task = asyncio.create_task(self._to_asterisk(record, channel_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _to_asterisk(self, record: LabelRecord, channel_id: str | None) -> None:
        assert self.ari is not None
        text = record.to_json()
        self._echoes[text] = None
        if len(self._echoes) > ECHOES_KEPT:
            del self._echoes[next(iter(self._echoes))]
        params = {"application": self.ari.settings.app}
        if channel_id:
            params["source"] = f"channel:{channel_id}"
        try:
            await self.ari.request(
                "POST", f"/events/user/{USER_EVENT}", params=params,
                body={"variables": {VARIABLE: text}},
            )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the journal has it; this is the echo
            if channel_id:
                # The channel may be gone (a label at hang-up); send it without a source.
                await self._to_asterisk(record, None)
            else:
                log.debug("label_user_event_failed", error=str(exc)[:200])

    def is_own_echo(self, text: str) -> bool:
        """True (once) for a label this sink journalled itself and sent to Asterisk: the
        listener need not journal it a second time (a third of all journal items at
        10 calls/s, each applied to the store again only to be found a duplicate)."""
        return self._echoes.pop(text, False) is None

    async def flush(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class StoreSink:
    """The sink of a process without Asterisk (a CLI, the web alone): each label straight
    into the store, awaited, so a short-lived tool cannot exit before it is written."""

    def __init__(self, apply: Callable[[Sequence[Item]], None]) -> None:
        self._apply = apply

    async def emit(self, event: Any, *, channel_id: str | None = None) -> None:
        try:
            record = record_of(event)
            await asyncio.to_thread(self._apply, [label_item(record)])
        except Exception:
            log.exception("label_not_stored", event=type(event).__name__)

    async def flush(self) -> None:
        return None
