"""A report as JSON, CSV, standalone HTML (inline SVG charts) or XLSX (native charts)."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import date
from typing import Any

from markupsafe import Markup

from vaxel.stats.charts import svg
from vaxel.stats.labels_i18n import WEEKDAYS, label
from vaxel.stats.reports import Report, Table
from vaxel.stats.templating import environment

FORMATS = ("json", "csv", "html", "xlsx")


def to_json(report: Report) -> str:
    return json.dumps(
        {
            "report": report.name,
            "from": report.first.isoformat(),
            "to": report.last.isoformat(),
            "params": report.params,
            "tables": {t.key: t.rows for t in report.tables},
            "charts": [
                {"kind": c.kind, "key": c.key, "labels": c.labels, "series": c.series}
                for c in report.charts
            ],
        },
        ensure_ascii=False,
        indent=1,
        default=str,
    )


def _header(column: str, lang: str) -> str:
    if column.endswith(" %"):
        return f"{label(column[:-2], lang)} %"
    return label(column, lang)


def _cell(table: Table, column: str, value: Any, lang: str) -> str:
    if value is None:
        return "–"
    if column in table.percent and isinstance(value, float):
        text = f"{value * 100:.1f} %"
        return text.replace(".", ",") if lang == "sv" else text
    if column == "outcome":
        return label(str(value), lang)
    if column == "level":
        return label(str(value), lang)
    if column == "weekday" and isinstance(value, int):
        return WEEKDAYS["en" if lang == "en" else "sv"][value]
    if isinstance(value, float) and lang == "sv":
        return str(value).replace(".", ",")
    return str(value)


def to_csv(report: Report, lang: str = "sv") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "sv" else ",")
    for table in report.tables:
        writer.writerow([label(table.key, lang)])
        writer.writerow(table.columns)  # machine keys: stable for scripts
        for row in table.rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in table.columns])
        writer.writerow([])
    return out.getvalue()


CSS = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.85rem}
th,td{border:1px solid #bbb;padding:.2rem .45rem;text-align:left}
td.num{text-align:right;white-space:nowrap}th{background:#eef2f7}
.table-scroll{overflow-x:auto;max-width:100%}
.key-figures{display:flex;flex-wrap:wrap;gap:.75rem;margin:0;padding:0}
.key-figures div{border:1px solid #bbb;padding:.4rem .8rem;min-width:9rem}
.key-figures dd{margin:0;font-size:1.5rem;font-weight:bold}
.chart{display:block;margin:1rem 0;max-width:100%;height:auto}"""

# The figures a reader looks for first, shown large above the charts and tables.
KEY_FIGURES = {
    "accessibility": ("summary", ("offered", "answered", "answer_rate", "sl_60", "sl_120", "asa",
                                  "abandoned", "longest_wait")),
}  # fmt: skip
# A one-row table wider than this is shown turned (one figure per row) so it fits the page.
TURN_AFTER_COLUMNS = 8


def html_body(report: Report, lang: str = "sv", heading: int = 1) -> Markup:
    """The report as an autoescaped HTML fragment: key figures first, then the charts, then
    each table in a labelled, keyboard-scrollable region so a wide table never makes the page
    wider than the window. ``heading`` is the title's level (2 when a page has its own h1)."""
    charts = [Markup(svg(chart, lang)) for chart in report.charts]  # from an autoescaped template
    return Markup(
        environment()
        .get_template("report_body.html")
        .render(
            report=report,
            lang=lang,
            charts=charts,
            label=label,
            header=_header,
            cell=_cell,
            is_figure=_is_figure,
            key_figures=_key_figures(report),
            turn_after=TURN_AFTER_COLUMNS,
            h1=f"h{heading}",
            h2=f"h{heading + 1}",
        )
    )


def _key_figures(report: Report) -> tuple[Table, list[str]] | None:
    if report.name not in KEY_FIGURES:
        return None
    key, columns = KEY_FIGURES[report.name]
    table = report.table(key)
    return (table, list(columns)) if table.rows else None


def _is_figure(value: Any) -> bool:
    """A figure is right-aligned so its digits line up; words and dates read from the left."""
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def to_html(report: Report, lang: str = "sv") -> str:
    """A standalone page: its style is inline because the file is meant to be saved and
    opened offline; the API serves it with a CSP that allows exactly this style's hash."""
    return (
        environment()
        .get_template("report.html")
        .render(
            report=report, lang=lang, label=label, css=Markup(CSS), body=html_body(report, lang)
        )
    )


def standalone_style_hash() -> str:
    """The CSP source for the standalone page's one inline style."""
    digest = hashlib.sha256(CSS.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def to_xlsx(report: Report, lang: str = "sv") -> bytes:
    from vaxel.stats.xlsx import workbook

    return workbook(report, lang)


def render(report: Report, fmt: str, lang: str = "sv") -> bytes:
    if fmt == "json":
        return to_json(report).encode()
    if fmt == "csv":
        return to_csv(report, lang).encode("utf-8-sig")
    if fmt == "html":
        return to_html(report, lang).encode()
    if fmt == "xlsx":
        return to_xlsx(report, lang)
    raise ValueError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")


MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(report: Report, fmt: str) -> str:
    def d(x: date) -> str:
        return x.isoformat()

    return f"{report.name}_{d(report.first)}_{d(report.last)}.{fmt}"
