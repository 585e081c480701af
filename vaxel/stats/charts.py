"""Charts as inline SVG: no JavaScript and nothing fetched at run time. Pure."""

from __future__ import annotations

from html import escape

from vaxel.stats.labels_i18n import WEEKDAYS, label
from vaxel.stats.reports import Chart

W, H, PAD = 720, 260, 44
COLOURS = ("#1f5fa8", "#d9822b", "#3b8b3b", "#a83232")


def svg(chart: Chart, lang: str = "sv") -> str:
    if chart.kind == "heatmap":
        return _heatmap(chart, lang)
    if chart.kind == "bars":
        return _bars(chart, lang)
    return _lines(chart, lang)


def _frame(title: str, body: list[str], height: int = H) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {W} {height}" '
        f'width="{W}" height="{height}" class="chart"><title>{escape(title)}</title>'
        f'<text x="{PAD}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _lines(chart: Chart, lang: str) -> str:
    n = max(1, len(chart.labels))
    x = lambda i: PAD + (W - 2 * PAD) * (i / max(1, n - 1))  # noqa: E731
    y = lambda v: H - PAD - (H - 2 * PAD) * v  # noqa: E731
    body = [f'<line x1="{PAD}" y1="{y(0)}" x2="{W - PAD}" y2="{y(0)}" stroke="#888"/>']
    for pct in (0, 0.5, 1):
        body.append(f'<text x="4" y="{y(pct) + 4}" font-size="11">{int(pct * 100)} %</text>')
    for k, (name, values) in enumerate(chart.series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values) if v is not None]
        if points:
            body.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(points)}"/>'
            )
        for p in points:
            cx, cy = p.split(",")
            body.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        body.append(f'<text x="{W - PAD - 160}" y="{30 + 14 * k}" font-size="12" fill="{colour}">'
                    f"{escape(label(name, lang))}</text>")  # fmt: skip
    step = max(1, n // 8)
    for i, text in enumerate(chart.labels):
        if i % step == 0:
            body.append(
                f'<text x="{x(i):.1f}" y="{H - PAD + 16}" font-size="10" text-anchor="middle">{escape(text)}</text>'
            )
    return _frame(label(chart.key, lang), body)


def _bars(chart: Chart, lang: str) -> str:
    values = next(iter(chart.series.values()), [])
    top = max([v or 0 for v in values] + [1])
    n = max(1, len(values))
    width = (W - 2 * PAD) / n
    body = []
    for i, v in enumerate(values):
        h = (H - 2 * PAD) * (v or 0) / top
        x = PAD + i * width
        body.append(
            f'<rect x="{x + 2:.1f}" y="{H - PAD - h:.1f}" width="{width - 4:.1f}" height="{h:.1f}" fill="{COLOURS[0]}"><title>{escape(chart.labels[i])}: {int(v or 0)}</title></rect>'
        )
        body.append(
            f'<text x="{x + width / 2:.1f}" y="{H - PAD + 14}" font-size="10" text-anchor="middle">{escape(chart.labels[i])}</text>'
        )
        body.append(
            f'<text x="{x + width / 2:.1f}" y="{H - PAD - h - 3:.1f}" font-size="10" text-anchor="middle">{int(v or 0)}</text>'
        )
    body.append(
        f'<text x="{W / 2}" y="{H - 8}" font-size="11" text-anchor="middle">{escape(label("seconds", lang))}</text>'
    )
    return _frame(label(chart.key, lang), body)


def _heatmap(chart: Chart, lang: str) -> str:
    top = max([v or 0 for vs in chart.series.values() for v in vs] + [1])
    cw, ch = (W - PAD - 10) / 24, 24
    height = 40 + 7 * ch + 24
    body = []
    for wd, values in chart.series.items():
        row = int(wd)
        y = 30 + row * ch
        body.append(
            f'<text x="4" y="{y + 16}" font-size="11">{WEEKDAYS[lang if lang == "en" else "sv"][row]}</text>'
        )
        for h, v in enumerate(values):
            share = (v or 0) / top
            fill = f"rgb({int(255 - 200 * share)},{int(255 - 140 * share)},{int(255 - 60 * share)})"
            body.append(
                f'<rect x="{PAD + h * cw:.1f}" y="{y}" width="{cw - 1:.1f}" height="{ch - 1}" fill="{fill}"><title>{int(v or 0)}</title></rect>'
            )
    for h in range(0, 24, 2):
        body.append(
            f'<text x="{PAD + h * cw + 2:.1f}" y="{30 + 7 * ch + 14}" font-size="10">{h:02d}</text>'
        )
    return _frame(label(chart.key, lang), body, int(height))
