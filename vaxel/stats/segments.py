"""Rotating the statistics' two files, so raw caller numbers never outlive
``privacy.raw_number_days`` there either.

Asterisk's CEL file and our label journal both hold callers' numbers. The nightly privacy
job (``wiring``) rotates both and then ages the rotated segments:

- *Rotation* moves the current file aside as ``<stem>.<UTC stamp>.jsonl``, and only once
  everything in it is in the store: the CEL file is backfilled first, and the segment is
  read again from the checkpoint after the move (a record Asterisk was writing at that
  moment); the journal is moved only when its writer has applied all of it. Asterisk's
  ``cel_custom`` opens the file for every record (it holds no descriptor on it), so its
  next record starts a fresh file. The reconciler's checkpoint then starts again at 0.
- *CEL segments*: records older than the cutoff are reduced to the contact facts the
  reconciler reads (an inbound call's ``APP_START`` and ``LINKEDID_END``), with the
  caller's number pseudonymised; the rest is dropped (other records carry numbers in
  ``exten``, ``appdata`` and ``eventextra``). So ``vaxel stats verify`` and the backfill
  keep working for every period, and inside the window the record is untouched. A
  segment that is wholly past the cutoff is marked ``.aged`` and not read again; one whose
  newest record is past ``call_log_retention_days`` is deleted.
- *Journal segments* are a copy of what the store already has (the store pseudonymises
  its own copy): a segment is deleted once its oldest item is past the cutoff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog

from vaxel.stats.cel import CelFile, fact_from_file, facts
from vaxel.stats.ingest import Ingest

log = structlog.get_logger("vaxel.stats")

SEGMENT = re.compile(r"(?P<stem>.+)\.(?P<stamp>[0-9]{8}T[0-9]{6}Z)(?P<aged>\.aged)?\.jsonl")
_FACT_FIELDS = ("eventtype", "eventtime", "appname", "appdata", "linkedid", "num")


def segment_path(current: Path, at: datetime) -> Path:
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return current.with_name(f"{current.stem}.{stamp}.jsonl")


def segments(current: Path) -> list[Path]:
    """The rotated segments of ``current``, oldest first."""
    found = []
    for path in current.parent.glob(f"{current.stem}.*.jsonl"):
        match = SEGMENT.fullmatch(path.name)
        if match and match["stem"] == current.stem:
            found.append((match["stamp"], path))
    return [path for _, path in sorted(found)]


def _stamp(path: Path) -> datetime:
    match = SEGMENT.fullmatch(path.name)
    assert match is not None
    return datetime.strptime(match["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


# --- pure: what is left of a record past the cutoff -------------------------------------


def aged_cel_record(
    record: Mapping[str, Any], cutoff: datetime, app: str, pseudonym: Callable[[str], str]
) -> Mapping[str, Any] | None:
    """The record itself inside the window; past it, only a contact fact, pseudonymised."""
    at = datetime.fromtimestamp(float(record.get("eventtime") or 0), UTC)
    if at >= cutoff:
        return record
    if fact_from_file(record, app) is None:
        return None
    kept = {name: record[name] for name in _FACT_FIELDS if record.get(name)}
    if kept.get("num"):
        kept["num"] = pseudonym(str(kept["num"]))
    return kept


def journal_item_time(item: Mapping[str, Any]) -> datetime:
    if item.get("type") == "label":
        return datetime.fromisoformat(json.loads(item["json"])["t"])
    return datetime.fromisoformat(item["at"])


# --- CEL ------------------------------------------------------------------------------


def rotate_cel(ingest: Ingest, current: Path, app: str, now: datetime) -> Path | None:
    """Move Asterisk's CEL file aside once the store has all of it; None if it is empty."""
    from vaxel.stats.reconcile import backfill

    source, origin_source = f"cel:{current}", f"origin:cel:{current}"
    backfill(ingest, current, app)
    if not current.exists() or current.stat().st_size == 0:
        return None
    segment = segment_path(current, now)
    os.replace(current, segment)
    offset = ingest.checkpoint(source) or 0
    records, _ = CelFile(segment).read_from(offset)
    ingest.apply([f.item() for f in facts(records, app)])
    origin = ingest.checkpoint(origin_source) or 0
    if origin:
        # Calls from before the store existed are not its business (see ``verify``).
        with open(segment, "rb") as f:
            f.seek(origin)
            rest = f.read()
        _write(segment, rest)
        ingest.set_checkpoint(origin_source, 0)
    ingest.set_checkpoint(source, 0)
    log.info("stats_cel_rotated", segment=str(segment))
    return segment


@dataclass
class Aged:
    rewritten: int = 0
    reduced: int = 0
    dropped: int = 0
    deleted: int = 0


def age_cel(
    current: Path,
    app: str,
    cutoff: datetime,
    retention_cutoff: datetime | None,
    pseudonym: Callable[[str], str],
) -> Aged:
    done = Aged()
    for segment in segments(current):
        if retention_cutoff is not None and _stamp(segment) < retention_cutoff:
            segment.unlink()
            done.deleted += 1
            continue
        if segment.name.endswith(".aged.jsonl"):
            continue
        lines, changed, newest = [], False, None
        for record in _records(segment):
            at = datetime.fromtimestamp(float(record.get("eventtime") or 0), UTC)
            newest = at if newest is None or at > newest else newest
            aged = aged_cel_record(record, cutoff, app, pseudonym)
            if aged is None:
                done.dropped += 1
                changed = True
                continue
            if aged is not record:
                done.reduced += 1
                changed = True
            lines.append(json.dumps(aged, ensure_ascii=False) + "\n")
        target = segment
        if newest is None or newest < cutoff:
            target = segment.with_name(segment.name.removesuffix(".jsonl") + ".aged.jsonl")
        if changed or target != segment:
            _write(target, "".join(lines).encode())
            if target != segment:
                segment.unlink()
            done.rewritten += 1
    return done


def _records(path: Path) -> list[dict[str, Any]]:
    records, _ = CelFile(path).read_from(0)
    return records


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def cel_records_since_origin(ingest: Ingest, current: Path) -> list[dict[str, Any]]:
    """Every CEL record the store is answerable for: the segments, then the current file
    from where the store began reading it (before any rotation)."""
    records: list[dict[str, Any]] = []
    for segment in segments(current):
        records += _records(segment)
    origin = ingest.checkpoint(f"origin:cel:{current}") or 0
    found, _ = CelFile(current).read_from(origin)
    return records + found


# --- the journal ----------------------------------------------------------------------


def age_journals(directory: Path, cutoff: datetime) -> int:
    """Delete journal segments (of every process) whose oldest item is past the cutoff."""
    deleted = 0
    for path in sorted(directory.glob("*.jsonl")):
        if not SEGMENT.fullmatch(path.name):
            continue
        oldest = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    at = journal_item_time(json.loads(line))
                    oldest = at if oldest is None or at < oldest else oldest
        if oldest is None or oldest < cutoff:
            path.unlink()
            deleted += 1
    return deleted


# --- the nightly job ------------------------------------------------------------------


class PrivacyFiles:
    """The files' part of the nightly privacy job: rotate both files, then age segments.

    ``journal`` is this process's own journal (rotated here, in the event loop, where its
    writer runs); ``lock`` is the listener's backfill lock, so a backfill never reads the
    CEL file while it is being moved.
    """

    def __init__(self, *, service: Any, ingest: Ingest, cel_path: Path, app: str,
                 journal: Any | None, journal_dir: Path, lock: Any | None) -> None:  # fmt: skip
        self.service, self.ingest, self.cel_path, self.app = service, ingest, cel_path, app
        self.journal, self.journal_dir, self.lock = journal, journal_dir, lock

    async def run(self) -> None:
        import asyncio
        import contextlib

        now = self.service.clock.now()
        cutoff, retention = self.service.raw_number_cutoff(), self.service.retention_cutoff()
        journal_segment = self.journal.rotate(now) if self.journal is not None else None
        cel_segment = None
        try:
            async with self.lock or contextlib.nullcontext():
                cel_segment = await asyncio.to_thread(
                    rotate_cel, self.ingest, self.cel_path, self.app, now
                )
        except Exception as exc:  # noqa: BLE001 - the store is down: rotate tomorrow
            log.warning("stats_cel_rotation_failed", error=str(exc)[:200])
        aged = await asyncio.to_thread(
            age_cel, self.cel_path, self.app, cutoff, retention, self.service.pseudonym
        )
        deleted = await asyncio.to_thread(age_journals, self.journal_dir, cutoff)
        log.info("stats_privacy_files", cutoff=cutoff.isoformat(),
                 journal_rotated=str(journal_segment) if journal_segment else None,
                 journal_spooling=self.journal is not None and journal_segment is None
                 and self.journal.pending_bytes() > 0,
                 cel_rotated=str(cel_segment) if cel_segment else None,
                 cel_records_reduced=aged.reduced, cel_records_dropped=aged.dropped,
                 cel_segments_deleted=aged.deleted, journal_segments_deleted=deleted)  # fmt: skip
