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
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from vaxel.context import AppContext
from vaxel.errors import DomainError
from vaxel.web.auth import AuthError, Forbidden, Principal, Role, csrf_matches
from vaxel.web.i18n import language_of, translator

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


class LoginBody(BaseModel):
    username: str
    password: str


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
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    auth = ctx.auth
    secure = ctx.config.web.secure_cookies

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

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=exc.status)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"error": "forbidden", "message": str(exc)}, status_code=403)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "message": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse(
            {
                "error": "invalid_request",
                "message": "the request is not valid",
                "problems": problems,
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("web_request_failed", path=request.url.path)
        return JSONResponse(
            {"error": "internal", "message": "something went wrong; it has been logged"},
            status_code=500,
        )

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", next=_safe_next(next), error=None)

    @app.post("/login", include_in_schema=False)
    async def login_form(
        request: Request,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        try:
            user_id = await asyncio.to_thread(auth.check_password, username, password)
        except AuthError:
            return render(request, "login.html", status_code=401, next=_safe_next(next), error=True)
        token, _csrf = await asyncio.to_thread(auth.open_session, user_id)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure)
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request, user: CurrentUser) -> Response:
        await asyncio.to_thread(auth.close_session, request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.post("/api/v1/auth/login", tags=["auth"])
    async def api_login(body: LoginBody) -> dict[str, str]:
        """Exchange a username and password for a bearer token (scripts, integrations)."""
        try:
            user_id = await asyncio.to_thread(auth.check_password, body.username, body.password)
        except AuthError as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None
        token, csrf = await asyncio.to_thread(auth.open_session, user_id)
        return {"token": token, "csrf_token": csrf}

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
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _safe_next(target: str) -> str:
    """Only local paths, so the login form cannot be used as an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
