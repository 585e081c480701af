"""Migrations run cleanly up, down and up again on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import inspect

from vaxel import db
from vaxel.stats.store import CallStore


def test_migrations_upgrade_downgrade_and_upgrade_again(store_url):
    db.upgrade(store_url)
    engine = db.make_engine(store_url)
    tables = set(inspect(engine).get_table_names())
    assert {"calls", "alembic_version"} <= tables
    db.downgrade(store_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(store_url)
    assert "calls" in set(inspect(engine).get_table_names())
    engine.dispose()


def test_call_store_keeps_aware_times_on_both_backends(store_url):
    db.upgrade(store_url)
    engine = db.make_engine(store_url)
    store = CallStore(db.make_sessionmaker(engine))
    local = datetime(2026, 3, 29, 2, 30, tzinfo=timezone(timedelta(hours=2)))
    store.call_started(
        call_id="c1",
        channel_id="c1",
        dialled_number="+46406280400",
        number_name="switchboard",
        caller_number=None,
        started_at=local,
    )
    store.call_started(
        call_id="c1",
        channel_id="c1",
        dialled_number="+46406280400",
        number_name="switchboard",
        caller_number=None,
        started_at=local,
    )
    record = store.get("c1")
    assert record.started_at == local and record.started_at.tzinfo is not None
    assert record.started_at.astimezone(UTC).hour == 0
    assert len(store.recent()) == 1
    engine.dispose()


def test_handoff_migration_matches_the_store_and_comes_off_alone(store_url):
    """Revision 0500 (handoffs and messages) on both back-ends: the tables the store maps,
    a state and a message round trip, and downgrading that branch leaves the others."""
    from sqlalchemy.exc import IntegrityError

    from vaxel.handoff.messages import MessageStatus
    from vaxel.handoff.states import Done, Outcome
    from vaxel.handoff.store import HandoffRow, HandoffStore, MessageRow, dumps, loads

    db.upgrade(store_url)
    engine = db.make_engine(store_url)
    inspector = inspect(engine)
    for model in (HandoffRow, MessageRow):
        columns = {c["name"] for c in inspector.get_columns(model.__tablename__)}
        assert columns == {c.name for c in model.__table__.columns}, model.__tablename__

    store = HandoffStore(db.make_sessionmaker(engine))
    local = datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2)))
    state = Done(Outcome.MESSAGE)
    store.save({"id": "h-1", "state_kind": "Done", "state": dumps(state), "done": False,
                "caller_channel": "c-1", "telephonist": "t1001", "legs": "{}",
                "connected": False, "created_at": local, "updated_at": local})  # fmt: skip
    (open_row,) = store.open_handoffs()
    assert loads(open_row.state) == state and open_row.created_at == local

    def message(reference: str, token: str) -> MessageRow:
        return MessageRow(reference=reference, year=2026, sequence=int(reference[-6:]),
                          created_at=local, caller_name="Karl Svensson", subject="Ärende",
                          urgency="normal", target_unit="Bygglovsenheten", channel="email",
                          deadline=local + timedelta(days=1),
                          status=MessageStatus.CREATED.value, token_hash=token)  # fmt: skip

    store.add_message(message("M-2026-000001", "a" * 64))
    assert store.next_sequence(2026) == 2
    stored = store.message("M-2026-000001")
    assert stored is not None and stored.deadline == local + timedelta(days=1)
    try:
        store.add_message(message("M-2026-000002", "a" * 64))  # the same handled-token
        raise AssertionError("a second message with the same token hash was stored")
    except IntegrityError:
        pass

    db.downgrade(store_url, "0500@-1")  # this branch only
    tables = set(inspect(engine).get_table_names())
    assert not {"handoffs", "handoff_messages"} & tables
    assert {"calls", "queue_entries"} <= tables
    db.upgrade(store_url)
    assert {"handoffs", "handoff_messages"} <= set(inspect(engine).get_table_names())
    engine.dispose()
