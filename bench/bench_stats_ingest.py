"""Ingest throughput: labelled events through the journal and its writer into the store.

.venv/bin/python bench/bench_stats_ingest.py --url sqlite:////tmp/ingest.db --events 50000
.venv/bin/python bench/bench_stats_ingest.py --url postgresql+psycopg://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from vaxel import db
from vaxel.queue.events import Answered, LeaveReason, QueueEntered, QueueLeft
from vaxel.stats.events import ContactStarted, record_of
from vaxel.stats.ingest import Ingest, label_item
from vaxel.stats.journal import Journal, JournalWriter
from vaxel.stats.model import STOCKHOLM


def events(n: int) -> list[dict]:
    t0 = datetime(2026, 11, 23, 9, tzinfo=STOCKHOLM)
    out: list[dict] = []
    i = 0
    while len(out) < n:
        cid, t = f"bench.{i}", t0 + timedelta(seconds=i)
        for ev in (
            ContactStarted(at=t, contact_id=cid, number_e164="+46406280400", number_dialled="switchboard",
                           number_kind="switchboard", opening="open", caller="0701740650"),
            QueueEntered(at=t, queue="centre", contact_id=cid, entry_id=cid, kind="call"),
            QueueLeft(at=t + timedelta(seconds=30), queue="centre", contact_id=cid, entry_id=cid,
                      reason=LeaveReason.ANSWERED),
            Answered(at=t + timedelta(seconds=30), queue="centre", contact_id=cid, entry_id=cid,
                     telephonist_id="t1", wait_s=30),
        ):  # fmt: skip
            out.append(label_item(record_of(ev)))
        out.append(
            {"type": "chan", "ev": "end", "id": cid, "at": (t + timedelta(seconds=90)).isoformat()}
        )
        i += 1
    return out[:n]


async def run(url: str, n: int) -> None:
    db.upgrade(url)
    ingest = Ingest(db.make_sessionmaker(db.make_engine(url)), None)
    items = events(n)
    writer = JournalWriter(Journal(Path(tempfile.mkdtemp()), "bench"), ingest.apply)
    writer.start()
    started = time.perf_counter()
    for item in items:  # one submit per event, as the sink and the listener do
        writer.submit([item])
    assert await writer.drain(timeout=600)
    elapsed = time.perf_counter() - started
    print(f"{url.split(':')[0]}: {n} events in {elapsed:.2f} s = {n / elapsed:,.0f} events/s")
    started = time.perf_counter()
    ingest.apply(items[:5000])  # the same again: idempotent, nothing new
    print(f"  replaying 5000 already-stored events: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(run(args.url, args.events))
