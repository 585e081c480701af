"""The login routes: the page form and the API, both behind the same LoginGuard.

Every failed and every throttled login is in the audit log (actor: the username given;
detail: the client address and the route), a successful one too.
"""

from __future__ import annotations

import asyncio
import math
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from vaxel.web.auth import AuthError, AuthService
from vaxel.web.i18n import language_of, register, translator
from vaxel.web.login_guard import Busy, LoginCsrf, LoginGuard

register("sv", {"login_throttled": "För många misslyckade inloggningar. Försök igen om "
                "{minutes} min.", "login_expired": "Formuläret hade gått ut. Försök igen.",
                "login_busy": "Inloggningen är upptagen just nu. Försök igen om en stund."})  # fmt: skip
register("en", {"login_throttled": "Too many failed logins. Try again in {minutes} min.",
                "login_expired": "The form had expired. Please try again.",
                "login_busy": "Logging in is busy right now. Please try again shortly."})  # fmt: skip

BUSY_RETRY_S = 5


class LoginBody(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class LoginOut(BaseModel):
    token: str
    csrf_token: str


class LoginRefused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status, self.code, self.retry_after = status, code, retry_after


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def attempt_login(auth: AuthService, guard: LoginGuard, request: Request,
                        username: str, password: str, via: str) -> int:  # fmt: skip
    """The user id, or LoginRefused; throttled attempts never reach the password check."""
    address = client_address(request)
    subject = f"user:{username}"[:200]
    detail = {"client": address, "via": via}
    wait = guard.retry_after(username, address)
    if wait:
        if guard.first_refusal(username, address):
            await asyncio.to_thread(auth.audit, username[:80], "login.throttled", subject, detail)
        raise LoginRefused(429, "too_many_attempts",
                           f"too many failed logins; try again in {wait} s", wait)  # fmt: skip
    try:
        async with guard.checking():
            user_id = await asyncio.to_thread(auth.check_password, username, password)
    except Busy:
        raise LoginRefused(503, "busy", "logging in is busy; try again shortly",
                           BUSY_RETRY_S) from None  # fmt: skip
    except AuthError as exc:
        guard.failed(username, address)
        await asyncio.to_thread(auth.audit, username[:80], "login.failed", subject, detail)
        raise LoginRefused(401, "unauthorized", str(exc)) from None
    await asyncio.to_thread(auth.audit, username[:80], "login", subject, detail)
    return user_id


def add_login_routes(app: FastAPI, *, auth: AuthService, guard: LoginGuard, csrf: LoginCsrf,
                     secure: bool, session_cookie: str) -> None:  # fmt: skip
    from vaxel.web.app import _safe_next, render

    def login_page(request: Request, next: str, error: str | None, status: int) -> Response:
        token = csrf.issue()
        response = render(request, "login.html", status_code=status, next=_safe_next(next),
                          error=error, login_csrf=token)  # fmt: skip
        response.set_cookie(LoginCsrf.COOKIE, token, max_age=2 * 3600, path="/login",
                            httponly=True, samesite="strict", secure=secure)  # fmt: skip
        return response

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def show_login(request: Request, next: str = "/") -> Response:
        return login_page(request, next, None, 200)

    @app.post("/login", include_in_schema=False)
    async def login_form(
        request: Request,
        username: Annotated[str, Form(max_length=200)],
        password: Annotated[str, Form(max_length=1024)],
        next: Annotated[str, Form()] = "/",
        csrf_token: Annotated[str, Form()] = "",
    ) -> Response:
        t = translator(language_of(request))
        if not csrf.valid(request.cookies.get(LoginCsrf.COOKIE), csrf_token):
            return login_page(request, next, t("login_expired"), 403)
        try:
            user_id = await attempt_login(auth, guard, request, username, password, "page")
        except LoginRefused as refused:
            message = {
                401: t("login_failed"),
                429: t("login_throttled").replace(
                    "{minutes}", str(math.ceil(refused.retry_after / 60))
                ),
                503: t("login_busy"),
            }[refused.status]
            response = login_page(request, next, message, refused.status)
            if refused.retry_after:
                response.headers["retry-after"] = str(refused.retry_after)
            return response
        token, _csrf = await asyncio.to_thread(auth.open_session, user_id)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(session_cookie, token, httponly=True, samesite="strict",
                            secure=secure)  # fmt: skip
        response.delete_cookie(LoginCsrf.COOKIE, path="/login")
        return response

    @app.post("/api/v1/auth/login", tags=["auth"], response_model=LoginOut,
              responses={401: {"description": "wrong username or password"},
                         429: {"description": "too many failed logins (see Retry-After)"}})  # fmt: skip
    async def api_login(request: Request, body: LoginBody) -> Response:
        """Exchange a username and password for a bearer token (scripts, integrations)."""
        try:
            user_id = await attempt_login(auth, guard, request, body.username, body.password,
                                          "api")  # fmt: skip
        except LoginRefused as refused:
            headers = {"retry-after": str(refused.retry_after)} if refused.retry_after else {}
            return JSONResponse({"error": refused.code, "message": str(refused)},
                                status_code=refused.status, headers=headers)  # fmt: skip
        token, csrf_token = await asyncio.to_thread(auth.open_session, user_id)
        return JSONResponse({"token": token, "csrf_token": csrf_token})
