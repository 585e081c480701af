"""The web app factory: login, roles, CSRF, error mapping; packages add their routers.

Pages are server-rendered (Jinja2) with a little JavaScript; the API lives under /api/v1
with OpenAPI at /api/v1/openapi.json. A user is identified by a session cookie (pages, and
the pages' own fetches, which must send the CSRF token) or a bearer token (scripts).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from vaxel.config import Web
from vaxel.context import AppContext
from vaxel.web import docs
from vaxel.web.auth import Principal, Role, csrf_matches
from vaxel.web.errors import install_error_handlers
from vaxel.web.headers import SecurityHeaders
from vaxel.web.i18n import language_of, translator
from vaxel.web.login_guard import LoginCsrf, LoginGuard

HERE = Path(__file__).resolve().parent
COOKIE = "vaxel_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
log = structlog.get_logger("vaxel.web")

templates = Jinja2Templates(directory=HERE / "templates")


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def current_user(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise HTTPException(status_code=401, detail="log in first")
    if request.method not in SAFE_METHODS and request.state.via_cookie:
        given = request.headers.get("x-csrf-token") or request.state.form_csrf
        if not csrf_matches(principal.csrf_token, given):
            raise HTTPException(status_code=403, detail="missing or wrong CSRF token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


def require(*roles: Role):  # type: ignore[no-untyped-def]
    def check(user: CurrentUser) -> Principal:
        if not user.has(*roles):
            raise HTTPException(status_code=403, detail="your role does not allow this")
        return user

    # Machine-readable, so tests can tell from a route's dependencies which roles it admits.
    check.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
    return Depends(check)


def render(
    request: Request, template: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    lang = language_of(request)
    return templates.TemplateResponse(
        request,
        template,
        {"t": translator(lang), "lang": lang, "user": principal_of(request), **context},
        status_code=status_code,
    )


def create_app(ctx: AppContext) -> FastAPI:
    app = FastAPI(
        title="vaxel",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # our own page (web/docs.py): Swagger UI served by vaxel, not a CDN
        redoc_url=None,
    )
    app.state.ctx = ctx
    auth = ctx.auth
    secure = cookies_are_secure(ctx.config.web)
    app.add_middleware(SecurityHeaders)

    @app.middleware("http")
    async def identify(request: Request, call_next):  # type: ignore[no-untyped-def]
        token, via_cookie = None, False
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            token = header[7:].strip()
        elif COOKIE in request.cookies:
            token, via_cookie = request.cookies[COOKIE], True
        request.state.principal = await asyncio.to_thread(auth.principal, token) if token else None
        request.state.via_cookie = via_cookie
        request.state.form_csrf = None
        if via_cookie and request.method not in SAFE_METHODS:
            kind = request.headers.get("content-type", "")
            if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                # Reading body() first caches it, so the endpoint still gets the form fields.
                await request.body()
                form = await request.form()
                request.state.form_csrf = form.get("csrf_token")
        return await call_next(request)

    install_error_handlers(app)

    from vaxel.web.login import add_login_routes

    add_login_routes(app, auth=auth, guard=LoginGuard(clock=ctx.clock), csrf=LoginCsrf(),
                     secure=secure, session_cookie=COOKIE)  # fmt: skip

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, user: CurrentUser) -> Response:
        await asyncio.to_thread(auth.close_session, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/api/v1/me", tags=["auth"])
    async def me(user: CurrentUser) -> dict[str, object]:
        return {
            "username": user.username,
            "display_name": user.display_name,
            "roles": sorted(user.roles),
            "person_id": user.person_id,
            "unit_id": user.unit_id,
        }

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        return render(request, "home.html")

    for router in ctx.api_routers:
        app.include_router(router, prefix="/api/v1")
    for router in ctx.page_routers:
        app.include_router(router, include_in_schema=False)
    app.include_router(docs.router(app.openapi_url or ""), include_in_schema=False)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def cookies_are_secure(web: Web) -> bool:
    """Secure cookies whenever the site is reached over https, unless set explicitly."""
    if web.secure_cookies is not None:
        return web.secure_cookies
    return web.public_url.lower().startswith("https://")


def _safe_next(target: str) -> str:
    """Only local paths, so the login form cannot be used as an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
