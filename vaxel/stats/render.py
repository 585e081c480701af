"""A report as JSON, CSV, standalone HTML (inline SVG charts) or XLSX (native charts)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from html import escape
from typing import Any

from vaxel.stats.charts import svg
from vaxel.stats.labels_i18n import WEEKDAYS, label
from vaxel.stats.reports import Report, Table

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


def html_body(report: Report, lang: str = "sv", heading: int = 1) -> str:
    """The report as HTML: key figures first, then the charts, then each table in a labelled,
    keyboard-scrollable region so a wide table never makes the page wider than the window.
    ``heading`` is the level of the report's title (2 when a page has its own h1)."""
    h1, h2 = f"h{heading}", f"h{heading + 1}"
    parts = [
        f"<{h1}>{escape(label(report.name, lang))}</{h1}>",
        f"<p>{label('from', lang)} {report.first} {label('to', lang).lower()} {report.last}</p>",
    ]
    parts += _key_figures(report, lang, h2)
    for chart in report.charts:
        parts.append(svg(chart, lang))
    for table in report.tables:
        ident = f"{report.name}-{table.key}"
        parts.append(f'<{h2} id="{ident}">{escape(label(table.key, lang))}</{h2}>')
        parts.append(
            f'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{ident}">'
        )
        if len(table.rows) == 1 and len(table.columns) > TURN_AFTER_COLUMNS:
            parts += _turned(table, lang)
        else:
            parts += _table(table, lang)
        parts.append("</div>")
    return "\n".join(parts)


def _key_figures(report: Report, lang: str, h2: str) -> list[str]:
    if report.name not in KEY_FIGURES:
        return []
    key, columns = KEY_FIGURES[report.name]
    table = report.table(key)
    if not table.rows:
        return []
    ident = f"{report.name}-key-figures"
    parts = [f'<section aria-labelledby="{ident}"><{h2} id="{ident}">{escape(label("key_figures", lang))}</{h2}>',
             '<dl class="key-figures">']  # fmt: skip
    for column in columns:
        value = _cell(table, column, table.rows[0].get(column), lang)
        parts.append(f"<div><dt>{escape(_header(column, lang))}</dt><dd>{escape(value)}</dd></div>")
    parts.append("</dl></section>")
    return parts


def _table(table: Table, lang: str) -> list[str]:
    parts = ["<table><thead><tr>"]
    parts += [f'<th scope="col">{escape(_header(c, lang))}</th>' for c in table.columns]
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        first, *rest = table.columns
        parts.append(f'<tr><th scope="row">{escape(_cell(table, first, row.get(first), lang))}</th>'
                     + "".join(_td(table, c, row.get(c), lang) for c in rest) + "</tr>")  # fmt: skip
    parts.append("</tbody></table>")
    return parts


def _td(table: Table, column: str, value: Any, lang: str) -> str:
    """A figure is right-aligned so its digits line up; words and dates read from the left."""
    text = escape(_cell(table, column, value, lang))
    is_figure = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    return f'<td class="num">{text}</td>' if is_figure else f"<td>{text}</td>"


def _turned(table: Table, lang: str) -> list[str]:
    row = table.rows[0]
    parts = [f'<table class="turned"><thead><tr><th scope="col">{escape(label("figure", lang))}</th>'
             f'<th scope="col">{escape(label("value", lang))}</th></tr></thead><tbody>']  # fmt: skip
    for column in table.columns:
        parts.append(f'<tr><th scope="row">{escape(_header(column, lang))}</th>'
                     f"{_td(table, column, row.get(column), lang)}</tr>")  # fmt: skip
    parts.append("</tbody></table>")
    return parts


def to_html(report: Report, lang: str = "sv") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(label(report.name, lang))} {report.first}–{report.last}</title>"
        f"<style>{CSS}</style></head><body>{html_body(report, lang)}</body></html>"
    )


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
