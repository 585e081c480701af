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
