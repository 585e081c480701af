"""Wires the wallboard: its service, the pages, stream and API, and the per-second tracking
of how long each telephonist has been in their state."""

from __future__ import annotations

from vaxel.console.wallboard_pages import api_router, pages_router
from vaxel.console.wallboard_service import WallboardService
from vaxel.console.wallboard_store import KioskStore
from vaxel.context import AppContext


def build(ctx: AppContext) -> WallboardService:
    return WallboardService(config=ctx.config, clock=ctx.clock, sessions=ctx.sessions,
                            services=ctx.services, kiosks=KioskStore(ctx.sessions))  # fmt: skip


def wire(ctx: AppContext) -> None:
    service = build(ctx)
    ctx.services["wallboard"] = service
    ctx.api_routers.append(api_router(service, ctx.auth))
    ctx.page_routers.append(pages_router(service, ctx.auth))
    if "queues" not in ctx.services:
        return
    from vaxel.queue.store import QueueStore

    # After a restart, a telephonist's state counts from its last stored change.
    rows = QueueStore(ctx.sessions).telephonist_rows()
    service.first_seen = {tid: row.updated_at for tid, row in rows.items()}
    ctx.scheduler.add_job(service.track, "interval", seconds=1, id="wallboard-track",
                          max_instances=1, coalesce=True)  # fmt: skip
