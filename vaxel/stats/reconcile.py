"""Backfill from Asterisk's durable record, and verify the store against it.

``backfill`` reads the CEL file from the stored checkpoint and applies every contact fact
(idempotently), so whatever the live listener missed (a disconnect, a dead listener, a
restart) is filled in. ``compare`` is the pure difference behind ``vaxel stats verify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import structlog
from sqlalchemy import select

from vaxel.stats.cel import CelFile, Fact, facts
from vaxel.stats.ingest import Ingest
from vaxel.stats.store import ContactRecord

log = structlog.get_logger("vaxel.stats")
BATCH = 2000


def backfill(ingest: Ingest, cel_path: Path, app: str, *, from_start: bool = False) -> int:
    """Apply everything in the CEL file after the checkpoint; returns facts applied.

    A store that has never read this file starts at its current end: calls from before
    the store existed are not its business, unless ``from_start`` imports them.
    """
    source = f"cel:{cel_path}"
    cel = CelFile(cel_path)
    offset = ingest.checkpoint(source)
    applied = 0
    if offset is None:
        offset = 0 if from_start or not cel_path.exists() else cel_path.stat().st_size
        if from_start:
            applied += _apply_segments(ingest, cel_path, app)
        ingest.set_checkpoint(source, offset)
        ingest.set_checkpoint(f"origin:{source}", offset)  # where verify starts comparing
        log.info("stats_cel_checkpoint_initialised", cel=str(cel_path), offset=offset)
    while True:
        records, new_offset = cel.read_from(offset)
        if new_offset == offset:
            break
        items = [f.item() for f in facts(records, app)]
        for start in range(0, len(items), BATCH):
            ingest.apply(items[start : start + BATCH])
        applied += len(items)
        ingest.set_checkpoint(source, new_offset)
        offset = new_offset
    if applied:
        log.info("stats_backfilled", facts=applied, cel=str(cel_path))
    return applied


def _apply_segments(ingest: Ingest, cel_path: Path, app: str) -> int:
    """The rotated segments (``segments``), for a store that imports from the start."""
    from vaxel.stats.segments import segments

    applied = 0
    for segment in segments(cel_path):
        records, _ = CelFile(segment).read_from(0)
        items = [f.item() for f in facts(records, app)]
        for start in range(0, len(items), BATCH):
            ingest.apply(items[start : start + BATCH])
        applied += len(items)
    return applied


@dataclass(frozen=True)
class StoredContact:
    id: str
    number_e164: str | None
    ended: bool
    source: str


@dataclass
class Difference:
    missing: list[str] = field(default_factory=list)  # in Asterisk's record, not the store
    extra: list[str] = field(default_factory=list)  # in the store, unknown to Asterisk
    number: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    not_ended: list[str] = field(default_factory=list)  # ended in Asterisk, open in store

    def empty(self) -> bool:
        return not (self.missing or self.extra or self.number or self.not_ended)

    def lines(self) -> list[str]:
        out = [f"missing from the store: {c}" for c in self.missing]
        out += [f"not in Asterisk's record: {c}" for c in self.extra]
        out += [f"number differs for {c}: Asterisk {a}, store {s}" for c, a, s in self.number]
        out += [f"ended in Asterisk, open in the store: {c}" for c in self.not_ended]
        return out


def compare(
    cel_facts: Iterable[Fact],
    stored: Mapping[str, StoredContact],
    stored_in_range: Iterable[str],
    start: datetime,
    end: datetime,
) -> tuple[Difference, int]:
    """Contacts Asterisk saw start in [start, end) against the store. ``stored`` holds the
    store's contacts by id (looked up without a time filter: the controller may stamp
    times from a shifted clock); ``stored_in_range`` are the store's ids in the range."""
    starts: dict[str, Fact] = {}
    ended: set[str] = set()
    for fact in cel_facts:
        if fact.ev == "start":
            starts.setdefault(fact.id, fact)
        else:
            ended.add(fact.id)
    diff = Difference()
    checked = 0
    for cid, fact in sorted(starts.items()):
        if not (start <= fact.at < end):
            continue
        checked += 1
        found = stored.get(cid)
        if found is None:
            diff.missing.append(cid)
            continue
        if fact.e164 and found.number_e164 and fact.e164 != found.number_e164:
            diff.number.append((cid, fact.e164, found.number_e164))
        if cid in ended and not found.ended:
            diff.not_ended.append(cid)
    for cid in sorted(stored_in_range):
        if cid not in starts and stored[cid].source != "synth":
            diff.extra.append(cid)
    return diff, checked


def verify(sessions, cel_path: Path, app: str, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    """The difference for contacts that started in [start, end), counted from where this
    store began reading Asterisk's record (calls before it existed are not its business)."""
    from vaxel.stats.ingest import Ingest
    from vaxel.stats.segments import cel_records_since_origin

    records = cel_records_since_origin(Ingest(sessions, None), cel_path)
    cel_facts = list(facts(records, app))
    ids = {f.id for f in cel_facts if f.ev == "start" and start <= f.at < end}
    with sessions() as session:
        rows = (
            list(session.scalars(select(ContactRecord).where(ContactRecord.id.in_(ids))))
            if ids
            else []
        )
        in_range = list(session.scalars(select(ContactRecord).where(
            ContactRecord.started_at >= start, ContactRecord.started_at < end,
            ContactRecord.header_source != "synth")))  # fmt: skip
    stored = {
        r.id: StoredContact(r.id, r.number_e164, r.ended_at is not None, r.header_source)
        for r in [*rows, *in_range]
    }
    return compare(cel_facts, stored, [r.id for r in in_range], start, end)
