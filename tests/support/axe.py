"""axe-core accessibility checks for Playwright pages, from the npm package (./dev setup).

``assert_no_serious_violations(page)`` runs axe on what the page shows now and fails with a
readable list of every serious or critical violation (rule, impact, the elements, and how to
fix it). Pages carry ``Content-Security-Policy: script-src 'self'``, which blocks an inline
script tag, so axe is served to the page from its own origin (a Playwright route answered
from node_modules) rather than by switching the policy off for the test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, skip links, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_PATH = "/__test-only__/axe.min.js"


def axe_source() -> Path:
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run ./dev setup (npm ci installs axe-core)")
    return AXE_JS


def inject_axe(page: Any) -> None:
    if page.evaluate("typeof window.axe") == "object":
        return
    source = axe_source()
    parts = urlsplit(page.url)
    if parts.scheme in ("http", "https"):
        url = f"{parts.scheme}://{parts.netloc}{AXE_PATH}"
        page.route(url, lambda route: route.fulfill(path=str(source),
                                                    content_type="text/javascript"))  # fmt: skip
        page.add_script_tag(url=url)
    else:  # a file:// page (a saved report) has no policy to respect
        page.add_script_tag(path=str(source))
    if page.evaluate("typeof window.axe") != "object":
        raise AssertionError("axe-core did not load into the page")


def run_axe(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """The violations axe finds on the page (or inside ``include``, a CSS selector)."""
    inject_axe(page)
    result = page.evaluate(
        """([include, tags]) => axe.run(include ? {include: [include]} : document,
                                        {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [include, TAGS],
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(
                f"    {json.dumps(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_serious_violations(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """Fails on any serious or critical violation; returns the minor and moderate ones."""
    violations = run_axe(page, include)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{describe(blocking)}"
    return violations
