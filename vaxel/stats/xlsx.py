"""XLSX with openpyxl's native charts: service level over time (line), the waiting-time
distribution (bars) and the heatmap (a colour-scaled grid and a contour surface chart)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, SurfaceChart
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font

from vaxel.stats.labels_i18n import WEEKDAYS, label
from vaxel.stats.reports import Chart, Report


def workbook(report: Report, lang: str = "sv") -> bytes:
    wb = Workbook()
    first = True
    for table in report.tables:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = label(table.key, lang)[:31]
        headers = [
            f"{label(c[:-2], lang)} %" if c.endswith(" %") else label(c, lang)
            for c in table.columns
        ]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = []
            for c in table.columns:
                v = row.get(c)
                if c in ("outcome", "level") and v is not None:
                    v = label(str(v), lang)
                values.append(v)
            ws.append(values)
        for idx, c in enumerate(table.columns, start=1):
            if c in table.percent:
                for cells in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cells[0].number_format = "0.0%"
    if report.charts:
        charts = wb.create_sheet(label("chart_sl", lang)[:20] if lang == "en" else "Diagram")
        anchor_row = 1
        for chart in report.charts:
            anchor_row = _chart(wb, charts, chart, lang, anchor_row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _chart(wb: Workbook, sheet, chart: Chart, lang: str, row: int) -> int:  # type: ignore[no-untyped-def]
    data = wb.create_sheet(f"data_{chart.key}"[:31])
    if chart.kind == "heatmap":
        days = WEEKDAYS["en" if lang == "en" else "sv"]
        data.append(["", *[f"{h:02d}" for h in range(24)]])
        for wd, values in chart.series.items():
            data.append([days[int(wd)], *values])
        data.conditional_formatting.add(
            "B2:Y8",
            ColorScaleRule(
                start_type="min", start_color="FFFFFF", end_type="max", end_color="1F5FA8"
            ),
        )
        native = SurfaceChart()
        native.wireframe = False
        refs = Reference(data, min_col=2, min_row=1, max_col=25, max_row=8)
        native.add_data(refs, titles_from_data=True, from_rows=False)
        native.set_categories(Reference(data, min_col=1, min_row=2, max_row=8))
    else:
        data.append(["", *[label(k, lang) for k in chart.series]])
        for i, text in enumerate(chart.labels):
            data.append([text, *[s[i] for s in chart.series.values()]])
        native = LineChart() if chart.kind == "line" else BarChart()
        refs = Reference(
            data, min_col=2, min_row=1, max_col=1 + len(chart.series), max_row=1 + len(chart.labels)
        )
        native.add_data(refs, titles_from_data=True)
        native.set_categories(Reference(data, min_col=1, min_row=2, max_row=1 + len(chart.labels)))
        if chart.kind == "line":
            native.y_axis.number_format = "0%"
            native.y_axis.scaling.min, native.y_axis.scaling.max = 0, 1
    native.title = label(chart.key, lang)
    native.width, native.height = 24, 9
    sheet.add_chart(native, f"A{row}")
    return row + 20
