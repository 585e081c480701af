"""Wires call entry into the controller."""

from __future__ import annotations

import asyncio

import structlog

from vaxel.context import AppContext
from vaxel.ivr.holding import HoldingOnlyQueue
from vaxel.ivr.library import PromptLibrary
from vaxel.ivr.service import GUIDE_LEG, EntryService
from vaxel.ivr.store import IvrStore
from vaxel.queue.ports import QueuePort
from vaxel.stats.store import CallStore

log = structlog.get_logger("vaxel.ivr")


def wire(ctx: AppContext) -> None:
    from vaxel.ivr.api import make_router

    store = IvrStore(ctx.sessions)
    ctx.services["ivr_store"] = store
    ctx.api_routers.append(make_router(ctx, store))
    if ctx.ari is None or ctx.router is None or ctx.renderer is None:
        return
    calls = ctx.services.get("calls") or CallStore(ctx.sessions)  # stats adds label hooks
    prompts = PromptLibrary(ctx.config, ctx.renderer)
    ctx.services["prompts"] = prompts
    interim = HoldingOnlyQueue(ari=ctx.ari, store=store)

    def queues() -> QueuePort:
        # Looked up per call, so the queue service is used whenever it is wired, in any
        # order; the interim stand-in only covers a controller without one.
        found = ctx.services.get("queues")
        return found if found is not None else interim

    entry = EntryService(
        config=ctx.config,
        ari=ctx.ari,
        router=ctx.router,
        calls=calls,
        store=store,
        prompts=prompts,
        calendar=ctx.calendar,
        clock=ctx.clock,
        queues=queues,
    )
    ctx.router.on_start("inbound", entry.on_inbound)
    ctx.router.on_start(GUIDE_LEG, entry.on_guide_start)
    ctx.services["entry"] = entry
    ari = ctx.ari

    async def close_calls_that_ended_while_disconnected() -> None:
        """ARI does not replay missed events: compare open call records with live channels."""
        live = {c["id"] for c in await ari.channels()}
        open_calls = await asyncio.to_thread(calls.open_calls)
        ended = [c for c in open_calls if c.channel_id not in live]
        for record in ended:
            await asyncio.to_thread(
                calls.update, record.id, ended_at=ctx.clock.now(), end_reason="ended_during_outage"
            )
        if ended:
            log.info("reconciled_after_connect", ended_during_outage=len(ended), live=len(live))

    ctx.on_connected.append(close_calls_that_ended_while_disconnected)
