"""Wires the handoff into the controller (after the queue and the directory).

Offers ``ctx.services["handoffs"]`` (the runtime) and ``ctx.services["handoff_messages"]``
(messages: create, deliver, escalate, mark handled). Joins the shared leg dispatch
(StasisStart ``["leg", "handoff", <id>]`` goes to the owner of the leg's channel), listens
to every call the queue connects, reconciles after every (re)connect, and runs one
APScheduler job that delivers, retries and escalates messages from the database (so it
survives restarts) and forgets handoffs whose caller ended in the queue.
"""

from __future__ import annotations

import structlog

from vaxel.context import AppContext
from vaxel.handoff.store import HandoffStore

log = structlog.get_logger("vaxel.handoff")


def build_messages(ctx: AppContext):  # type: ignore[no-untyped-def]
    from vaxel.handoff.messaging import MessageService

    return MessageService(
        config=ctx.config, clock=ctx.clock, calendar=ctx.calendar,
        store=HandoffStore(ctx.sessions), services=ctx.services,
    )  # fmt: skip


def wire(ctx: AppContext) -> None:
    from vaxel.handoff.api import make_pages, make_router

    messages = build_messages(ctx)
    ctx.services["handoff_messages"] = messages
    ctx.api_routers.append(make_router(ctx))
    ctx.page_routers.append(make_pages(ctx))
    ctx.scheduler.add_job(messages.check, "interval", seconds=ctx.config.handoff.check_every_s,
                          id="handoff-messages", max_instances=1, coalesce=True)  # fmt: skip
    if ctx.ari is None or ctx.router is None:
        return
    from vaxel.handoff.actions import Actions
    from vaxel.handoff.restart import Restart
    from vaxel.handoff.service import HandoffService
    from vaxel.handoff.stasis import HandoffStasis
    from vaxel.handoff.targets import Targets
    from vaxel.queue.wiring import ensure_leg_dispatch

    targets = Targets(directory=ctx.services.get("directory"), policy=ctx.config.number_policy,
                      outside_dial=ctx.config.ivr.outside_dial,
                      ring_mobile=ctx.config.handoff.ring_mobile)  # fmt: skip
    service = HandoffService(config=ctx.config, clock=ctx.clock, ari=ctx.ari, router=ctx.router,
                             store=HandoffStore(ctx.sessions), targets=targets,
                             services=ctx.services)  # fmt: skip
    service.stasis = HandoffStasis(service)
    service.actions = Actions(service, ctx.renderer)
    ctx.services["handoffs"] = service
    ensure_leg_dispatch(ctx)
    queues = ctx.services.get("queues")
    if queues is not None:
        queues.calls.listeners.append(service.on_talk)
    else:
        log.warning("handoff_without_queues")

    async def other(event: dict) -> None:  # ChannelTransfer may come without an owner
        if event.get("type") == "ChannelTransfer":
            await service.stasis.on_transfer(event)

    ctx.router.on_other(other)
    restart = Restart(service)
    ctx.on_connected.append(restart.resync)
    ctx.scheduler.add_job(restart.sweep, "interval", seconds=10, id="handoff-sweep",
                          max_instances=1, coalesce=True)  # fmt: skip
