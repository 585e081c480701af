"""Wires the console: its service (fed by the queue, handoff and directory services already
wired), the page, the event stream and the JSON API."""

from __future__ import annotations

from vaxel.console.pages import build_api, build_pages
from vaxel.console.service import ConsoleService
from vaxel.context import AppContext


def wire(ctx: AppContext) -> None:
    service = ConsoleService(config=ctx.config, clock=ctx.clock, bus=ctx.bus,
                             services=ctx.services)  # fmt: skip
    ctx.services["console"] = service
    calls = ctx.services.get("calls")
    if calls is not None and hasattr(calls, "hooks"):
        calls.hooks.append(service.record_call)
    if ctx.router is not None:
        ctx.router.observe(service.note_event)
    ctx.api_routers.append(build_api(service))
    ctx.page_routers.append(build_pages(service))
    ctx.on_stop.append(service.stop)
