"""The API documentation page: Swagger UI served by vaxel itself, never from a CDN.

The Swagger UI files come from the npm package ``swagger-ui-dist`` at setup time
(``./dev setup`` runs ``npm ci`` and ``scripts/vendor-assets.sh``) and are shipped in
``static/vendor``. A municipal network often has no route out, so a page that fetched them
from the internet would stay blank; when the files are missing the page says so instead.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vaxel.web.i18n import register

VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
SWAGGER_FILES = ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css")

register("sv", {"api_docs": "API-dokumentation",
                "api_docs_missing": "Swagger UI är inte installerat i den här vaxel-installationen, "
                                    "så API-dokumentationen kan inte visas här.",
                "api_docs_fix": "Kör ./dev setup (den installerar npm-paketet swagger-ui-dist) "
                                "och starta om vaxel. Saknas:",
                "api_docs_schema": "API-beskrivningen som OpenAPI (JSON)",
                "api_docs_body": "Anropets innehåll (JSON)"})  # fmt: skip
register("en", {"api_docs": "API documentation",
                "api_docs_missing": "Swagger UI is not installed in this vaxel installation, "
                                    "so the API documentation cannot be shown here.",
                "api_docs_fix": "Run ./dev setup (it installs the npm package swagger-ui-dist) "
                                "and restart vaxel. Missing:",
                "api_docs_schema": "The API description as OpenAPI (JSON)",
                "api_docs_body": "Request body (JSON)"})  # fmt: skip


def missing_files(vendor: Path) -> list[str]:
    return [name for name in SWAGGER_FILES if not (vendor / name).is_file()]


def router(openapi_url: str, vendor: Path | None = None) -> APIRouter:
    from vaxel.web.app import render

    pages = APIRouter()

    @pages.get("/api/v1/docs", response_class=HTMLResponse)
    async def api_docs(request: Request) -> HTMLResponse:
        missing = missing_files(vendor or VENDOR)
        return render(request, "api_docs.html", status_code=503 if missing else 200,
                      missing=missing, openapi_url=openapi_url)  # fmt: skip

    return pages
