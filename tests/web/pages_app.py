"""Every page vaxel has, in-process (no Asterisk): the example directory, 30 days of synthetic
calls for the reports, users of each role, served by uvicorn on a free port. Each response
carries the strict Content-Security-Policy the pages must work under."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import uvicorn

from tests.support.sipp import free_port
from tests.unit.directory.dir_app import PASSWORD, make_context
from vaxel.context import AppContext
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load
from vaxel.web.app import create_app
from vaxel.web.auth import Role

CSP = "script-src 'self'; style-src 'self'"
REPORT_FIRST, REPORT_LAST = date(2026, 9, 1), date(2026, 9, 30)
ANALYST = "ada"
REPORT = f"/reports?from={REPORT_FIRST}&to={REPORT_LAST}"
REPORT_NAMES = ("accessibility", "transfers", "audit", "telephonists", "heatmap")
# The telephonists report is for administrators; the others for analysts.
REPORT_USER = {name: "admin" if name == "telephonists" else ANALYST for name in REPORT_NAMES}

# Every page: (name, user or None, path, a selector that shows the page is ready)
PAGES = [
    ("login", None, "/login", "#username"),
    ("home", "admin", "/", "main h1"),
    ("directory", "tove", "/directory?q=torghandel", "#results"),
    ("my-phone", "karin", "/my-phone", "#my-status"),
    *[(f"reports-{name}", REPORT_USER[name], f"{REPORT}&name={name}", ".report table")
      for name in REPORT_NAMES],
    ("api-docs", None, "/api/v1/docs", "#swagger-ui .opblock"),
]  # fmt: skip


@dataclass
class RunningApp:
    ctx: AppContext
    base: str


def build(tmp_path: Path) -> AppContext:
    from vaxel.directory import wiring as directory
    from vaxel.stats import wiring as stats

    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'pages.db'}")
    ctx.auth.create_user(username=ANALYST, display_name="Ada Analytiker", password=PASSWORD,
                         roles={Role.ANALYST})  # fmt: skip
    directory.wire(ctx)
    stats.wire(ctx)
    calls = generate(3000, REPORT_FIRST, 30, seed=15, is_working_day=ctx.calendar.is_working_day)
    load(ctx.sessions, calls)
    return ctx


@contextmanager
def serve(ctx: AppContext) -> Iterator[RunningApp]:
    app = create_app(ctx)

    @app.middleware("http")
    async def strict_policy(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("content-security-policy", CSP)
        return response

    port = free_port(socket.SOCK_STREAM)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield RunningApp(ctx, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=5)
