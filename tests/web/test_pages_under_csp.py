"""Every page works under the strict Content-Security-Policy: no violation in Chromium's console.

Screenshots are kept in the test's tmp directory for a look by eye.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from tests.support.sipp import free_port
from tests.unit.directory.dir_app import PASSWORD, make_context
from tests.web.directory_live import CHROMIUM_ARGS
from vaxel.app import package_wiring
from vaxel.web.app import create_app


@pytest.fixture()
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("VAXEL_STATS_DIR", str(tmp_path / "journal"))
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'web.db'}")
    for wire in package_wiring():
        wire(ctx)
    port = free_port(socket.SOCK_STREAM)
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


PAGES = {
    "karin": ["/", "/my-phone", "/directory?q=karin", "/messages/handled/abc", "/no/such/page"],
    "admin": ["/reports?from=2026-11-01&to=2026-11-30",
              "/api/v1/stats/reports/accessibility?from=2026-11-01&to=2026-11-30&format=html"],
}  # fmt: skip


def test_every_page_renders_without_a_content_security_policy_violation(site, tmp_path):
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for username, paths in PAGES.items():
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy"
                    in m.text or "Refused to" in m.text else None)  # fmt: skip
            page.goto(f"{site}/login")
            page.screenshot(path=str(tmp_path / "login.png"))
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{site}/")
            for path in paths:
                reply = page.goto(site + path)
                assert reply is not None and reply.status < 500, path
                assert "content-security-policy" in reply.headers, path
                page.wait_for_load_state("load")
                name = path.strip("/").split("?")[0].replace("/", "_") or "home"
                page.screenshot(path=str(tmp_path / f"{username}_{name}.png"), full_page=True)
            if username == "karin":
                page.goto(site + "/directory?q=karin")
                page.wait_for_function("document.body.dataset.live === 'connected'")
            page.close()
        browser.close()
    assert violations == []
