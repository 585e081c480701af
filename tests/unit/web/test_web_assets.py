"""Nothing on any page comes from the internet: templates, our own CSS and JS, and every page
as served. The API documentation is Swagger UI served by vaxel itself (npm swagger-ui-dist
copied to static/vendor by ./dev setup), and says so clearly when those files are missing."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.support.web_login import page_login
from tests.unit.directory.dir_app import PASSWORD
from tests.web.pages_app import PAGES, build
from vaxel.web import docs
from vaxel.web.app import create_app

VAXEL = Path(__file__).resolve().parents[3] / "vaxel"
LOCAL_HOSTS = {None, "", "127.0.0.1", "localhost", "testserver"}
# A URL in an attribute that loads or links something, or in CSS.
REFERENCE = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])"""
    r"""((?:[a-z][a-z0-9+.-]*:)?//[^\s"')>]+)""",
    re.IGNORECASE,
)


def foreign_references(text: str) -> list[str]:
    found = []
    for url in REFERENCE.findall(text):
        parts = urlsplit(url)
        if parts.scheme in ("", "http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            found.append(url)
    return found


def own_front_end_files() -> list[Path]:
    files = [*VAXEL.glob("**/templates/**/*.html")]
    static = VAXEL / "web" / "static"
    files += [p for p in static.glob("*") if p.suffix in (".js", ".css")]
    return files


def test_the_reference_scanner_finds_what_a_page_would_load_from_outside():
    page = ('<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js">'
            '</script><link href=//fonts.googleapis.com/css rel=stylesheet>'
            '<a href="/static/x.css">ok</a><img src="http://127.0.0.1:8080/a.png">'
            '<style>@import "https://example.org/a.css"; b{background:url(https://x.se/i.png)}</style>'
            '<svg xmlns="http://www.w3.org/2000/svg"></svg>')  # fmt: skip
    assert foreign_references(page) == [
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js",
        "//fonts.googleapis.com/css",
        "https://example.org/a.css",
        "https://x.se/i.png",
    ]


def test_no_template_script_or_stylesheet_refers_to_another_host():
    files = own_front_end_files()
    assert any(p.name == "base.html" for p in files) and any(p.suffix == ".css" for p in files)
    found = {str(p.relative_to(VAXEL)): foreign_references(p.read_text()) for p in files}
    assert {name: urls for name, urls in found.items() if urls} == {}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    ctx = build(tmp_path_factory.mktemp("assets"))
    with TestClient(create_app(ctx)) as client:
        yield client


def fetch_as(client: TestClient, user: str | None, path: str) -> str:
    client.cookies.clear()
    if user:
        reply = page_login(client, user, PASSWORD)
        assert reply.status_code == 303, reply.text
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    return page.text


@pytest.mark.parametrize(
    ("name", "user", "path"), [p[:3] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_page_as_served_loads_nothing_from_another_host_and_has_no_inline_script_or_style(
    site, name, user, path
):
    html = fetch_as(site, user, path)
    assert foreign_references(html) == []
    # The strict Content-Security-Policy (script-src 'self'; style-src 'self') would block these.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.DOTALL | re.IGNORECASE)
    assert scripts == [(attrs, "") for attrs, _ in scripts if "src=" in attrs]
    assert re.findall(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", html, re.IGNORECASE) == []
    for sheet in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        css = site.get(sheet)
        assert css.status_code == 200, sheet
        assert foreign_references(css.text) == [], sheet


def test_api_docs_serve_swagger_ui_and_its_start_script_from_vaxel_itself(site):
    html = fetch_as(site, None, "/api/v1/docs")
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == ["/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    for source in sources:
        reply = site.get(source)
        assert reply.status_code == 200 and len(reply.content) > 500, source
    assert "SwaggerUIBundle" in site.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").text
    assert "/api/v1/openapi.json" in html


def test_api_docs_say_clearly_when_swagger_ui_is_not_installed(tmp_path, monkeypatch, site):
    monkeypatch.setattr(docs, "VENDOR", tmp_path / "no-vendor")
    site.cookies.clear()
    reply = site.get("/api/v1/docs?lang=en")
    assert reply.status_code == 503
    assert "Swagger UI is not installed" in reply.text
    assert "./dev setup" in reply.text and "swagger-ui-bundle.js" in reply.text
    assert 'href="/api/v1/openapi.json"' in reply.text
    assert "<script" not in reply.text
