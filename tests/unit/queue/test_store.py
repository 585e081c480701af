"""The queue's persisted state survives a round trip on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vaxel import db
from vaxel.queue.model import Entry, EntryKind, EntryState, Returned
from vaxel.queue.store import QueueStore
from vaxel.queue.telephonists import Membership, OnCall, Paused, Ringing, Telephonist, Wrapup

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_entries_and_telephonist_states_round_trip(store_url):
    db.upgrade(store_url)
    store = QueueStore(db.make_sessionmaker(db.make_engine(store_url)))
    caller = Entry("e1", "centre", T0, channel_id="c1", call_id="c1", caller_number="0701",
                   state=EntryState.OFFERED, offered_to="t1",
                   returned=Returned("no_answer", "Ingen svar", T0 + timedelta(minutes=1), "t2"))  # fmt: skip
    callback = Entry("e2", "centre", T0 + timedelta(seconds=5), kind=EntryKind.CALLBACK,
                     caller_number="+46701", attempts=1, not_before=T0 + timedelta(minutes=5),
                     language="en")  # fmt: skip
    store.save_entry(caller)
    store.save_entry(callback)
    assert sorted(store.open_entries(), key=lambda e: e.id) == [caller, callback]
    store.leave(caller, at=T0 + timedelta(minutes=2), reason="answered", answered_by="t1")
    assert store.open_entries() == [callback]
    row = store.entry("e1")
    assert row is not None and row.answered_by == "t1" and row.left_reason == "answered"

    for status in (Ringing("e2", T0), OnCall("e2"), Wrapup(T0), Paused("missed call")):
        person = Telephonist("t1", "PJSIP/1001", (Membership("centre"),), status, T0, 2)
        store.save_telephonist(person, T0)
        saved = store.telephonist_rows()["t1"]
        from vaxel.queue.store import status_of

        assert status_of(saved) == status
        assert saved.missed == 2 and saved.idle_since == T0


def test_recent_handle_times_are_the_latest_of_the_queue_within_the_age_oldest_first(store_url):
    db.upgrade(store_url)
    store = QueueStore(db.make_sessionmaker(db.make_engine(store_url)))
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for minute, seconds in enumerate([300.0, 120.0, 90.5, 60.0]):
        store.add_handle_time("centre", start + timedelta(minutes=minute), seconds)
    store.add_handle_time("bygglov", start, 999.0)
    assert store.recent_handle_times("centre", start, limit=2) == [90.5, 60.0]
    assert store.recent_handle_times("centre", start, limit=10) == [120.0, 90.5, 60.0]
    assert store.recent_handle_times("bygglov", start - timedelta(hours=1), 10) == [999.0]
    assert store.recent_handle_times("lss", start - timedelta(hours=1), 10) == []
