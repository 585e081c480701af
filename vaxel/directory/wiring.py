"""Wires the directory: service, API, pages, presence events and internal calls."""

from __future__ import annotations

import asyncio

import structlog

from vaxel.context import AppContext
from vaxel.directory.service import PRESENCE_TOPIC, DirectoryService
from vaxel.directory.store import DirectoryStore
from vaxel.directory.views import presence_message

log = structlog.get_logger("vaxel.directory")
# Time alone moves people in and out of phone hours and absences; an import from the
# command line changes the store behind this process's back.
REFRESH_EVERY_S = 5


def build_service(ctx: AppContext) -> DirectoryService:
    service = DirectoryService(
        store=DirectoryStore(ctx.sessions),
        auth=ctx.auth,
        clock=ctx.clock,
        calendar=ctx.calendar,
        policy=ctx.config.number_policy,
        mobiles_ring=ctx.config.handoff.ring_mobile,
    )

    def publish(person, presence) -> None:  # type: ignore[no-untyped-def]
        ctx.bus.publish(
            PRESENCE_TOPIC, presence_message(person, presence, service.snapshot.by_extension)
        )

    service.listeners.append(publish)
    service.reload()
    return service


def wire(ctx: AppContext) -> None:
    from vaxel.directory.api import build_router
    from vaxel.directory.pages import build_pages

    service = build_service(ctx)
    ctx.services["directory"] = service
    ctx.api_routers.append(build_router(service))
    ctx.page_routers.append(build_pages(service, ctx.bus))

    async def refresh() -> None:
        service.bind_loop(asyncio.get_running_loop())
        await asyncio.to_thread(service.reload_if_changed)
        service.recompute()

    ctx.scheduler.add_job(refresh, "interval", seconds=REFRESH_EVERY_S, id="directory-refresh")
    if ctx.ari is None or ctx.router is None:
        return
    wire_calls(ctx, service)


def wire_calls(ctx: AppContext, service: DirectoryService) -> None:
    from vaxel.directory.calls import ExtensionCalls, InternalDialer, leg_dispatcher
    from vaxel.directory.stasis import PresenceEvents

    ari, router = ctx.require_ari(), ctx.router
    assert router is not None
    presence = PresenceEvents(ari=ari, service=service)
    router.on_other(presence.handle)

    async def resync() -> None:
        service.bind_loop(asyncio.get_running_loop())
        await presence.on_connected()

    ctx.on_connected.append(resync)

    calls = ExtensionCalls(ari=ari, router=router, service=service, renderer=ctx.renderer,
                           clock=ctx.clock, policy=ctx.config.number_policy)  # fmt: skip
    router.on_other(calls.on_dial)
    # Shared with other packages: prefix -> handler; "*" feature codes belong to the queue.
    registry = ctx.services.setdefault("internal_dial", {})
    dialer = InternalDialer(registry, calls.on_extension)
    router.on_start("internal", dialer.on_internal)
    if not ctx.services.get("leg_dispatch"):
        router.on_start("leg", leg_dispatcher(router))
        ctx.services["leg_dispatch"] = True
