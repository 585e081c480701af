"""The wallboard over HTTP: the page, its event stream and colours, the kiosk screens'
read-only page and stream, and the API that lists, adds and revokes kiosks.

A kiosk token opens ``/kiosk/<token>`` and its stream, nothing else: it is not a login
session, so as a bearer token or cookie it is refused everywhere. An open stream checks
again every ``ACCESS_RECHECK_S`` (5 s) that the token (or the viewer's session and role)
still opens the wallboard, so a revocation ends an open stream within that time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from vaxel.console.wallboard_service import WallboardService, json_dumps
from vaxel.console.wallboard_texts import TEXTS
from vaxel.web.app import COOKIE, principal_of, render, require
from vaxel.web.auth import AuthService, Principal, Role
from vaxel.web.i18n import language_of

VIEWERS = (Role.SUPERVISOR, Role.ANALYST)  # and admin, who has every role
KIOSK_KEEPERS = (Role.SUPERVISOR,)
STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


class KioskIn(BaseModel):
    name: str = Field(min_length=1, max_length=80, description="where the screen hangs")


def _session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def theme_css(service: WallboardService) -> str:
    colours = service.settings.colours
    return (f":root {{ --wb-ok: {colours.ok}; --wb-warn: {colours.warn}; "
            f"--wb-alarm: {colours.alarm}; }}\n")  # fmt: skip


def pages_router(service: WallboardService, auth: AuthService) -> APIRouter:
    pages = APIRouter()

    def page(request: Request, stream_url: str, kiosk: str | None) -> HTMLResponse:
        lang = language_of(request)
        return render(request, "console/wallboard.html", stream_url=stream_url, kiosk=kiosk,
                      texts=json_dumps(TEXTS[lang]).replace("</", "<\\/"))  # fmt: skip

    @pages.get("/wallboard", response_class=HTMLResponse)
    async def wallboard(request: Request) -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login?next=/wallboard", status_code=303)
        if not user.has(*VIEWERS):
            raise HTTPException(status_code=403, detail="your role does not allow the wallboard")
        return page(request, "/wallboard/stream", None)

    @pages.get("/wallboard/stream")
    async def stream(request: Request) -> Response:
        token = _session_token(request)
        user = principal_of(request)
        if user is None:
            raise HTTPException(status_code=401, detail="log in first")
        if not user.has(*VIEWERS):
            raise HTTPException(status_code=403, detail="your role does not allow the wallboard")

        async def still_allowed() -> bool:
            now = await asyncio.to_thread(auth.principal, token)
            return now is not None and now.has(*VIEWERS)

        return StreamingResponse(service.stream(still_allowed), media_type="text/event-stream",
                                 headers=STREAM_HEADERS)  # fmt: skip

    @pages.get("/wallboard/theme.css")
    async def theme() -> Response:
        return Response(theme_css(service), media_type="text/css")

    async def kiosk_or_403(token: str) -> None:
        if await asyncio.to_thread(service.kiosks.valid, token) is None:
            raise HTTPException(status_code=403, detail="this screen's link is wrong or revoked")

    @pages.get("/kiosk/{token}", response_class=HTMLResponse)
    async def kiosk(request: Request, token: str) -> Response:
        await kiosk_or_403(token)
        response = page(request, f"/kiosk/{token}/stream", token)
        response.headers["referrer-policy"] = "no-referrer"  # the link is the permission
        return response

    @pages.get("/kiosk/{token}/stream")
    async def kiosk_stream(token: str) -> Response:
        await kiosk_or_403(token)

        async def still_allowed() -> bool:
            return await asyncio.to_thread(service.kiosks.valid, token) is not None

        return StreamingResponse(service.stream(still_allowed), media_type="text/event-stream",
                                 headers=STREAM_HEADERS)  # fmt: skip

    return pages


def api_router(service: WallboardService, auth: AuthService) -> APIRouter:
    api = APIRouter(prefix="/wallboard", tags=["wallboard"])

    @api.get("")
    async def board(user: Principal = require(*VIEWERS)) -> dict[str, Any]:
        """The wallboard as JSON: the same board the page and the kiosks show."""
        return (await service.current()).as_json()

    @api.get("/kiosks")
    async def kiosks(user: Principal = require(*KIOSK_KEEPERS)) -> list[dict[str, Any]]:
        return [_kiosk_out(k) for k in await asyncio.to_thread(service.kiosks.all)]

    @api.post("/kiosks", status_code=201)
    async def add(body: KioskIn, request: Request,
                  user: Principal = require(*KIOSK_KEEPERS)) -> dict[str, Any]:  # fmt: skip
        """A kiosk screen; the answer's ``url`` (with the token) is shown only this once."""
        made, token = await asyncio.to_thread(service.kiosks.add, body.name, user.username,
                                              service.clock.now())  # fmt: skip
        await asyncio.to_thread(auth.audit, user, "wallboard.kiosk.add", f"kiosk:{made.id}",
                                {"name": made.name})  # fmt: skip
        base = service.config.web.public_url.rstrip("/")
        return {**_kiosk_out(made), "url": f"{base}/kiosk/{token}"}

    @api.post("/kiosks/{kiosk_id}/revoke")
    async def revoke(kiosk_id: int, user: Principal = require(*KIOSK_KEEPERS)) -> dict[str, Any]:
        done = await asyncio.to_thread(service.kiosks.revoke, kiosk_id, user.username,
                                       service.clock.now())  # fmt: skip
        await asyncio.to_thread(auth.audit, user, "wallboard.kiosk.revoke", f"kiosk:{kiosk_id}")
        return _kiosk_out(done)

    return api


def _kiosk_out(kiosk: Any) -> dict[str, Any]:
    return {"id": kiosk.id, "name": kiosk.name, "created_at": kiosk.created_at.isoformat(),
            "created_by": kiosk.created_by,
            "revoked_at": kiosk.revoked_at.isoformat() if kiosk.revoked_at else None}  # fmt: skip
