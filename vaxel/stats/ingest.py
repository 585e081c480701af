"""Idempotent writes of what the sink, the listener and the reconciler learn.

Every item is a JSON-able dict (the journal's line format):

- ``{"type": "label", "json": ...}``: a ``LabelRecord``; stored once per key.
  ``ContactStarted`` also upserts the contact's header, ``ContactEnded`` its end,
  ``WrapUpSet`` and ``WrapUpKeyed`` its wrap-up code.
- ``{"type": "chan", "ev": "start", "id", "at", "e164", "caller"}``: a contact seen in
  Asterisk's record (CEL); creates the contact only if no label has.
- ``{"type": "chan", "ev": "end", "id", "at"}``: the contact's last channel ended.

Applying the same items twice changes nothing, so replays and backfills are always safe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from vaxel.stats.contacts import ContactHeaders, local_day
from vaxel.stats.events import LabelRecord, record_from_json
from vaxel.stats.store import Checkpoint, ContactRecord, DirtyDay, LabelRow

Item = dict[str, Any]
# Set through the API (``WrapUpSet``) or the telephonist's ``*25`` code (``WrapUpKeyed``).
WRAP_UP_EVENTS = ("WrapUpSet", "WrapUpKeyed")
_CHUNK = 500


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def label_item(record: LabelRecord) -> Item:
    return {"type": "label", "json": record.to_json()}


class Ingest:
    def __init__(self, sessions: sessionmaker, headers: ContactHeaders | None) -> None:
        self._sessions = sessions
        self.headers = headers
        # Counts the batches stored: a reader of today's figures recomputes only after it moves.
        self.changes = 0

    def apply(self, items: Sequence[Item]) -> None:
        records = [record_from_json(i["json"]) for i in items if i["type"] == "label"]
        starts = [i for i in items if i["type"] == "chan" and i["ev"] == "start"]
        ends = [(i["id"], datetime.fromisoformat(i["at"])) for i in items
                if i["type"] == "chan" and i["ev"] == "end"]  # fmt: skip
        ends += [(r.contact_id, r.at) for r in records if r.name == "ContactEnded"]
        with self._sessions.begin() as session:
            days: set[str] = set()
            ids = {r.contact_id for r in records if r.contact_id} | {cid for cid, _ in ends}
            days |= self._days_of(session, ids)  # before: a header may move a contact's day
            self._labels(session, records, days)
            self._chan_starts(session, starts, days)
            if ends:
                stmt = (
                    update(ContactRecord)
                    .where(ContactRecord.id == bindparam("cid"), ContactRecord.ended_at.is_(None))
                    .values(ended_at=bindparam("ended"))
                    .execution_options(synchronize_session=False)
                )
                session.connection().execute(stmt, [{"cid": c, "ended": at} for c, at in ends])
            for record in records:
                if record.name in WRAP_UP_EVENTS:
                    self._wrap_up(session, record)
            mark_dirty(session, days)
        if items:
            self.changes += 1

    def _labels(self, session: Session, records: list[LabelRecord], days: set[str]) -> None:
        unresolved = {link for r in records if not r.contact_id for link in r.links}
        resolved = {link: r.contact_id for r in records if r.contact_id for link in r.links}
        missing = unresolved - set(resolved)
        if missing:
            query = select(LabelRow.ref, LabelRow.contact_id).where(
                LabelRow.ref.in_(missing), LabelRow.contact_id != ""
            )
            resolved.update({ref: cid for ref, cid in session.execute(query) if ref})
        rows = []
        for r in records:
            contact_id = r.contact_id or next(
                (resolved[link] for link in r.links if link in resolved), ""
            )
            rows.append({"key": r.key, "contact_id": contact_id, "ref": r.ref, "name": r.name,
                         "at": r.at, "fields": json.dumps(r.fields, ensure_ascii=False)})  # fmt: skip
            if not contact_id:
                days.add(local_day(r.at).isoformat())  # pauses and the like belong to a day
        for start in range(0, len(rows), _CHUNK):
            stmt = _insert(session, LabelRow).on_conflict_do_nothing(index_elements=["key"])
            session.execute(stmt, rows[start : start + _CHUNK])
        headers = {}
        for r in records:
            if r.name == "ContactStarted":
                headers[r.contact_id] = self._header(r)
                days.add(headers[r.contact_id]["day"])
        if headers:
            rows = list(headers.values())
            stmt = _insert(session, ContactRecord)
            keep = ("id", "caller_pseudonymised")
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={c: stmt.excluded[c] for c in rows[0] if c not in keep},
            )
            for start in range(0, len(rows), _CHUNK):
                session.execute(stmt, rows[start : start + _CHUNK])

    @staticmethod
    def _header(r: LabelRecord) -> dict[str, Any]:
        f = r.fields
        return {
            "id": r.contact_id,
            "caller_pseudonymised": False,
            "started_at": r.at,
            "day": local_day(r.at).isoformat(),
            "number_e164": f.get("number_e164"),
            "number_dialled": f.get("number_dialled", "unknown"),
            "number_kind": f.get("number_kind", "switchboard"),
            "opening": f.get("opening", "open"),
            "caller": f.get("caller") or None,
            "header_source": "label",
        }

    def _chan_starts(self, session: Session, starts: list[Item], days: set[str]) -> None:
        if not starts:
            return
        rows = []
        for item in starts:
            at = datetime.fromisoformat(item["at"])
            e164 = item.get("e164") or None
            if self.headers is not None:
                info = self.headers.number(e164)
                name, kind = info.name, str(info.kind)
                opening = str(self.headers.opening(e164, at))
            else:
                name, kind, opening = e164 or "unknown", "switchboard", "open"
            day = local_day(at).isoformat()
            rows.append({"id": item["id"], "started_at": at, "day": day, "number_e164": e164,
                         "number_dialled": name, "number_kind": kind, "opening": opening,
                         "caller": item.get("caller") or None, "caller_pseudonymised": False,
                         "header_source": "cel"})  # fmt: skip
            days.add(day)
        for start in range(0, len(rows), _CHUNK):
            stmt = _insert(session, ContactRecord).on_conflict_do_nothing(index_elements=["id"])
            session.execute(stmt, rows[start : start + _CHUNK])

    def _wrap_up(self, session: Session, r: LabelRecord) -> None:
        session.execute(
            update(ContactRecord)
            .where(
                ContactRecord.id == r.contact_id,
                (ContactRecord.wrap_up_at.is_(None)) | (ContactRecord.wrap_up_at <= r.at),
            )
            .values(wrap_up=r.fields["code"], wrap_up_by=r.fields.get("by"), wrap_up_at=r.at)
        )

    def _days_of(self, session: Session, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        days: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            days.update(
                session.scalars(select(ContactRecord.day).where(ContactRecord.id.in_(chunk)))
            )
        return days

    # --- checkpoints of the reconciler ------------------------------------------------
    def checkpoint(self, source: str) -> int | None:
        with self._sessions() as session:
            found = session.get(Checkpoint, source)
            return found.position if found else None

    def set_checkpoint(self, source: str, position: int) -> None:
        with self._sessions.begin() as session:
            stmt = _insert(session, Checkpoint).values(source=source, position=position)
            session.execute(
                stmt.on_conflict_do_update(index_elements=["source"], set_={"position": position})
            )


def mark_dirty(session: Session, days: Iterable[str]) -> None:
    rows = [{"day": d} for d in sorted(set(days))]
    if rows:
        stmt = _insert(session, DirtyDay).on_conflict_do_nothing(index_elements=["day"])
        session.execute(stmt, rows)
