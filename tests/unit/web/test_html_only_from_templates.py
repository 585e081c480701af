"""All HTML comes from autoescaped Jinja templates: no code builds markup by string formatting.

A scan of the source, so a new route that writes a request value into an f-string of HTML
fails here before it can reach a browser (issue #11: the reflected XSS in the message link).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import vaxel

PACKAGE = Path(vaxel.__file__).resolve().parent
# An HTML or SVG element's tag, opening or closing; not "a < b" nor a placeholder like "<name>".
ELEMENTS = (
    "!doctype html head body title meta link style script noscript base iframe object embed "
    "form input button select option textarea label a p div span section main nav header footer "
    "h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tr th td img svg g text line rect circle "
    "polyline path strong em br hr pre code"
).split()
TAG = re.compile(
    r"<\s*/?\s*(" + "|".join(re.escape(e) for e in ELEMENTS) + r")(?=[\s>/]|$)", re.IGNORECASE
)


def _literal_text(node: ast.AST) -> str:
    """The constant text an expression contributes (the fixed parts of an f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def _formats_markup(node: ast.AST) -> bool:
    """True when the expression builds a string with markup from non-constant parts."""
    if isinstance(node, ast.JoinedStr):
        dynamic = any(isinstance(v, ast.FormattedValue) for v in node.values)
        return dynamic and bool(TAG.search(_literal_text(node)))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        text = _literal_text(node)
        dynamic = not all(isinstance(n, ast.Constant) for n in _operands(node))
        return dynamic and bool(TAG.search(text))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    ):
        return bool(TAG.search(_literal_text(node.func.value)))
    return False


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [*_operands(node.left), *_operands(node.right)]
    return [node]


def markup_built_by_formatting(source: str, filename: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if _formats_markup(node):
            found.append(f"{filename}:{node.lineno}")  # type: ignore[attr-defined]
    return sorted(set(found))


def test_no_module_builds_html_by_string_formatting():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        offenders += markup_built_by_formatting(path.read_text(), str(path.relative_to(PACKAGE)))
    assert offenders == [], "build HTML with a Jinja template, not string formatting"


def test_the_scan_catches_the_old_reflected_xss_in_the_message_link():
    old_route = """
@router.get("/messages/handled/{token}", response_class=HTMLResponse)
async def confirm(token: str) -> str:
    return (
        "<!doctype html><html lang=sv><meta charset=utf-8><title>Meddelande</title>"
        f"<form method=post action='/messages/handled/{token}'>"
        "<p>Markera meddelandet som hanterat?</p><button>Hanterat</button></form></html>"
    )
"""
    assert markup_built_by_formatting(old_route, "old.py") != []


def test_the_scan_catches_percent_format_and_concatenation():
    for line in ('page = "<p>%s</p>" % name', 'page = "<p>{}</p>".format(name)',
                 'page = "<p>" + name + "</p>"', "page = '<td ' + cell"):  # fmt: skip
        assert markup_built_by_formatting(line, "x.py") != [], line


def test_the_scan_leaves_comparisons_and_plain_text_alone():
    for line in (
        'message = f"{a} < {b}"',
        'text = f"value {x} is < 3"',
        'log = "a" + b',
        'error = f"{t}: write queue:<name> or office:<name>"',
    ):
        assert markup_built_by_formatting(line, "x.py") == [], line


def test_the_message_link_page_escapes_the_token():
    from vaxel.web.app import templates

    page = templates.get_template("handoff/confirm_handled.html").render(
        t=lambda key: key, lang="sv", user=None, token="x'><script>alert(1)</script>"
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_message_link_route_does_not_reflect_script_from_the_token(tmp_path):
    from urllib.parse import quote

    from fastapi.testclient import TestClient

    from tests.unit.web.web_app import full_context
    from vaxel.web.app import create_app

    attack = "x'><img src=x onerror=alert(document.cookie)><a href='"  # no "/": one path segment
    with TestClient(create_app(full_context(tmp_path, users={}))) as client:
        page = client.get("/messages/handled/" + quote(attack, safe=""))
    assert page.status_code == 200
    assert "<img" not in page.text
    assert "&lt;img src=x onerror=alert(document.cookie)&gt;" in page.text
