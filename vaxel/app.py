"""The composition root: builds every piece once, wires the packages, runs until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path

import structlog
import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from vaxel import db
from vaxel.asterisk.ami import AmiClient
from vaxel.asterisk.ari import AriClient, AriUnreachable
from vaxel.asterisk.connection import resolve
from vaxel.asterisk.router import Router
from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock, SystemClock
from vaxel.config import SiteConfig
from vaxel.context import AppContext, Bus
from vaxel.ivr.prompts import PromptRenderer
from vaxel.web.auth import AuthService

log = structlog.get_logger("vaxel.app")
SUPPORTED_MAJORS = (20, 22)


class StartupError(Exception):
    """Something a person must fix before vaxel can run; one line, no traceback."""


def package_wiring() -> list[Callable[[AppContext], None]]:
    """Each package wires itself; the order is the order dependencies are offered."""
    from vaxel.console import wallboard_wiring as wallboard
    from vaxel.console import wiring as console
    from vaxel.directory import wiring as directory
    from vaxel.handoff import wiring as handoff
    from vaxel.ivr import wiring as ivr
    from vaxel.queue import wiring as queue
    from vaxel.stats import wiring as stats

    # stats first: it offers ctx.services["labels"] and ["calls"] to everyone after it.
    return [stats.wire, queue.wire, ivr.wire, directory.wire, handoff.wire, wallboard.wire,
            console.wire]  # fmt: skip


def build_context(config: SiteConfig, clock: Clock | None = None) -> AppContext:
    """Everything that does not need Asterisk: the store, the calendar, auth, the bus."""
    clock = clock or SystemClock()
    db.upgrade(config.database.url)
    sessions = db.make_sessionmaker(db.make_engine(config.database.url))
    calendar = BusinessCalendar(config.site.half_days, half_day_closes=config.site.half_day_closes)
    return AppContext(
        config=config,
        clock=clock,
        sessions=sessions,
        calendar=calendar,
        auth=AuthService(sessions=sessions, clock=clock),
        bus=Bus(),
        scheduler=AsyncIOScheduler(timezone=config.site.timezone),
    )


async def wait_for_ari(ari: AriClient, timeout: float) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            info = await ari.info()
            break
        except AriUnreachable as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise StartupError(
                    f"{exc} (is Asterisk running? for the sandbox: 'vaxel pbx up')"
                ) from None
            await asyncio.sleep(0.2)
    version = info.get("system", {}).get("version", "")
    match = re.match(r"([0-9]+)\.", version)
    if not match or int(match.group(1)) not in SUPPORTED_MAJORS:
        raise StartupError(f"Asterisk {version!r} is not supported; vaxel needs {SUPPORTED_MAJORS}")
    return version


async def run(
    config: SiteConfig, *, clock: Clock | None = None, ready_file: Path | None = None
) -> None:
    ari_settings, ami_settings, sounds_host_dir = resolve(config.asterisk)
    ctx = build_context(config, clock)
    ctx.renderer = PromptRenderer(sounds_host_dir, str(config.asterisk.sounds_dir))
    ctx.ari = AriClient(ari_settings)
    # Benchmarks: VAXEL_ARI_LATENCY_FILE=path records every ARI request's latency and
    # writes them (seconds, one per line) there at shutdown.
    latency_file = os.environ.get("VAXEL_ARI_LATENCY_FILE")
    if latency_file:
        ctx.ari.request_latencies = []
    try:
        version = await wait_for_ari(ctx.ari, config.asterisk.startup_timeout_s)
    except BaseException:
        await ctx.ari.stop()  # an open HTTP pool would print a warning after the one line
        raise
    ctx.ami = AmiClient(ami_settings)
    ctx.router = Router()
    for wire in package_wiring():
        wire(ctx)
    await ctx.ami.start()

    async def on_connected() -> None:
        for hook in ctx.on_connected:
            try:
                await hook()
            except Exception:
                log.exception("resync_failed", hook=getattr(hook, "__qualname__", str(hook)))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    events = asyncio.create_task(ctx.ari.run_events(ctx.router.dispatch, on_connected))
    connected = asyncio.create_task(ctx.ari.connected.wait())
    await asyncio.wait({events, connected}, return_when=asyncio.FIRST_COMPLETED)
    if events.done():
        await ctx.ami.stop()
        await ctx.ari.stop()
        events.result()  # raises the fatal error, e.g. refused credentials

    web = await start_web(ctx)
    ctx.scheduler.start()
    log.info("vaxel_running", asterisk=version, app=ari_settings.app, site=config.site.name,
             web=config.web.public_url if web else None)  # fmt: skip
    if ready_file:
        ready_file.write_text("ready\n")
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({events, stopper}, return_when=asyncio.FIRST_COMPLETED)
    log.info("vaxel_stopping")
    ctx.scheduler.shutdown(wait=False)
    for hook in ctx.on_stop:
        await hook()
    if web is not None:
        web.should_exit = True
    await ctx.ari.stop()
    await ctx.ami.stop()
    if latency_file and ctx.ari.request_latencies is not None:
        Path(latency_file).write_text("".join(f"{v:.6f}\n" for v in ctx.ari.request_latencies))
    if events in done:
        events.result()
    else:
        events.cancel()
    stopper.cancel()


async def start_web(ctx: AppContext) -> uvicorn.Server | None:
    if not ctx.config.web.enabled:
        return None
    from vaxel.web.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ctx),
            host=ctx.config.web.bind,
            port=ctx.config.web.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
    )
    # The controller's own SIGINT/SIGTERM handlers stop everything in order, the web last.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise StartupError(f"the web server could not start on port {ctx.config.web.port}")
        await asyncio.sleep(0.02)
    return server
