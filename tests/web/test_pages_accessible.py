"""Every page passes axe-core (no serious or critical violation), can be worked by keyboard
alone, loads nothing from another host and keeps to the strict Content-Security-Policy. The
reports fit a 1280 px window. Screenshots of each page are kept in artefacts/screenshots."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.support.artefacts import screenshots_dir
from tests.support.axe import AXE_PATH, assert_no_serious_violations
from tests.unit.directory.dir_app import PASSWORD
from tests.web.directory_live import CHROMIUM_ARGS
from tests.web.pages_app import PAGES, REPORT, REPORT_NAMES, REPORT_USER, build, serve

ROOT = Path(__file__).resolve().parents[2]
SHOTS = screenshots_dir()
WIDTH = 1280
RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, source: e.sourceFile, sample: e.sample}));"""
TABBABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, "
    "textarea, [tabindex]:not([tabindex='-1'])"
)
FOCUS_SHOWN = """() => { const s = getComputedStyle(document.activeElement);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'; }"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve(build(tmp_path_factory.mktemp("pages"))) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page in a 1280 px window whose every request and CSP violation is recorded."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="sv-SE")
        self.context.add_init_script(RECORD_CSP)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.base = base

    def log_in(self, username: str, next_path: str) -> None:
        self.page.goto(f"{self.base}/login?next={quote(next_path, safe='')}")
        self.page.get_by_label("Användarnamn").fill(username)
        self.page.get_by_label("Lösenord").fill(PASSWORD)
        self.page.get_by_role("button", name="Logga in").click()
        self.page.wait_for_url(lambda url: "/login" not in url)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]  # fmt: skip

    def csp_violations(self) -> list[dict]:
        # axe-core itself adds a style element while it checks contrast; that is the test's.
        found = self.page.evaluate("window.__csp")
        return [v for v in found if AXE_PATH not in (v["source"] or "")]

    def shoot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def open_page(browser, site, user: str | None, path: str, ready: str) -> Watched:
    watched = Watched(browser, site.base)
    if user:
        watched.log_in(user, path)
    else:
        watched.page.goto(site.base + path)
    watched.page.wait_for_selector(ready, timeout=15000)
    return watched


def tab_until(page, predicate: str, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab until the focused element satisfies ``predicate`` (a JS function of it)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {predicate}")


@pytest.mark.parametrize(("name", "user", "path", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_page_passes_axe_loads_nothing_from_outside_and_keeps_to_the_policy(
    browser, site, name, user, path, ready
):
    watched = open_page(browser, site, user, path, ready)
    page = watched.page
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert page.locator("main#main").count() == 1 and page.locator("header nav").count() == 1
    watched.shoot(name)
    assert_no_serious_violations(page)
    assert watched.foreign_requests() == []
    assert watched.csp_violations() == []
    watched.close()


@pytest.mark.parametrize(("name", "user", "path", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_the_skip_link_comes_first_shows_when_focused_and_moves_focus_to_the_content(
    browser, site, name, user, path, ready
):
    watched = open_page(browser, site, user, path, ready)
    page = watched.page
    first = page.evaluate(f"[...document.querySelectorAll({TABBABLE!r})][0].className")
    assert first == "skip"
    if page.evaluate("document.activeElement === document.body"):
        page.keyboard.press("Tab")
    else:  # a page that puts focus in its first field (login, search): back up to the link
        tab_until(page, "e => e.className === 'skip'", key="Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 20
    assert page.evaluate(f"({FOCUS_SHOWN})()")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    watched.close()


def test_api_docs_stay_accessible_while_trying_an_operation(browser, site):
    watched = open_page(browser, site, None, "/api/v1/docs", "#swagger-ui .opblock")
    page = watched.page
    login = page.locator("#operations-auth-api_login_api_v1_auth_login_post")
    login.locator(".opblock-summary-control").focus()
    page.keyboard.press("Enter")
    try_it = page.get_by_role("button", name="Try it out")
    try_it.focus()
    assert page.evaluate(f"({FOCUS_SHOWN})()")
    page.keyboard.press("Enter")
    body = page.get_by_label("Anropets innehåll (JSON)")
    body.fill('{"username": "nobody", "password": "wrong password"}')
    assert_no_serious_violations(page)
    page.locator(".btn.execute").focus()
    page.keyboard.press("Enter")
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().startswith("401")
    watched.shoot("api-docs-tried")
    assert_no_serious_violations(page)
    assert watched.foreign_requests() == []
    assert watched.csp_violations() == []
    watched.close()


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_report_fits_a_1280_px_window_with_wide_tables_in_labelled_scroll_regions(
    browser, site, name
):
    watched = open_page(browser, site, REPORT_USER[name], f"{REPORT}&name={name}", ".report table")
    page = watched.page
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    regions = page.locator(".report .table-scroll")
    assert regions.count() == page.locator(".report table").count() >= 1
    for i in range(regions.count()):
        region = regions.nth(i)
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("tabindex") == "0"
        heading = page.locator(f"#{region.get_attribute('aria-labelledby')}")
        assert heading.inner_text().strip()
        box = region.bounding_box()
        assert box is not None and box["x"] + box["width"] <= WIDTH
    watched.close()


def test_accessibility_report_shows_the_key_figures_first(browser, site):
    path = f"{REPORT}&name=accessibility"
    watched = open_page(browser, site, REPORT_USER["accessibility"], path, ".report table")
    page = watched.page
    figures = page.locator(".key-figures")
    box = figures.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 900  # on the first screen
    order = page.evaluate("""() => [...document.querySelectorAll('.report .key-figures, .report svg, .report table')]
                                   .map(e => e.tagName.toLowerCase())""")  # fmt: skip
    assert order[0] == "dl" and order.index("svg") < order.index("table")
    terms = page.locator(".key-figures dt").all_inner_texts()
    assert terms[:3] == ["Erbjudna", "Besvarade", "Svarsfrekvens"]
    # The figure shown equals the report's own summary.
    summary = page.locator(".report table.turned tbody tr").first
    assert summary.locator("th").inner_text() == "Erbjudna"
    assert page.locator(".key-figures dd").first.inner_text() == summary.locator("td").inner_text()
    watched.close()


def test_keyboard_alone_logs_in_chooses_a_report_and_scrolls_a_wide_table(browser, site):
    watched = Watched(browser, site.base)
    page = watched.page
    # A bookmarked report: the login form carries the user on to it.
    page.goto(f"{site.base}/login?next={quote(REPORT + '&name=accessibility', safe='')}")
    assert page.evaluate("document.activeElement.id") == "username"  # autofocus
    page.keyboard.type(REPORT_USER["accessibility"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(".report table")
    tab_until(page, "e => e.name === 'period'")
    assert page.evaluate(f"({FOCUS_SHOWN})()")
    page.keyboard.type("v")  # a closed list box picks the option that starts with the letter
    assert page.evaluate("document.activeElement.value") == "week"
    tab_until(page, "e => e.type === 'submit' && e.closest('.report-form')")
    assert page.evaluate(f"({FOCUS_SHOWN})()")
    page.keyboard.press("Enter")
    page.wait_for_url("**period=week**")
    assert page.locator(".report p").first.inner_text() == "Från 2026-09-01 till 2026-09-30"
    by_period = "accessibility-by_period"
    tab_until(page, f"e => e.getAttribute('aria-labelledby') === '{by_period}'")
    assert page.evaluate(f"({FOCUS_SHOWN})()")
    region = page.locator(f'[aria-labelledby="{by_period}"]')
    assert region.locator("tbody th").first.inner_text() == "2026-W36"
    assert region.evaluate("e => e.scrollWidth > e.clientWidth")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("e => e.scrollLeft") > 0
    assert page.evaluate("window.scrollX") == 0
    watched.close()
