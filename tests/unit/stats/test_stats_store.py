"""The statistics store on SQLite and PostgreSQL: idempotent ingest, backfill from CEL,
verify, wrap-up, the call log, exact rollups and the privacy job."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.controller import write_site_file
from vaxel import db
from vaxel.calendar import BusinessCalendar
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.errors import DomainError, NotFound
from vaxel.handoff.events import HandoffAttempt, MessageCreated
from vaxel.queue.events import LeaveReason, QueueEntered, QueueLeft, WrapUpKeyed
from vaxel.stats.aggregates import aggregate
from vaxel.stats.contacts import ContactHeaders
from vaxel.stats.events import ContactStarted, record_of
from vaxel.stats.ingest import Ingest, label_item
from vaxel.stats.model import STOCKHOLM
from vaxel.stats.privacy import is_pseudonymised
from vaxel.stats.reader import Reader
from vaxel.stats.reconcile import backfill, verify
from vaxel.stats.service import StatsService
from vaxel.stats.store import ContactRecord, LabelRow
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load

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


@pytest.fixture()
def env(store_url, tmp_path):
    e = Env(store_url, tmp_path)
    yield e
    e.engine.dispose()


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


def test_applying_the_same_items_twice_stores_them_once(env):
    items = [started(), *waits("c1", 30, LeaveReason.ABANDONED)]
    env.ingest.apply(items)
    env.ingest.apply(items)
    env.ingest.apply(list(reversed(items)))
    assert env.count(LabelRow) == 3
    assert env.count(ContactRecord) == 1
    [contact] = env.reader.contacts_between(T - timedelta(hours=1), T + timedelta(hours=1))
    assert [s.kind for s in contact.stints] == ["queue_wait"]


def test_a_contact_seen_only_in_cel_gets_its_number_and_opening_from_the_site_file(env, tmp_path):
    cel = tmp_path / "vaxel.jsonl"
    start = T.replace(hour=20)  # closed
    lines = [
        {"eventtype": "APP_START", "eventtime": f"{start.timestamp():.6f}", "num": "0701",
         "appname": "Stasis", "appdata": "vaxel,inbound,+46406280410", "linkedid": "L1"},
        {"eventtype": "LINKEDID_END", "eventtime": f"{start.timestamp() + 9:.6f}", "linkedid": "L1"},
    ]  # fmt: skip
    cel.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert backfill(env.ingest, cel, "vaxel", from_start=True) == 2
    assert backfill(env.ingest, cel, "vaxel") == 0  # checkpointed
    with env.sessions() as s:
        row = s.get(ContactRecord, "L1")
    assert (row.number_dialled, row.number_kind, row.opening, row.header_source) == (
        "centre",
        "centre",
        "closed",
        "cel",
    )
    assert row.ended_at is not None
    diff, checked = verify(
        env.sessions, cel, "vaxel", start - timedelta(hours=1), start + timedelta(hours=1)
    )
    assert checked == 1 and diff.empty(), diff.lines()


def test_a_label_header_wins_over_cel_whatever_comes_first(env):
    env.ingest.apply([{"type": "chan", "ev": "start", "id": "c1", "at": T.isoformat(),
                       "e164": "+46406280410", "caller": None}])  # fmt: skip
    env.ingest.apply([started()])
    env.ingest.apply([{"type": "chan", "ev": "start", "id": "c1", "at": T.isoformat(),
                       "e164": "+46406280410", "caller": None}])  # fmt: skip
    with env.sessions() as s:
        row = s.get(ContactRecord, "c1")
    assert (row.header_source, row.number_dialled) == ("label", "switchboard")


def test_wrap_up_codes_are_checked_and_stored(env):
    env.ingest.apply([started()])
    with pytest.raises(DomainError):
        env.service.set_wrap_up("c1", "nonsense", "t1")
    with pytest.raises(NotFound):
        env.service.set_wrap_up("nope", "other", "t1")
    env.service.set_wrap_up("c1", "referred_to_phone_hours", "t1")
    [row] = env.service.call_log(T.date(), T.date())
    assert row.wrap_up == "referred_to_phone_hours"
    assert row.outcome == "referred_to_phone_hours"


def test_a_handoff_attempt_with_its_contact_merges_into_the_callers_contact(env):
    """The handoff fills in the caller's contact id; a message taken after the failed
    attempt names only the handoff, and follows it into the same contact."""
    attempt = HandoffAttempt(
        handoff_id="h1", at=T + timedelta(seconds=60), telephonist="t1001", mode="follow",
        initiated_by="keys", target_name="Lena", target_person="p11", target_unit="bygglov",
        target_department="sbf", reached_name=None, ring_time_s=5.0, outcome="no_answer",
        override=False, returned=True, returned_to="telephonist", contact_id="c1",
    )  # fmt: skip
    message = MessageCreated(reference="M-1", at=T + timedelta(seconds=90), target_person="p11",
                             target_unit="bygglov", channel="email", urgency="normal",
                             deadline=T + timedelta(days=1), handoff_id="h1")  # fmt: skip
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(attempt))])
    env.ingest.apply([label_item(record_of(message))])
    found = env.reader.contact("c1")
    assert found is not None
    kinds = [(str(s.kind), s.outcome and str(s.outcome)) for s in found[0].stints]
    assert kinds == [("queue_wait", "answered"), ("handoff_attempt", "no_answer"),
                     ("return", None), ("message", None)]  # fmt: skip
    [row] = env.service.call_log(T.date(), T.date())
    assert row.outcome == "message_taken"


def test_a_wrap_up_code_keyed_by_the_telephonist_sets_the_contacts_wrap_up(env):
    keyed = WrapUpKeyed(at=T + timedelta(seconds=90), queue="centre", contact_id="c1",
                        entry_id="c1", code="referred_to_phone_hours", by="t1001")  # fmt: skip
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(keyed))])
    [row] = env.service.call_log(T.date(), T.date())
    assert (row.wrap_up, row.outcome) == ("referred_to_phone_hours", "referred_to_phone_hours")
    # A later code through the API wins; an older keyed one arriving late does not.
    env.clock.at = T + timedelta(seconds=120)
    env.service.set_wrap_up("c1", "other", "anna")
    env.ingest.apply([label_item(record_of(keyed))])
    [row] = env.service.call_log(T.date(), T.date())
    assert row.wrap_up == "other"


def test_the_call_log_never_shows_a_raw_number(env):
    env.ingest.apply([started(), *waits("c1", 30, LeaveReason.ABANDONED)])
    [row] = env.service.call_log(T.date(), T.date())
    assert is_pseudonymised(row.caller) and "0701740650" not in json.dumps(
        row.__dict__, default=str
    )
    assert (row.outcome, row.wait_s, row.number_dialled) == (
        "abandoned_in_queue",
        30,
        "switchboard",
    )


def test_rollups_give_exactly_the_raw_figures_and_follow_late_writes(env):
    contacts = list(generate(1200, date(2026, 9, 1), 30, seed=4))
    load(env.sessions, contacts)
    first, last = date(2026, 9, 1), date(2026, 9, 30)
    assert env.reader.total(first, last) == aggregate(contacts)
    # A late label on an already rolled-up day is counted on the next report.
    late = contacts[100]
    env.service.set_wrap_up(late.contact_id, "message", "t1")
    expected = aggregate([c if c is not late else type(c)(**{**{f: getattr(c, f) for f in c.__slots__},
                          "wrap_up": "message"}) for c in contacts])  # fmt: skip
    assert env.reader.total(first, last) == expected


def test_privacy_job_pseudonymises_old_numbers_and_retention_deletes_old_contacts(env):
    old = T - timedelta(days=40)
    env.ingest.apply([started("old", old), started("new", T)])
    env.clock.at = T + timedelta(hours=1)
    assert env.service.pseudonymise_due() == 1
    with env.sessions() as s:
        assert is_pseudonymised(s.get(ContactRecord, "old").caller)
        assert s.get(ContactRecord, "new").caller == "0701740650"
        labels = [
            json.loads(r.fields)
            for r in s.scalars(select(LabelRow).where(LabelRow.contact_id == "old"))
        ]
    assert all(is_pseudonymised(f["caller"]) for f in labels)
    env.clock.at = T + timedelta(days=800)  # retention in the example site file: 730 days
    env.reader.total(T.date(), T.date())  # rollups made before deletion
    before = env.reader.total(old.date(), T.date())
    assert env.service.delete_expired() == 2
    assert env.count(ContactRecord) == 0
    assert env.reader.total(old.date(), T.date()) == before  # aggregates are kept
    _ = UTC
