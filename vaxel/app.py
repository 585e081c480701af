"""The composition root: builds every piece once, wires them, runs until told to stop."""

from __future__ import annotations

import asyncio
import re
import signal
from dataclasses import dataclass
from pathlib import Path

import structlog

from vaxel import db
from vaxel.asterisk.ami import AmiClient
from vaxel.asterisk.ari import AriClient, AriUnreachable
from vaxel.asterisk.connection import resolve
from vaxel.asterisk.router import Router
from vaxel.clock import Clock, SystemClock
from vaxel.config import SiteConfig
from vaxel.ivr.prompts import PromptRenderer
from vaxel.ivr.service import EntryService
from vaxel.stats.store import CallStore

log = structlog.get_logger("vaxel.app")
SUPPORTED_MAJORS = (20, 22)


class StartupError(Exception):
    """Something a person must fix before vaxel can run; one line, no traceback."""


class PromptLibrary:
    """Renders every prompt of the site file once at start-up, so the greeting never waits."""

    def __init__(self, config: SiteConfig, renderer: PromptRenderer) -> None:
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


@dataclass
class Controller:
    config: SiteConfig
    ari: AriClient
    ami: AmiClient
    router: Router
    calls: CallStore
    entry: EntryService

    async def on_connected(self) -> None:
        """ARI does not replay missed events: reconcile open calls with live channels."""
        live = {c["id"] for c in await self.ari.channels()}
        ended = [
            c for c in await asyncio.to_thread(self.calls.open_calls) if c.channel_id not in live
        ]
        for record in ended:
            await asyncio.to_thread(
                self.calls.update,
                record.id,
                ended_at=self.entry.clock.now(),
                end_reason="ended_during_outage",
            )
        if ended:
            log.info("reconciled_after_connect", ended_during_outage=len(ended), live=len(live))


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
    match = re.match(r"(\d+)\.", version)
    if not match or int(match.group(1)) not in SUPPORTED_MAJORS:
        raise StartupError(f"Asterisk {version!r} is not supported; vaxel needs {SUPPORTED_MAJORS}")
    return version


async def run(
    config: SiteConfig, *, clock: Clock | None = None, ready_file: Path | None = None
) -> None:
    clock = clock or SystemClock()
    ari_settings, ami_settings, sounds_host_dir = resolve(config.asterisk)
    db.upgrade(config.database.url)
    sessions = db.make_sessionmaker(db.make_engine(config.database.url))
    calls = CallStore(sessions)
    renderer = PromptRenderer(sounds_host_dir, str(config.asterisk.sounds_dir))
    prompts = PromptLibrary(config, renderer)

    ari = AriClient(ari_settings)
    version = await wait_for_ari(ari, config.asterisk.startup_timeout_s)
    ami = AmiClient(ami_settings)
    await ami.start()

    router = Router()
    entry = EntryService(
        config=config, ari=ari, router=router, calls=calls, prompts=prompts, clock=clock
    )
    router.on_start("inbound", entry.on_inbound)
    controller = Controller(config, ari, ami, router, calls, entry)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    events = asyncio.create_task(ari.run_events(router.dispatch, controller.on_connected))
    connected = asyncio.create_task(ari.connected.wait())
    await asyncio.wait({events, connected}, return_when=asyncio.FIRST_COMPLETED)
    if events.done():
        await ami.stop()
        events.result()  # raises the fatal error, e.g. refused credentials
    log.info("vaxel_running", asterisk=version, app=ari_settings.app, site=config.site.name)
    if ready_file:
        ready_file.write_text("ready\n")
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({events, stopper}, return_when=asyncio.FIRST_COMPLETED)
    log.info("vaxel_stopping")
    await ari.stop()
    await ami.stop()
    if events in done:
        events.result()  # re-raise a fatal error such as refused credentials
    else:
        events.cancel()
    stopper.cancel()
