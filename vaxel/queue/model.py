"""Queue entries and their order, callbacks, and restart reconciliation. No I/O.

Time is always passed in as an aware datetime; nothing here reads the clock. The order
within one queue is returned entries first (oldest return first), then ``entered_at``;
which telephonist takes which entry is ``distribution.py``, the telephonists themselves
``telephonists.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

Language = Literal["sv", "en"]


class QueueError(Exception):
    """A request the queue model refuses; ``str()`` says why in one line."""


class InvalidTransition(QueueError):
    """An event that does not apply in the current state, e.g. a stale ring timeout."""


class UnknownEntry(QueueError):
    """An entry id that is not in the list given."""


def require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")


class EntryKind(StrEnum):
    CALLER = "caller"
    CALLBACK = "callback"


class EntryState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"


@dataclass(frozen=True)
class Returned:
    """Why a call came back from a failed handoff, and whose call it was."""

    reason: str
    whisper: str
    at: datetime
    preferred_telephonist: str | None = None


@dataclass(frozen=True)
class Entry:
    """One caller or callback request in one queue.

    ``entered_at`` is the original entry time and decides the place; a callback and an
    overflow to another queue keep it. The maximum-wait clock starts at the latest of
    ``entered_at``, ``queued_at`` (joining this queue) and the return from a handoff.
    ``channel_id`` is the caller's live channel; a callback has none.
    """

    id: str
    queue: str
    entered_at: datetime
    kind: EntryKind = EntryKind.CALLER
    channel_id: str | None = None
    call_id: str | None = None
    language: Language = "sv"
    caller_number: str | None = None
    office: str | None = None
    state: EntryState = EntryState.WAITING
    offered_to: str | None = None
    returned: Returned | None = None
    queued_at: datetime | None = None
    attempts: int = 0
    not_before: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.entered_at, "entered_at")
        for moment in (
            self.queued_at,
            self.not_before,
            self.returned and self.returned.at,
        ):
            if moment:
                require_aware(moment, "entry time")
        if (self.state is EntryState.OFFERED) != (self.offered_to is not None):
            raise ValueError(f"entry {self.id}: offered_to must be set exactly when offered")
        if self.kind is EntryKind.CALLER and self.channel_id is None:
            raise ValueError(f"entry {self.id}: a waiting caller needs its channel_id")

    @property
    def is_returned(self) -> bool:
        return self.returned is not None

    @property
    def preferred_telephonist(self) -> str | None:
        return self.returned.preferred_telephonist if self.returned else None

    @property
    def overflow_clock_start(self) -> datetime:
        starts = [self.entered_at, self.queued_at, self.returned and self.returned.at]
        return max(start for start in starts if start)


QueueKey = tuple[int, timedelta, datetime, str]


def queue_key(entry: Entry) -> QueueKey:
    """Sort key for the order within one queue: returned first (by return), then entry time."""
    if entry.returned:
        return (0, entry.returned.at - EPOCH, entry.entered_at, entry.id)
    return (1, timedelta(0), entry.entered_at, entry.id)


def queue_order(waiting: Iterable[Entry], queue: str) -> list[Entry]:
    return sorted((e for e in waiting if e.queue == queue), key=queue_key)


def mark_offered(entry: Entry, telephonist_id: str) -> Entry:
    if entry.state is not EntryState.WAITING:
        raise InvalidTransition(f"entry {entry.id} is already offered to {entry.offered_to}")
    return replace(entry, state=EntryState.OFFERED, offered_to=telephonist_id)


def back_to_waiting(entry: Entry) -> Entry:
    """The same place as before: nothing that decides the order changes."""
    return replace(entry, state=EntryState.WAITING, offered_to=None)


def mark_returned(
    entry: Entry,
    *,
    reason: str,
    whisper: str,
    preferred_telephonist: str | None,
    now: datetime,
) -> Entry:
    require_aware(now, "now")
    returned = Returned(reason, whisper, now, preferred_telephonist)
    return replace(back_to_waiting(entry), returned=returned)


def move_to_queue(entry: Entry, queue: str, now: datetime) -> Entry:
    """Overflow to another queue: the caller keeps the place earned by waiting, but the new
    queue's maximum-wait clock starts now, or every overflow would cascade at once."""
    require_aware(now, "now")
    return replace(back_to_waiting(entry), queue=queue, queued_at=now)


# --- Callbacks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackPolicy:
    max_attempts: int = 3
    retry_delay: timedelta = timedelta(minutes=5)


def request_callback(entry: Entry, *, number: str, now: datetime) -> Entry:
    """The caller hangs up and keeps their place: ``entered_at`` is unchanged.

    ``number`` must already have passed the site's number policy.
    """
    require_aware(now, "now")
    if entry.state is not EntryState.WAITING:
        raise InvalidTransition(f"entry {entry.id} is being offered; cancel the ring first")
    return replace(entry, kind=EntryKind.CALLBACK, channel_id=None, caller_number=number)


def callback_attempt_failed(entry: Entry, *, now: datetime, policy: CallbackPolicy) -> Entry | None:
    """The citizen did not answer. Returns the entry to retry later, in the same place, or
    ``None`` when the attempts are used up."""
    require_aware(now, "now")
    if entry.kind is not EntryKind.CALLBACK:
        raise InvalidTransition(f"entry {entry.id} is not a callback")
    attempts = entry.attempts + 1
    if attempts >= policy.max_attempts:
        return None
    return replace(back_to_waiting(entry), attempts=attempts, not_before=now + policy.retry_delay)


# --- Restart ---------------------------------------------------------------------------


def reconcile(
    persisted: Iterable[Entry], live_channel_ids: Collection[str]
) -> tuple[list[Entry], list[Entry]]:
    """After a restart: (entries to keep, in queue order; callers who hung up meanwhile).

    Callbacks are kept: their caller is not on the line. Kept entries are waiting again,
    because a ring in progress did not survive; the service hangs up orphaned ring legs.
    """
    kept: list[Entry] = []
    gone: list[Entry] = []
    for entry in persisted:
        if entry.kind is EntryKind.CALLBACK or entry.channel_id in live_channel_ids:
            kept.append(back_to_waiting(entry))
        else:
            gone.append(entry)
    kept.sort(key=queue_key)
    return kept, gone
