"""The five reports as tables and charts, ready for any format (render.py).

Figures come from daily rollups (exact, see reader.py). A ``--queue`` or ``--department``
filter cannot be answered from rollups keyed by day and number, so those reports are
computed from the raw log of the period, with the same functions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from vaxel.calendar import BusinessCalendar
from vaxel.stats.aggregates import Aggregate, Period, daily_rollups, period_label
from vaxel.stats.figures import (
    accessibility,
    audit_table,
    heatmap,
    telephonist_figures,
    transfer_figures,
)
from vaxel.stats.model import STOCKHOLM, Contact, Outcome, StintKind
from vaxel.stats.reader import Reader
from vaxel.stats.rollups import Summer, to_json

REPORTS = ("accessibility", "transfers", "audit", "telephonists", "heatmap")
WAIT_BUCKETS = (10, 20, 30, 45, 60, 90, 120, 180, 300, 600)


@dataclass
class Table:
    key: str
    columns: list[str]
    rows: list[dict[str, Any]]
    percent: set[str] = field(default_factory=set)


@dataclass
class Chart:
    kind: str  # "line" | "bars" | "heatmap"
    key: str
    labels: list[str]
    series: dict[str, list[float | None]]


@dataclass
class Report:
    name: str
    first: date
    last: date
    params: dict[str, Any]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class Query:
    name: str
    first: date
    last: date
    period: Period = Period.DAY
    numbers: tuple[str, ...] = ()
    queue: str | None = None
    department: str | None = None
    thresholds: tuple[int, int] = (60, 120)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(), STOCKHOLM),
            datetime.combine(last + timedelta(days=1), time(), STOCKHOLM))  # fmt: skip


def _in_queue(contact: Contact, queue: str) -> bool:
    return any(s.queue == queue for s in contact.stints)


def _only_department(contact: Contact, department: str) -> Contact:
    stints = tuple(s for s in contact.stints
                   if s.kind is not StintKind.HANDOFF_ATTEMPT or s.target_department == department)  # fmt: skip
    return replace(contact, stints=stints)


def daily_for(reader: Reader, q: Query) -> dict[tuple[date, str], dict[str, Any]]:
    if q.queue is None and q.department is None:
        return reader.daily(q.first, q.last, q.numbers or None)
    start, end = _bounds(q.first, q.last)
    contacts = reader.contacts_between(start, end)
    if q.numbers:
        contacts = [c for c in contacts if c.number_dialled in q.numbers]
    if q.queue:
        contacts = [c for c in contacts if _in_queue(c, q.queue)]
    if q.department:
        contacts = [_only_department(c, q.department) for c in contacts]
    daily = daily_rollups(contacts, short_abandon_s=reader.short_abandon_s)
    return {key: json.loads(to_json(agg)) for key, agg in daily.items()}


# What each report needs beyond the accessibility figures (summing less is faster).
SECTIONS = {
    "accessibility": frozenset({"heat"}),
    "transfers": frozenset({"transfers"}),
    "audit": frozenset({"outcomes"}),
    "telephonists": frozenset({"telephonists"}),
    "heatmap": frozenset({"heat"}),
}


def _sum(
    payloads: Sequence[dict[str, Any]], short_abandon_s: int, sections: frozenset[str] = frozenset()
) -> Aggregate:
    summer = Summer(short_abandon_s, sections)
    for payload in payloads:
        summer.add_dict(payload)
    return summer.result()


def _access_row(agg: Aggregate, thresholds: tuple[int, int]) -> dict[str, Any]:
    a = accessibility(agg, thresholds)
    t1, t2 = thresholds
    return {
        "offered": a.offered, "closed": a.closed, "short_abandons": a.short_abandons,
        "answered": a.answered, "abandoned": a.abandoned, "answer_rate": a.answer_rate,
        "sl_60": a.service_level[t1], "sl_120": a.service_level[t2],
        "sl2_60": a.sl2[t1], "sl2_120": a.sl2[t2],
        "asterisk_sl2_60": a.asterisk_sl2[t1], "asterisk_sl2_120": a.asterisk_sl2[t2],
        "asa": round(a.asa, 1) if a.asa is not None else None,
        "median_wait": a.median_wait, "p90_wait": a.p90_wait, "longest_wait": a.longest_wait,
        "direct_answer_60": a.direct_answer[t1], "direct_answer_120": a.direct_answer[t2],
        "callbacks_requested": a.callbacks_requested, "callbacks_completed": a.callbacks_completed,
        "mean_time_to_callback": round(a.mean_time_to_callback, 1)
        if a.mean_time_to_callback is not None else None,
        "messages_taken": a.messages_taken, "messages_within_deadline": a.messages_within_deadline,
        "messages_within_deadline_rate": a.messages_within_deadline_rate,
    }  # fmt: skip


ACCESS_COLUMNS = list(_access_row(Aggregate(), (60, 120)))
ACCESS_PERCENT = {c for c in ACCESS_COLUMNS if c.startswith(("sl", "asterisk_sl", "direct"))
                  or c.endswith("_rate")}  # fmt: skip


def _periods(q: Query, calendar: BusinessCalendar) -> list[tuple[str, list[date]]]:
    out: dict[str, list[date]] = {}
    day = q.first
    while day <= q.last:
        out.setdefault(period_label(day, q.period), []).append(day)
        day += timedelta(days=1)
    return list(out.items())


def build(reader: Reader, calendar: BusinessCalendar, q: Query) -> Report:
    if q.name not in REPORTS:
        raise ValueError(f"unknown report '{q.name}'; choose one of {', '.join(REPORTS)}")
    daily = daily_for(reader, q)
    sa = reader.short_abandon_s
    total = _sum(list(daily.values()), sa, SECTIONS[q.name])
    params = {"period": str(q.period), "numbers": list(q.numbers), "queue": q.queue,
              "department": q.department, "thresholds": list(q.thresholds)}  # fmt: skip
    report = Report(q.name, q.first, q.last, params, [])
    if q.name == "accessibility":
        _accessibility(report, daily, total, q, calendar, sa)
    elif q.name == "transfers":
        rows = [{"level": f.level, "target": f.target, "attempted": f.attempted,
                 "answered": f.answered, "reach": f.reach, "returned": f.returned,
                 "returned_rate": f.returned_rate,
                 "reasons": ", ".join(f"{k}: {v}" for k, v in sorted(f.reasons.items()))}
                for f in transfer_figures(total)
                if q.department is None or f.level != "department" or f.target == q.department]  # fmt: skip
        report.tables.append(Table("transfers", ["level", "target", "attempted", "answered", "reach",
                                                 "returned", "returned_rate", "reasons"],
                                   rows, {"reach", "returned_rate"}))  # fmt: skip
    elif q.name == "audit":
        _audit(report, total)
    elif q.name == "telephonists":
        rows = [f.__dict__ for f in telephonist_figures(total)]
        report.tables.append(Table("telephonists", ["telephonist", "calls", "talk_s", "wrap_up_s",
                                                    "pause_s"], rows))  # fmt: skip
    else:
        cells = heatmap(total)
        report.tables.append(Table("heatmap", ["weekday", "hour", "offered", "answered", "answer_rate"],
                                   [c.__dict__ for c in cells], {"answer_rate"}))  # fmt: skip
        report.charts.append(_heat_chart(total))
    return report


def _accessibility(report: Report, daily: dict[tuple[date, str], dict[str, Any]], total: Aggregate,
                   q: Query, calendar: BusinessCalendar, sa: int) -> None:  # fmt: skip
    cols = ACCESS_COLUMNS
    report.tables.append(Table("summary", cols, [_access_row(total, q.thresholds)], ACCESS_PERCENT))
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (day, number), payload in daily.items():
        by_day[day].append(payload)
        if number:
            by_number[number].append(payload)
    rows = []
    for label, days in _periods(q, calendar):
        period_agg = _sum([a for d in days for a in by_day.get(d, [])], sa)
        row: dict[str, Any] = {"period": label,
                               "working_days": sum(calendar.is_working_day(d) for d in days)}  # fmt: skip
        if q.period is Period.DAY:
            row["holiday"] = calendar.holiday_name(days[0]) or ""
        rows.append({**row, **_access_row(period_agg, q.thresholds)})
    extra = ["period", "working_days"] + (["holiday"] if q.period is Period.DAY else [])
    report.tables.append(Table("by_period", extra + cols, rows, ACCESS_PERCENT))
    number_rows = [{"number": n, **_access_row(_sum(aggs, sa), q.thresholds)}
                   for n, aggs in sorted(by_number.items())]  # fmt: skip
    report.tables.append(Table("by_number", ["number", *cols], number_rows, ACCESS_PERCENT))
    report.charts.append(Chart("line", "chart_sl", [r["period"] for r in rows],
                               {"sl_60": [r["sl_60"] for r in rows],
                                "sl_120": [r["sl_120"] for r in rows]}))  # fmt: skip
    report.charts.append(_wait_chart(total))
    report.charts.append(_heat_chart(total))


def _wait_chart(agg: Aggregate) -> Chart:
    labels: list[str] = []
    counts: list[float | None] = []
    low = 0
    for high in (*WAIT_BUCKETS, None):
        n = sum(c for w, c in agg.answered_waits.items() if w >= low and (high is None or w < high))
        labels.append(f"{low}–{high}" if high is not None else f"{low}+")
        counts.append(float(n))
        low = high or low
    return Chart("bars", "chart_waits", labels, {"answered": counts})


def _heat_chart(agg: Aggregate) -> Chart:
    cells = heatmap(agg)
    return Chart("heatmap", "chart_heatmap", [str(h) for h in range(24)],
                 {str(wd): [float(c.offered) for c in cells if c.weekday == wd] for wd in range(7)})  # fmt: skip


def _audit(report: Report, total: Aggregate) -> None:
    table = audit_table(total)
    columns = ["outcome"]
    for number in table.numbers:
        columns += [f"{number}", f"{number} %"]
    columns += ["total", "total %"]
    grand = sum(table.totals.values())
    rows = []
    for outcome in Outcome:
        row: dict[str, Any] = {"outcome": str(outcome)}
        for number in table.numbers:
            row[number] = table.count(outcome, number)
            row[f"{number} %"] = table.share(outcome, number)
        n = sum(table.count(outcome, number) for number in table.numbers)
        row["total"], row["total %"] = n, (n / grand if grand else None)
        rows.append(row)
    sums: dict[str, Any] = {"outcome": "total"}
    for number in table.numbers:
        sums[number], sums[f"{number} %"] = (
            table.totals[number],
            1.0 if table.totals[number] else None,
        )
    sums["total"], sums["total %"] = grand, 1.0 if grand else None
    rows.append(sums)
    percent = {c for c in columns if c.endswith(" %")}
    report.tables.append(Table("audit", columns, rows, percent))
