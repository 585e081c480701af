"""Every report renders in every format; the XLSX has native charts."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.support.stats_store import Env
from vaxel.stats.aggregates import Period
from vaxel.stats.render import render
from vaxel.stats.reports import REPORTS, Query, build
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 30)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render")
    e = Env(f"sqlite:///{tmp / 'r.db'}", tmp)
    load(e.sessions, generate(3000, FIRST, 30, seed=2, is_working_day=e.calendar.is_working_day))
    return e


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("fmt", ["json", "csv", "html", "xlsx"])
def test_every_report_renders_in_every_format(env, name, fmt):
    body = render(build(env.reader, env.calendar, Query(name, FIRST, LAST)), fmt, "sv")
    assert body
    if fmt == "json":
        assert json.loads(body)["report"] == name


def test_the_xlsx_opens_and_holds_the_three_charts(env):
    report = build(env.reader, env.calendar, Query("accessibility", FIRST, LAST))
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    charts = [c for ws in wb.worksheets for c in ws._charts]
    kinds = sorted(type(c).__name__ for c in charts)
    assert kinds == ["BarChart", "LineChart", "SurfaceChart"]
    assert wb.worksheets[0].title == "Hela perioden"


def test_the_html_has_svg_charts_and_swedish_or_english_labels(env):
    report = build(env.reader, env.calendar, Query("accessibility", FIRST, LAST))
    sv, en = render(report, "html", "sv").decode(), render(report, "html", "en").decode()
    assert sv.count("<svg") == 3 and "Servicenivå över tid" in sv
    assert "Service level over time" in en


def test_per_week_and_month_rows_count_working_days_in_the_business_calendar(env):
    report = build(
        env.reader, env.calendar, Query("accessibility", FIRST, LAST, period=Period.MONTH)
    )
    [row] = report.table("by_period").rows
    assert row["period"] == "2026-09" and row["working_days"] == 22


def test_number_queue_and_department_filters_give_the_figures_of_that_subset(env):
    from vaxel.stats.aggregates import aggregate
    from vaxel.stats.figures import accessibility, transfer_figures
    from vaxel.stats.reports import _bounds

    contacts = env.reader.contacts_between(*_bounds(FIRST, LAST))

    def summary(**filters):  # type: ignore[no-untyped-def]
        report = build(env.reader, env.calendar, Query("accessibility", FIRST, LAST, **filters))
        return report.table("summary").rows[0]

    everything = accessibility(aggregate(contacts))
    centre = accessibility(aggregate([c for c in contacts if c.number_dialled == "centre"]))
    assert 0 < centre.offered < everything.offered
    by_centre = summary(numbers=("centre",))
    assert (by_centre["offered"], by_centre["answered"]) == (centre.offered, centre.answered)
    in_queue = [c for c in contacts if any(s.queue == "office-dalby" for s in c.stints)]
    dalby = accessibility(aggregate(in_queue))
    assert 0 < dalby.offered < centre.offered
    assert summary(queue="office-dalby")["offered"] == dalby.offered

    report = build(env.reader, env.calendar, Query("transfers", FIRST, LAST, department="lss"))
    rows = report.table("transfers").rows
    departments = {r["target"] for r in rows if r["level"] == "department"}
    lss = next(f for f in transfer_figures(aggregate(contacts), "department") if f.target == "lss")
    assert departments == {"lss"}
    [all_row] = [r for r in rows if r["level"] == "all"]
    assert all_row["attempted"] == lss.attempted  # only the department's attempts are counted
