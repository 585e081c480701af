"""The HTML report renders in headless Chromium, charts included (screenshot kept)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.support.axe import assert_no_serious_violations
from tests.support.stats_store import Env
from vaxel.stats.render import render
from vaxel.stats.reports import Query, build
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def test_accessibility_report_renders_in_headless_chromium_with_its_charts(tmp_path: Path):
    from playwright.sync_api import sync_playwright

    env = Env(f"sqlite:///{tmp_path / 'r.db'}", tmp_path)
    first = date(2026, 9, 1)
    load(
        env.sessions, generate(2000, first, 30, seed=8, is_working_day=env.calendar.is_working_day)
    )
    report = build(env.reader, env.calendar, Query("accessibility", first, date(2026, 9, 30)))
    page_file = tmp_path / "accessibility.html"
    page_file.write_bytes(render(report, "html", "sv"))
    shot = tmp_path / "accessibility.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_file.as_uri())
        assert page.locator("svg.chart").count() == 3
        box = page.locator("svg.chart").first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        assert page.locator("h1").inner_text() == "Tillgänglighet"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200
        assert_no_serious_violations(page)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    Path("/tmp/vaxel-stats-accessibility.png").write_bytes(shot.read_bytes())
