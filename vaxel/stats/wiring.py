"""Wires the statistics into the controller: the label sink (first, so every package finds
``ctx.services["labels"]``), the journal writer, the AMI listener with its backfill, the
entry-service labels, the nightly privacy job (the store, then the journal and CEL files),
and the API and pages."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from vaxel.context import AppContext
from vaxel.stats.contacts import ContactHeaders
from vaxel.stats.entry_labels import EntryLabels
from vaxel.stats.ingest import Ingest
from vaxel.stats.journal import Journal, JournalWriter
from vaxel.stats.listener import Listener
from vaxel.stats.paths import cel_path, journal_dir
from vaxel.stats.reader import Reader
from vaxel.stats.segments import PrivacyFiles
from vaxel.stats.service import StatsService, load_key
from vaxel.stats.sink import StatsSink, StoreSink
from vaxel.stats.store import CallStore


@dataclass
class Parts:
    ingest: Ingest
    reader: Reader
    service: StatsService
    headers: ContactHeaders


def build_parts(ctx: AppContext) -> Parts:
    headers = ContactHeaders(ctx.config, ctx.calendar)
    ingest = Ingest(ctx.sessions, headers)
    reader = Reader(ctx.sessions)
    key = load_key(ctx.config, journal_dir(ctx.config))
    service = StatsService(sessions=ctx.sessions, ingest=ingest, reader=reader,
                           calendar=ctx.calendar, clock=ctx.clock, config=ctx.config, key=key)  # fmt: skip

    def frozen():  # type: ignore[no-untyped-def]
        cutoff = service.retention_cutoff()
        return cutoff.date() if cutoff else None

    reader.frozen_before = frozen
    return Parts(ingest, reader, service, headers)


def wire(ctx: AppContext) -> None:
    parts = build_parts(ctx)
    ctx.services["stats"] = parts.service
    from vaxel.stats import api, pages

    ctx.api_routers.append(api.router(parts.service))
    ctx.page_routers.append(pages.router(parts.service))
    if ctx.ari is None:
        # A tool without Asterisk: reports, the API, and its own labels (a message handled).
        ctx.services.setdefault("labels", StoreSink(parts.ingest.apply))
        return
    journal = Journal(journal_dir(ctx.config), "controller")
    writer = JournalWriter(journal, parts.ingest.apply, gather_s=0.2)
    sink = StatsSink(writer, ctx.ari)
    ctx.services["labels"] = sink
    loop = asyncio.get_running_loop()
    writer.start()
    hook = EntryLabels(sink=sink, headers=parts.headers, config=ctx.config, clock=ctx.clock,
                       loop=loop, queues_running=lambda: "queues" in ctx.services)  # fmt: skip
    ctx.services["calls"] = CallStore(ctx.sessions, hooks=[hook])
    # VAXEL_STATS_LISTENER=external: the listener runs as its own service (`vaxel stats listen`).
    listener = None
    if ctx.ami is not None and os.environ.get("VAXEL_STATS_LISTENER", "embedded") == "embedded":
        listener = Listener(ami=ctx.ami, writer=writer, ingest=parts.ingest,
                            cel_path=cel_path(ctx.config), app=ctx.config.asterisk.app,
                            tz=parts.headers.calendar.tz, own_echo=sink.is_own_echo)  # fmt: skip
        listener.attach()
        ctx.services["stats_listener"] = listener
        ctx.scheduler.add_job(listener.backfill, "interval", minutes=10, id="stats-backfill")
    files = PrivacyFiles(service=parts.service, ingest=parts.ingest, cel_path=cel_path(ctx.config),
                         app=ctx.config.asterisk.app, journal=journal,
                         journal_dir=journal_dir(ctx.config),
                         lock=listener.lock() if listener is not None else None)  # fmt: skip

    async def privacy_job() -> None:
        await parts.service.privacy_job()
        await files.run()

    ctx.scheduler.add_job(privacy_job, "cron", hour=2, minute=30, id="stats-privacy")

    async def stop() -> None:
        await sink.flush()
        await writer.stop()

    ctx.on_stop.append(stop)
