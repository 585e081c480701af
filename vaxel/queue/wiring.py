"""Wires the queues into the controller.

Shared Stasis start kinds (``Router.on_start`` holds one handler per kind), following the
convention the directory package set:

- ``ctx.services["internal_dial"]``: ``{prefix: handler(event, digits)}`` for StasisStart
  ``["internal", "<digits>"]`` from ``from-phone``; the longest matching prefix wins and
  plain extensions fall through to the directory. The queue registers ``"*"`` (feature
  codes, see ``keys.py``).
- ``"leg"``: StasisStart ``["leg", ...]`` goes to whoever claimed the channel id before
  originating it (``ctx.services["leg_dispatch"]`` marks that the dispatcher is
  registered). The queue's legs carry ``["leg", "queue", <entry id>(, "citizen")]``.

Whichever package wires first registers the dispatchers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from vaxel.context import AppContext
from vaxel.queue.announce import Announcer
from vaxel.queue.calls import ConnectedCalls
from vaxel.queue.legs import Legs
from vaxel.queue.media import Media
from vaxel.queue.restart import Restart
from vaxel.queue.service import QueueService
from vaxel.queue.stasis import QueueStasis
from vaxel.queue.store import QueueStore
from vaxel.queue.tick import tick
from vaxel.queue.voice_message import VoiceMessages

log = structlog.get_logger("vaxel.queue")
Event = dict[str, Any]
InternalHandler = Callable[[Event, str], Awaitable[None]]
FEATURE_PREFIX = "*"


def internal_registry(ctx: AppContext) -> dict[str, InternalHandler]:
    registry: dict[str, InternalHandler] | None = ctx.services.get("internal_dial")
    if registry is not None:
        return registry
    handlers: dict[str, InternalHandler] = {}
    ctx.services["internal_dial"] = handlers
    assert ctx.router is not None

    async def dispatch(event: Event, args: list[str]) -> None:
        digits = args[0] if args else ""
        prefixes = sorted((p for p in handlers if p and digits.startswith(p)), key=len)
        if prefixes:
            await handlers[prefixes[-1]](event, digits)
        else:
            log.warning("internal_dial_unrouted", digits=digits)

    ctx.router.on_start("internal", dispatch)
    return handlers


def ensure_leg_dispatch(ctx: AppContext) -> None:
    router = ctx.router
    assert router is not None
    if ctx.services.get("leg_dispatch"):
        return

    async def on_leg(event: Event, args: list[str]) -> None:
        owner = router.owner(event["channel"]["id"])
        if owner is None:
            log.warning("leg_without_owner", args=args)
            return
        await owner.handle(event)

    router.on_start("leg", on_leg)
    ctx.services["leg_dispatch"] = True


def build(ctx: AppContext) -> QueueService:
    assert ctx.ari is not None and ctx.router is not None
    service = QueueService(
        config=ctx.config,
        clock=ctx.clock,
        calendar=ctx.calendar,
        ari=ctx.ari,
        router=ctx.router,
        store=QueueStore(ctx.sessions),
        services=ctx.services,
    )
    service.stasis = QueueStasis(service)
    service.legs = Legs(service)
    service.calls = ConnectedCalls(service)
    service.announcer = Announcer(service, Media(ari=ctx.ari, renderer=ctx.renderer))
    service.voice_messages = VoiceMessages(service)
    return service


def wire(ctx: AppContext) -> None:
    from vaxel.queue.api import make_router

    ctx.api_routers.append(make_router(ctx))
    if ctx.ari is None or ctx.router is None:
        return
    service = build(ctx)
    ctx.services["queues"] = service
    internal_registry(ctx)[FEATURE_PREFIX] = service.stasis.on_feature_code
    ensure_leg_dispatch(ctx)
    restart = Restart(service)
    ctx.on_connected.append(restart.resync)
    ctx.scheduler.add_job(
        tick,
        "interval",
        args=[service],
        seconds=1,
        id="queue-tick",
        max_instances=1,
        coalesce=True,
    )
