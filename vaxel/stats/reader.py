"""Reading the statistics store: caller-view contacts, and daily rollups kept exact.

A rollup row is rebuilt from the raw log whenever its day is marked dirty (by any write
that touches a contact of that day), and every report first rebuilds the dirty days it
covers, so summed rollups always equal the raw computation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from vaxel.stats.aggregates import DEFAULT_SHORT_ABANDON_S, Aggregate, daily_rollups
from vaxel.stats.contacts import ContactRow, build_contact
from vaxel.stats.events import LabelRecord
from vaxel.stats.model import STOCKHOLM, Contact, Pause
from vaxel.stats.rollups import Summer, to_json
from vaxel.stats.store import ContactRecord, DirtyDay, LabelRow, RollupRow

_CHUNK = 500
_PAUSE_EVENTS = ("TelephonistPaused", "TelephonistUnpaused")


def row_of(r: ContactRecord) -> ContactRow:
    return ContactRow(r.id, r.started_at, r.ended_at, r.number_e164, r.number_dialled,
                      r.number_kind, r.opening, r.caller, r.wrap_up, r.header_source)  # fmt: skip


def label_of(r: LabelRow) -> LabelRecord:
    return LabelRecord(r.key, r.name, r.contact_id, r.at, json.loads(r.fields))


def with_labels(session: Session, rows: Sequence[ContactRecord]) -> list[Contact]:
    by_contact: dict[str, list[LabelRecord]] = defaultdict(list)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), _CHUNK):
        query = select(LabelRow).where(LabelRow.contact_id.in_(ids[start : start + _CHUNK]))
        for label in session.scalars(query):
            by_contact[label.contact_id].append(label_of(label))
    out = []
    for r in rows:
        row = row_of(r)
        labels = by_contact.get(r.id, [])
        # A wrap-up or an end that arrived before its contact is applied here.
        wraps = sorted((lb for lb in labels if lb.name == "WrapUpSet"), key=lambda lb: lb.at)
        ends = [lb.at for lb in labels if lb.name == "ContactEnded"]
        if wraps and row.wrap_up is None:
            row = ContactRow(**{**row.__dict__, "wrap_up": wraps[-1].fields["code"]})
        if ends and row.ended_at is None:
            row = ContactRow(**{**row.__dict__, "ended_at": min(ends)})
        out.append(build_contact(row, labels))
    return out


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), STOCKHOLM)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), STOCKHOLM)


def pauses_of(labels: Iterable[LabelRecord]) -> list[Pause]:
    """Pair each telephonist's pause with the next unpause (a pause still running is not
    counted yet: it is counted on the day it ends)."""
    open_: dict[str, LabelRecord] = {}
    out = []
    for lb in sorted(labels, key=lambda lb: lb.at):
        who = lb.fields.get("telephonist_id", "")
        if lb.name == "TelephonistPaused":
            open_.setdefault(who, lb)
        elif who in open_:
            started = open_.pop(who)
            out.append(Pause(who, started.at, lb.at, started.fields.get("reason", "")))
    return out


class Reader:
    def __init__(
        self, sessions: sessionmaker, short_abandon_s: int = DEFAULT_SHORT_ABANDON_S
    ) -> None:
        self._sessions = sessions
        self.short_abandon_s = short_abandon_s
        # Days before this were deleted by retention (gallring): keep their rollups as they are.
        self.frozen_before: Callable[[], date | None] = lambda: None

    def contacts_between(self, start: datetime, end: datetime, *, number: str | None = None,
                         limit: int | None = None, offset: int = 0) -> list[Contact]:  # fmt: skip
        with self._sessions() as session:
            query = select(ContactRecord).where(
                ContactRecord.started_at >= start, ContactRecord.started_at < end
            )
            if number:
                query = query.where(ContactRecord.number_dialled == number)
            query = query.order_by(ContactRecord.started_at, ContactRecord.id).offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return with_labels(session, list(session.scalars(query)))

    def contact(self, contact_id: str) -> tuple[Contact, ContactRecord] | None:
        with self._sessions() as session:
            row = session.get(ContactRecord, contact_id)
            return (with_labels(session, [row])[0], row) if row else None

    def day_contacts(self, session: Session, day: date) -> list[Contact]:
        rows = list(
            session.scalars(select(ContactRecord).where(ContactRecord.day == day.isoformat()))
        )
        return with_labels(session, rows)

    def rebuild_day(self, day: date) -> None:
        with self._sessions.begin() as session:
            contacts = self.day_contacts(session, day)
            start, end = _day_bounds(day)
            query = select(LabelRow).where(
                LabelRow.contact_id == "", LabelRow.name.in_(_PAUSE_EVENTS),
                LabelRow.at >= start - timedelta(days=1), LabelRow.at < end,
            )  # fmt: skip
            pauses = [p for p in pauses_of(label_of(r) for r in session.scalars(query))
                      if start <= p.start < end]  # fmt: skip
            daily = daily_rollups(contacts, pauses, short_abandon_s=self.short_abandon_s)
            session.execute(delete(RollupRow).where(RollupRow.day == day.isoformat()))
            session.add_all(
                RollupRow(day=d.isoformat(), number=n, payload=to_json(agg))
                for (d, n), agg in daily.items()
                if d == day
            )

    def refresh(self, days: Iterable[date] | None = None) -> int:
        """Rebuild dirty days (all, or those in ``days``). The mark is removed first, so a
        write that lands during the rebuild marks the day again."""
        with self._sessions() as session:
            dirty = [date.fromisoformat(d) for d in session.scalars(select(DirtyDay.day))]
        if days is not None:
            wanted = set(days)
            dirty = [d for d in dirty if d in wanted]
        for day in dirty:
            with self._sessions.begin() as session:
                session.execute(delete(DirtyDay).where(DirtyDay.day == day.isoformat()))
            frozen = self.frozen_before()
            if frozen is None or day >= frozen:
                self.rebuild_day(day)
        return len(dirty)

    def daily(
        self, first: date, last: date, numbers: Sequence[str] | None = None
    ) -> dict[tuple[date, str], dict[str, Any]]:
        """Daily rollups (decoded JSON, see rollups.py) for local days ``first``..``last``
        inclusive, rebuilt first where dirty."""
        self.refresh_range(first, last)
        out: dict[tuple[date, str], dict[str, Any]] = {}
        with self._sessions() as session:
            query = select(RollupRow.day, RollupRow.number, RollupRow.payload).where(
                RollupRow.day >= first.isoformat(), RollupRow.day <= last.isoformat()
            )
            if numbers:
                query = query.where(RollupRow.number.in_([*numbers, ""]))
            for d, n, payload in session.execute(query):
                out[(date.fromisoformat(d), n)] = json.loads(payload)
        return out

    def refresh_range(self, first: date, last: date) -> None:
        with self._sessions() as session:
            dirty = list(session.scalars(select(DirtyDay.day).where(
                DirtyDay.day >= first.isoformat(), DirtyDay.day <= last.isoformat())))  # fmt: skip
        if dirty:
            self.refresh([date.fromisoformat(d) for d in dirty])

    def total(self, first: date, last: date, numbers: Sequence[str] | None = None) -> Aggregate:
        """One aggregate for the range: sums the JSON rows without building each one."""
        self.refresh_range(first, last)
        summer = Summer(self.short_abandon_s)
        with self._sessions() as session:
            query = select(RollupRow.payload).where(
                RollupRow.day >= first.isoformat(), RollupRow.day <= last.isoformat()
            )
            if numbers:
                query = query.where(RollupRow.number.in_([*numbers, ""]))
            for payload in session.scalars(query):
                summer.add_json(payload)
        return summer.result()
