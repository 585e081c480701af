"""Wires call entry into the controller."""

from __future__ import annotations

import asyncio

import structlog

from vaxel.context import AppContext
from vaxel.ivr.prompts import PromptRenderer
from vaxel.ivr.service import EntryService
from vaxel.stats.store import CallStore

log = structlog.get_logger("vaxel.ivr")


class PromptLibrary:
    """Renders every prompt of the site file once at start-up, so the greeting never waits."""

    def __init__(self, config, renderer: PromptRenderer) -> None:  # type: ignore[no-untyped-def]
        self._sounds: dict[tuple[str, str], str] = {}
        for name, prompt in config.prompts.items():
            for lang, text in (("sv", prompt.sv), ("en", prompt.en)):
                if text:
                    self._sounds[(name, lang)] = renderer.render(name, text, lang).sound_uri

    def sound(self, name: str, lang: str) -> str:
        found = self._sounds.get((name, lang)) or self._sounds.get((name, "sv"))
        if found is None:
            raise KeyError(f"no prompt '{name}' in the site file")
        return found


def wire(ctx: AppContext) -> None:
    if ctx.ari is None or ctx.router is None or ctx.renderer is None:
        return
    calls = CallStore(ctx.sessions)
    entry = EntryService(
        config=ctx.config,
        ari=ctx.ari,
        router=ctx.router,
        calls=calls,
        prompts=PromptLibrary(ctx.config, ctx.renderer),
        clock=ctx.clock,
    )
    ctx.router.on_start("inbound", entry.on_inbound)
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
