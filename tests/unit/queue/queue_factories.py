"""Small builders for queue model tests. Times are seconds after ``T0``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from vaxel.queue.distribution import Offer
from vaxel.queue.model import Entry, EntryKind, Returned
from vaxel.queue.telephonists import Available, Membership, Status, Telephonist

STOCKHOLM = ZoneInfo("Europe/Stockholm")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=STOCKHOLM)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def caller(entry_id: str, queue: str = "centre", entered: float = 0, **changes: Any) -> Entry:
    entry = Entry(id=entry_id, queue=queue, entered_at=at(entered), channel_id=f"chan-{entry_id}")
    return replace(entry, **changes)


def callback(entry_id: str, queue: str = "centre", entered: float = 0, **changes: Any) -> Entry:
    entry = Entry(
        id=entry_id,
        queue=queue,
        entered_at=at(entered),
        kind=EntryKind.CALLBACK,
        caller_number="+46701234567",
    )
    return replace(entry, **changes)


def returned(
    entry_id: str,
    queue: str = "centre",
    entered: float = 0,
    returned_at: float = 100,
    preferred_telephonist: str | None = None,
    **changes: Any,
) -> Entry:
    info = Returned(
        reason="no_answer",
        whisper="Inget svar hos Anna Svensson",
        at=at(returned_at),
        preferred_telephonist=preferred_telephonist,
    )
    return caller(entry_id, queue, entered, returned=info, **changes)


def telephonist(
    telephonist_id: str,
    queues: Mapping[str, int] | None = None,
    idle: float = 0,
    status: Status | None = None,
) -> Telephonist:
    memberships = tuple(Membership(q, p) for q, p in (queues or {"centre": 0}).items())
    return Telephonist(
        id=telephonist_id,
        endpoint=f"PJSIP/{telephonist_id}",
        queues=memberships,
        status=status or Available(),
        idle_since=at(idle),
    )


def pairs(offers: Iterable[Offer]) -> list[tuple[str, str]]:
    return [(o.entry.id, o.telephonist_id) for o in offers]
