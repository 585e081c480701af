"""Statistics over HTTP: reports (any format), the caller-view call log, wrap-up codes."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from vaxel.errors import DomainError
from vaxel.stats.aggregates import Period
from vaxel.stats.render import FORMATS, MEDIA_TYPES, filename, render, standalone_style_hash
from vaxel.stats.reports import REPORTS
from vaxel.stats.reports import Query as ReportQuery
from vaxel.stats.service import StatsService
from vaxel.web.app import CurrentUser, require
from vaxel.web.auth import Principal, Role
from vaxel.web.headers import policy_allowing_style

# Per-person working time is personnel data: only administrators see it.
TELEPHONIST_REPORT_ROLES = (Role.ADMIN, Role.UNIT_ADMIN)
# Far beyond any call count, and within every database's integer range.
MAX_OFFSET = 2**31 - 1


class WrapUpBody(BaseModel):
    code: str


# A report over more than about three years is not a question anyone asks of this data
# (raw events are kept shorter than that) and would take minutes; refuse it up front.
MAX_REPORT_DAYS = 3 * 366
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def parse_day(text: str, field: str) -> date:
    """A date typed by a person (a page's query, the command line), or a clear refusal."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"'{field}' must be a date like 2026-11-23", field=field) from None


def check_dates(first: date, last: date) -> None:
    """Refuse an impossible or absurd period before any work is done."""
    for field, day in (("from", first), ("to", last)):
        if not EARLIEST <= day <= LATEST:
            raise DomainError(f"'{field}' must be between {EARLIEST} and {LATEST}", field=field)
    if last < first:
        raise DomainError("'to' is before 'from'", field="to")
    if (last - first).days + 1 > MAX_REPORT_DAYS:
        raise DomainError(f"a report covers at most {MAX_REPORT_DAYS} days (about three "
                          "years); choose a shorter period", field="to")  # fmt: skip


def report_query(name: str, first: date, last: date, period: str, number: list[str] | None,
                 queue: str | None, department: str | None) -> ReportQuery:  # fmt: skip
    if name not in REPORTS:
        raise DomainError(
            f"unknown report '{name}'; choose one of {', '.join(REPORTS)}", status=404
        )
    check_dates(first, last)
    try:
        per = Period(period)
    except ValueError:
        raise DomainError("period is day, week or month") from None
    return ReportQuery(name, first, last, per, tuple(number or ()), queue, department)


def check_report_role(user: Principal, name: str) -> None:
    if name == "telephonists" and not user.has(*TELEPHONIST_REPORT_ROLES):
        raise DomainError(
            "your role does not allow the telephonist report", code="forbidden", status=403
        )
    if not user.has(Role.ANALYST, *TELEPHONIST_REPORT_ROLES):
        raise DomainError("reports need the analyst role", code="forbidden", status=403)


def router(service: StatsService) -> APIRouter:
    api = APIRouter(prefix="/stats", tags=["stats"])

    @api.get("/reports/{name}")
    async def report(
        name: str,
        user: CurrentUser,
        first: Annotated[date, Query(alias="from")],
        last: Annotated[date, Query(alias="to")],
        period: str = "day",
        number: Annotated[list[str] | None, Query()] = None,
        queue: str | None = None,
        department: str | None = None,
        format: str = "json",
        lang: str = "sv",
    ) -> Response:
        """One report; ``format`` is json, csv, xlsx or html; labels in ``lang`` (sv, en)."""
        check_report_role(user, name)
        if format not in FORMATS:
            raise DomainError(f"format is one of {', '.join(FORMATS)}")
        q = report_query(name, first, last, period, number, queue, department)
        built = await asyncio.to_thread(service.report, q)
        body = await asyncio.to_thread(render, built, format, lang)
        headers = {}
        if format in ("csv", "xlsx"):
            headers["content-disposition"] = f'attachment; filename="{filename(built, format)}"'
        if format == "html":
            headers["content-security-policy"] = policy_allowing_style(standalone_style_hash())
        return Response(body, media_type=MEDIA_TYPES[format], headers=headers)

    @api.get("/calls")
    async def call_log(
        first: Annotated[date, Query(alias="from")],
        last: Annotated[date, Query(alias="to")],
        number: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        user: Principal = require(Role.ANALYST),
    ) -> list[dict[str, Any]]:
        """The caller-view call log: one row per contact, with its stints. Callers appear
        only as pseudonyms."""
        check_dates(first, last)
        rows = await asyncio.to_thread(service.call_log, first, last, number=number,
                                       limit=limit, offset=offset)  # fmt: skip
        return [asdict(r) for r in rows]

    @api.put("/contacts/{contact_id}/wrap-up", status_code=204)
    async def wrap_up(
        contact_id: str, body: WrapUpBody, user: Principal = require(Role.TELEPHONIST)
    ) -> Response:
        """Set the contact's wrap-up code (answered_directly, transferred, message,
        referred_to_phone_hours, referred_to_e_service, other)."""
        await asyncio.to_thread(service.set_wrap_up, contact_id, body.code, user.username)
        return Response(status_code=204)

    return api
