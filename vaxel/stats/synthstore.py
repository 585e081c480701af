"""Writes synthetic contacts (synth.py) into the store, as the live path would: contact
rows plus one ``Stint`` label per stint, then rebuilds the rollups of the days touched."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from vaxel.stats.contacts import local_day
from vaxel.stats.events import make_record
from vaxel.stats.ingest import _insert, mark_dirty
from vaxel.stats.model import Contact, Stint
from vaxel.stats.store import ContactRecord, LabelRow

BATCH = 5000


def stint_record_fields(stint: Stint) -> dict[str, str]:
    fields: dict[str, str] = {"kind": str(stint.kind)}
    for name in ("end", "outcome", "queue", "telephonist", "target_person", "target_unit",
                 "target_department", "deadline"):  # fmt: skip
        value = getattr(stint, name)
        if value is not None:
            fields[name] = value.isoformat() if isinstance(value, datetime) else str(value)
    if stint.wrap_up_seconds:
        fields["wrap_up_seconds"] = str(stint.wrap_up_seconds)
    return fields


def rows_of(contacts: Iterable[Contact]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for c in contacts:
        contact = {"id": c.contact_id, "started_at": c.started_at, "day": local_day(c.started_at).isoformat(),
                   "ended_at": None, "number_e164": None, "number_dialled": c.number_dialled,
                   "number_kind": str(c.number_kind), "opening": str(c.opening), "caller": c.caller,
                   "caller_pseudonymised": False, "wrap_up": str(c.wrap_up) if c.wrap_up else None,
                   "header_source": "synth"}  # fmt: skip
        labels = []
        for stint in c.stints:
            r = make_record("Stint", c.contact_id, stint.start, stint_record_fields(stint))
            labels.append({"key": r.key, "contact_id": c.contact_id, "ref": None, "name": r.name,
                           "at": r.at, "fields": json.dumps(r.fields)})  # fmt: skip
        yield contact, labels


def load(sessions: sessionmaker, contacts: Iterable[Contact]) -> int:
    n = 0
    contact_rows: list[dict[str, Any]] = []
    label_rows: list[dict[str, Any]] = []
    days: set[str] = set()

    def flush() -> None:
        with sessions.begin() as session:
            if contact_rows:
                session.execute(
                    _insert(session, ContactRecord).on_conflict_do_nothing(index_elements=["id"]),
                    contact_rows,
                )
            if label_rows:
                session.execute(
                    _insert(session, LabelRow).on_conflict_do_nothing(index_elements=["key"]),
                    label_rows,
                )
            mark_dirty(session, days)
        contact_rows.clear()
        label_rows.clear()

    for contact, labels in rows_of(contacts):
        contact_rows.append(contact)
        label_rows.extend(labels)
        days.add(contact["day"])
        n += 1
        if len(contact_rows) >= BATCH:
            flush()
    flush()
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Fresh statistics after a bulk load, or the planner scans instead of using indexes.
            session.execute(text("ANALYZE stats_contacts"))
            session.execute(text("ANALYZE stats_labels"))
    return n
