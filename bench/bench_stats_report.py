"""The accessibility report over a year of 1,000,000 calls, from persisted daily rollups,
checked against the aggregate computed from the raw contacts.

    .venv/bin/python bench/bench_stats_report.py --url sqlite:////tmp/year.db --calls 1000000
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from sqlalchemy import func, select

from vaxel import db
from vaxel.calendar import BusinessCalendar
from vaxel.stats.aggregates import Period, aggregate
from vaxel.stats.reader import Reader
from vaxel.stats.render import render
from vaxel.stats.reports import Query, build
from vaxel.stats.store import ContactRecord
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load

FIRST, LAST = date(2025, 1, 1), date(2025, 12, 31)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    db.upgrade(args.url)
    sessions = db.make_sessionmaker(db.make_engine(args.url))
    calendar = BusinessCalendar()
    with sessions() as s:
        present = s.scalar(select(func.count()).select_from(ContactRecord))
    contacts = list(
        generate(args.calls, FIRST, 365, seed=2025, is_working_day=calendar.is_working_day)
    )
    reader = Reader(sessions)
    if present < args.calls:
        t = time.perf_counter()
        load(sessions, contacts)
        print(f"loaded {args.calls} contacts in {time.perf_counter() - t:.0f} s")
        t = time.perf_counter()
        days = reader.refresh()
        print(f"rolled up {days} days in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    raw = aggregate(contacts)
    print(f"raw aggregate of {len(contacts)} contacts in memory: {time.perf_counter() - t:.1f} s")
    timings = []
    for _ in range(3):
        t = time.perf_counter()
        total = reader.total(FIRST, LAST)
        timings.append(time.perf_counter() - t)
    print(
        f"year total from rollups: {min(timings):.2f} s (best of 3); identical to raw: {total == raw}"
    )
    for period in (Period.DAY, Period.MONTH):
        t = time.perf_counter()
        report = build(reader, calendar, Query("accessibility", FIRST, LAST, period=period))
        built = time.perf_counter() - t
        t = time.perf_counter()
        body = render(report, "json")
        print(f"accessibility report per {period}: built in {built:.2f} s, JSON in "
              f"{time.perf_counter() - t:.2f} s ({len(body) // 1024} KiB); offered "
              f"{report.table('summary').rows[0]['offered']} (raw {raw.offered})")  # fmt: skip
    t = time.perf_counter()
    render(
        build(reader, calendar, Query("accessibility", FIRST, LAST, period=Period.MONTH)), "xlsx"
    )
    print(f"accessibility per month as XLSX: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
