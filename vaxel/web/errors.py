"""One error shape for every 4xx and 5xx, whatever raised it.

The API always answers ``{"error": code, "message": text, "problems": [{"field",
"message"}]}``: domain refusals, FastAPI's and Starlette's HTTP errors (401, 403, 404 for
unknown paths, 405), request validation, and bodies that cannot be parsed at all (bad
UTF-8, numbers beyond the parser's limit, nesting too deep). A browser asking for a page
(a path outside /api/ with Accept: text/html) gets the same message on an escaped HTML
page with the same status instead.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from vaxel.errors import DomainError
from vaxel.web.auth import Forbidden
from vaxel.web.headers import add_security_headers

log = structlog.get_logger("vaxel.web")

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large",
         415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_attempts",
         503: "unavailable"}  # fmt: skip
# Starlette's default texts, in the app's own words.
MESSAGES = {"Not Found": "there is nothing at this address",
            "Method Not Allowed": "this address does not take that method",
            "There was an error parsing the body":
                "the body could not be read: it must be UTF-8 JSON within the size and "
                "nesting limits"}  # fmt: skip


def problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def validation_problems(errors: list[Any]) -> list[dict[str, str]]:
    """FastAPI's validation errors as (field, message); a JSON syntax error is about the
    body as a whole, not about the character position the parser stopped at."""
    problems = []
    for error in errors:
        if error.get("type") == "json_invalid":
            problems.append(problem("body", "the body is not valid JSON"))
            continue
        field = ".".join(str(p) for p in error.get("loc", ())[1:]) or "body"
        problems.append(problem(field, str(error.get("msg", "not valid"))))
    return problems


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, code: str, message: str,
                   problems: list[dict[str, str]] | None = None,
                   headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    if wants_page(request):
        from vaxel.web.app import render

        response: Response = render(request, "error.html", status_code=status,
                                    status=status, message=message, problems=problems or [])  # fmt: skip
    else:
        body = {"error": code, "message": message, "problems": problems or []}
        response = JSONResponse(body, status_code=status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        problems = [problem(exc.field, str(exc))] if exc.field else []
        return error_response(request, exc.status, exc.code, str(exc), problems)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, "forbidden", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "the request was refused"
        message = MESSAGES.get(detail, detail)
        code = CODES.get(exc.status_code, "refused" if exc.status_code < 500 else "unavailable")
        problems = (
            [problem("body", message)] if detail in MESSAGES and exc.status_code == 400 else []
        )
        if problems:
            code = "invalid_request"
        return error_response(request, exc.status_code, code, message, problems,
                              dict(exc.headers or {}))  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, "invalid_request", "the request is not valid",
                              validation_problems(list(exc.errors())))  # fmt: skip

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("web_request_failed", path=request.url.path)
        response = JSONResponse(
            {"error": "internal", "message": "something went wrong; it has been logged",
             "problems": []}, status_code=500,
        )  # fmt: skip
        # A 500 is answered outside the middleware stack, so it gets its headers here.
        add_security_headers(response.headers)
        return response
