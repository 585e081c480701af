"""A statistics store on a real database (SQLite or PostgreSQL) with the example site, and
label items as the controller journals them: for the store, API, render and report tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.support.controller import write_site_file
from vaxel import db
from vaxel.calendar import BusinessCalendar
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.queue.events import LeaveReason, QueueEntered, QueueLeft
from vaxel.stats.contacts import ContactHeaders
from vaxel.stats.events import ContactStarted, record_of
from vaxel.stats.ingest import Ingest, label_item
from vaxel.stats.model import STOCKHOLM
from vaxel.stats.reader import Reader
from vaxel.stats.service import StatsService

T = datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM)  # a Monday, open


class Env:
    def __init__(self, url: str, tmp: Path) -> None:
        db.upgrade(url)
        self.engine = db.make_engine(url)
        self.sessions = db.make_sessionmaker(self.engine)
        self.config = load_site_config(write_site_file(tmp, url))
        self.calendar = BusinessCalendar()
        self.headers = ContactHeaders(self.config, self.calendar)
        self.ingest = Ingest(self.sessions, self.headers)
        self.reader = Reader(self.sessions)
        self.clock = FixedClock(T)
        self.service = StatsService(sessions=self.sessions, ingest=self.ingest, reader=self.reader,
                                    calendar=self.calendar, clock=self.clock, config=self.config,
                                    key=b"k" * 32)  # fmt: skip

    def count(self, table) -> int:  # type: ignore[no-untyped-def]
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(table))


def started(cid: str = "c1", at: datetime = T, caller: str = "0701740650") -> dict:
    return label_item(record_of(ContactStarted(at=at, contact_id=cid, number_e164="+46406280400",
                                               number_dialled="switchboard", number_kind="switchboard",
                                               opening="open", caller=caller)))  # fmt: skip


def waits(cid: str, seconds: int, reason: LeaveReason) -> list[dict]:
    return [
        label_item(record_of(QueueEntered(at=T + timedelta(seconds=5), queue="centre", contact_id=cid,
                                          entry_id=cid, kind="call"))),
        label_item(record_of(QueueLeft(at=T + timedelta(seconds=5 + seconds), queue="centre",
                                       contact_id=cid, entry_id=cid, reason=reason))),
    ]  # fmt: skip
