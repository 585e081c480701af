"""The real web app with the stats, queue API and wallboard wired, a queue service that
holds telephonists but places no calls (no Asterisk), and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.controller import write_site_file
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.console import wallboard_wiring
from vaxel.context import AppContext
from vaxel.queue import wiring as queue_wiring
from vaxel.queue.service import QueueService
from vaxel.queue.store import QueueStore
from vaxel.stats import wiring as stats_wiring
from vaxel.web.auth import Role

PASSWORD = "correct horse battery"
USERS = {"sara": {Role.SUPERVISOR}, "ada": {Role.ANALYST}, "t1001": {Role.TELEPHONIST},
         "root": {Role.ADMIN}, "olle": {Role.OFFICER}}  # fmt: skip


@dataclass
class Made:
    ctx: AppContext
    queues: QueueService
    wallboard: Any


def make_app(tmp_path: Path, url: str | None = None, refresh_s: float = 1) -> Made:
    site = write_site_file(tmp_path, url)
    site.write_text(site.read_text().replace("\nrefresh_s = 1\n", f"\nrefresh_s = {refresh_s}\n"))
    ctx = build_context(load_site_config(site))
    for name, roles in USERS.items():
        ctx.auth.create_user(username=name, display_name=name.title(), password=PASSWORD,
                             roles=roles)  # fmt: skip
    stats_wiring.wire(ctx)
    queue_wiring.wire(ctx)  # without Asterisk: the API only
    queues = QueueService(config=ctx.config, clock=ctx.clock, calendar=ctx.calendar, ari=None,  # type: ignore[arg-type]
                          router=None, store=QueueStore(ctx.sessions), services=ctx.services)  # type: ignore[arg-type]  # fmt: skip
    ctx.services["queues"] = queues
    wallboard_wiring.wire(ctx)
    return Made(ctx, queues, ctx.services["wallboard"])
