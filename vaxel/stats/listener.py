"""The AMI listener: CEL and the controller's labels, live, into the journal.

It runs inside ``vaxel run`` (sharing the controller's journal) or alone with
``vaxel stats listen``. AMI does not replay what happened while it was disconnected, so
after every login it backfills from the CEL file (see ``reconcile.backfill``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import structlog

from vaxel.asterisk.ami import AmiClient
from vaxel.stats.cel import fact_from_ami
from vaxel.stats.events import USER_EVENT, VARIABLE, record_from_json
from vaxel.stats.ingest import Ingest, label_item
from vaxel.stats.journal import JournalWriter
from vaxel.stats.reconcile import backfill

log = structlog.get_logger("vaxel.stats")


class Listener:
    def __init__(
        self,
        *,
        ami: AmiClient,
        writer: JournalWriter,
        ingest: Ingest,
        cel_path: Path,
        app: str,
        tz: ZoneInfo,
        own_echo: Callable[[str], bool] | None = None,
    ) -> None:
        self.ami, self.writer, self.ingest = ami, writer, ingest
        self.cel_path, self.app, self.tz = cel_path, app, tz
        self.own_echo = own_echo
        self.events_seen = 0
        self._backfilling: asyncio.Lock | None = None

    def attach(self) -> None:
        self.ami.on_event("CEL", self.on_cel)
        self.ami.on_event("UserEvent", self.on_user_event)
        self.ami.on_login(self.backfill)

    def on_cel(self, message: dict[str, str]) -> None:
        self.events_seen += 1
        fact = fact_from_ami(message, self.app, self.tz)
        if fact is not None:
            self.writer.submit([fact.item()])

    def on_user_event(self, message: dict[str, str]) -> None:
        if message.get("UserEvent") != USER_EVENT or VARIABLE not in message:
            return
        self.events_seen += 1
        if self.own_echo is not None and self.own_echo(message[VARIABLE]):
            return
        try:
            record = record_from_json(message[VARIABLE])
        except (ValueError, KeyError):
            log.warning("label_unreadable", text=message[VARIABLE][:200])
            return
        self.writer.submit([label_item(record)])

    def lock(self) -> asyncio.Lock:
        """Held while reading the CEL file; the nightly rotation takes it too."""
        if self._backfilling is None:
            self._backfilling = asyncio.Lock()
        return self._backfilling

    async def backfill(self) -> None:
        """After a login: fill in from Asterisk's record. The store may be down: then the
        next login, the periodic job or ``vaxel stats backfill`` does it."""
        async with self.lock():
            try:
                await asyncio.to_thread(backfill, self.ingest, self.cel_path, self.app)
            except Exception as exc:  # noqa: BLE001 - the store is down; retried later
                log.warning("stats_backfill_failed", error=str(exc)[:200])


def periodic(listener: Listener) -> Callable[[], object]:
    async def job() -> None:
        await listener.backfill()

    return job
