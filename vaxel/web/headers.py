"""Security headers on every response: pages, API, static files, errors and 404s.

A pure ASGI middleware (not BaseHTTPMiddleware) so streamed responses such as the
directory's Server-Sent Events pass through untouched. A route may send its own
value of any of them, always a stricter one: the standalone report export allows its one
inline style by hash, the kiosk page (whose link is its permission) sends no referrer.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere: scripts and CSS are files under /static.
# img-src allows data: for browsers' own form controls; nothing is framed or embedded.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def policy_allowing_style(source: str) -> str:
    """The policy with one more style source (a hash), for a page that must stand alone."""
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {source}")


def add_security_headers(headers: MutableHeaders | MutableMapping[str, Any]) -> None:
    for name, value in (
        *SECURITY_HEADERS.items(),
        ("content-security-policy", CONTENT_SECURITY_POLICY),
    ):
        if name not in headers:
            headers[name] = value


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)
