"""The analysts' report page: choose a report and a period, see it with its charts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vaxel.errors import DomainError
from vaxel.stats.aggregates import Period
from vaxel.stats.api import check_report_role, parse_day, report_query
from vaxel.stats.labels_i18n import label
from vaxel.stats.render import html_body
from vaxel.stats.reports import REPORTS
from vaxel.stats.reports import Query as ReportQuery
from vaxel.stats.service import StatsService
from vaxel.web.app import principal_of, render
from vaxel.web.i18n import register

register("sv", {"stats_report": "Rapport", "stats_show": "Visa", "stats_download": "Ladda ner",
                "stats_period_day": "dag", "stats_period_week": "vecka", "stats_period_month": "månad"})  # fmt: skip
register("en", {"stats_report": "Report", "stats_show": "Show", "stats_download": "Download",
                "stats_period_day": "day", "stats_period_week": "week", "stats_period_month": "month"})  # fmt: skip


def router(service: StatsService) -> APIRouter:
    pages = APIRouter()

    @pages.get("/reports", response_class=HTMLResponse)
    async def reports_page(request: Request) -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login?next=/reports", status_code=303)
        params = request.query_params
        today = service.clock.now().date()
        name = params.get("name", "accessibility")
        number = params.get("number") or None
        queue, department = params.get("queue") or None, params.get("department") or None
        # What the form shows again if the choice cannot be answered: nothing typed is lost.
        q = ReportQuery(name if name in REPORTS else REPORTS[0], today - timedelta(days=30),
                        today, Period.DAY, (number,) if number else (), queue, department)  # fmt: skip
        lang = request.query_params.get("lang") or request.cookies.get("vaxel_lang") or "sv"
        body, error, status = None, None, 200
        try:
            first = parse_day(params.get("from") or q.first.isoformat(), "from")
            last = parse_day(params.get("to") or q.last.isoformat(), "to")
            q = report_query(name, first, last, params.get("period", "day"),
                             [number] if number else None, queue, department)  # fmt: skip
            check_report_role(user, q.name)
            built = await asyncio.to_thread(service.report, q)
            body = html_body(built, "en" if lang == "en" else "sv", heading=2)
        except DomainError as exc:
            error, status = str(exc), exc.status
        return render(request, "stats/reports.html", status_code=status, q=q, body=body, error=error,
                      reports=REPORTS, periods=[p.value for p in Period], label=label)  # fmt: skip

    return pages
