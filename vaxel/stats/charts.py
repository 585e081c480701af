"""Charts as inline SVG: no JavaScript and nothing fetched at run time.

The geometry is computed here (pure); ``templates/chart.svg`` writes it out through an
autoescaping Jinja template, so a label can never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vaxel.stats.labels_i18n import WEEKDAYS, label
from vaxel.stats.reports import Chart

W, H, PAD = 720, 260, 44
COLOURS = ("#1f5fa8", "#d9822b", "#3b8b3b", "#a83232")


@dataclass(frozen=True)
class Shape:
    """One SVG element: its tag, its attributes and its text (a <title> tooltip for shapes)."""

    tag: str
    attrs: dict[str, str | int | float]
    text: str = ""


@dataclass(frozen=True)
class Drawing:
    title: str
    height: int = H
    width: int = W
    shapes: list[Shape] = field(default_factory=list)


def drawing(chart: Chart, lang: str = "sv") -> Drawing:
    if chart.kind == "heatmap":
        return _heatmap(chart, lang)
    if chart.kind == "bars":
        return _bars(chart, lang)
    return _lines(chart, lang)


def svg(chart: Chart, lang: str = "sv") -> str:
    from vaxel.stats.templating import environment

    return environment().get_template("chart.svg").render(d=drawing(chart, lang), pad=PAD)


def _text(x: float, y: float, text: str, size: int = 10, *, anchor: str = "",
          fill: str = "") -> Shape:  # fmt: skip
    attrs: dict[str, str | int | float] = {"x": round(x, 1), "y": round(y, 1), "font-size": size}
    if anchor:
        attrs["text-anchor"] = anchor
    if fill:
        attrs["fill"] = fill
    return Shape("text", attrs, text)


def _lines(chart: Chart, lang: str) -> Drawing:
    n = max(1, len(chart.labels))
    x = lambda i: PAD + (W - 2 * PAD) * (i / max(1, n - 1))  # noqa: E731
    y = lambda v: H - PAD - (H - 2 * PAD) * v  # noqa: E731
    out = Drawing(label(chart.key, lang))
    out.shapes.append(Shape("line", {"x1": PAD, "y1": y(0), "x2": W - PAD, "y2": y(0),
                                     "stroke": "#888"}))  # fmt: skip
    for pct in (0, 0.5, 1):
        out.shapes.append(_text(4, y(pct) + 4, f"{int(pct * 100)} %", 11))
    for k, (name, values) in enumerate(chart.series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if points:
            joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.shapes.append(Shape("polyline", {"fill": "none", "stroke": colour,
                                                 "stroke-width": 2, "points": joined}))  # fmt: skip
        for px, py in points:
            out.shapes.append(Shape("circle", {"cx": round(px, 1), "cy": round(py, 1), "r": 3,
                                               "fill": colour}))  # fmt: skip
        out.shapes.append(_text(W - PAD - 160, 30 + 14 * k, label(name, lang), 12, fill=colour))
    step = max(1, n // 8)
    for i, text in enumerate(chart.labels):
        if i % step == 0:
            out.shapes.append(_text(x(i), H - PAD + 16, text, anchor="middle"))
    return out


def _bars(chart: Chart, lang: str) -> Drawing:
    values = next(iter(chart.series.values()), [])
    top = max([v or 0 for v in values] + [1])
    n = max(1, len(values))
    width = (W - 2 * PAD) / n
    out = Drawing(label(chart.key, lang))
    for i, v in enumerate(values):
        h = (H - 2 * PAD) * (v or 0) / top
        x = PAD + i * width
        out.shapes.append(Shape("rect", {"x": round(x + 2, 1), "y": round(H - PAD - h, 1),
                                         "width": round(width - 4, 1), "height": round(h, 1),
                                         "fill": COLOURS[0]},
                                f"{chart.labels[i]}: {int(v or 0)}"))  # fmt: skip
        out.shapes.append(_text(x + width / 2, H - PAD + 14, chart.labels[i], anchor="middle"))
        out.shapes.append(_text(x + width / 2, H - PAD - h - 3, str(int(v or 0)), anchor="middle"))
    out.shapes.append(_text(W / 2, H - 8, label("seconds", lang), 11, anchor="middle"))
    return out


def _heatmap(chart: Chart, lang: str) -> Drawing:
    top = max([v or 0 for vs in chart.series.values() for v in vs] + [1])
    cw, ch = (W - PAD - 10) / 24, 24
    out = Drawing(label(chart.key, lang), height=int(40 + 7 * ch + 24))
    for wd, values in chart.series.items():
        row = int(wd)
        y = 30 + row * ch
        out.shapes.append(_text(4, y + 16, WEEKDAYS[lang if lang == "en" else "sv"][row], 11))
        for h, v in enumerate(values):
            share = (v or 0) / top
            fill = f"rgb({int(255 - 200 * share)},{int(255 - 140 * share)},{int(255 - 60 * share)})"
            out.shapes.append(Shape("rect", {"x": round(PAD + h * cw, 1), "y": y,
                                             "width": round(cw - 1, 1), "height": ch - 1,
                                             "fill": fill}, str(int(v or 0))))  # fmt: skip
    for h in range(0, 24, 2):
        out.shapes.append(_text(PAD + h * cw + 2, 30 + 7 * ch + 14, f"{h:02d}"))
    return out
