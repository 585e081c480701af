"""Distribution: which free telephonist rings for which waiting entry, and what follows a
ring timeout. No I/O; time is passed in as an aware datetime.

``offers``, in one pass:

1. **A returned call goes to its own telephonist first.** Returned entries, oldest return
   first, are paired with their ``Returned.preferred_telephonist`` when that telephonist is
   free, whether or not they are a member of the entry's queue. Such an offer has
   ``preferred=True``. This is the only way an entry can be served ahead of one in front of it.
2. **The telephonist idle longest chooses next.** Every other free telephonist, in order of
   ``idle_since`` (an expired wrap-up counts from its end), takes the best remaining entry
   among the queues they are a member of. "Best" is, for that telephonist:

   - any returned entry, oldest return first, ahead of everything else (the head of every
     queue it can reach);
   - then the largest *effective wait*::

         effective_wait = (now - entered_at) + (member_priority + queue_priority) * step

     where ``member_priority`` is the telephonist's priority in the entry's queue,
     ``queue_priority`` the optional site-wide priority of that queue, and ``step`` is
     ``PRIORITY_STEP`` (60 s) by default. One priority level is worth one minute of waiting.
     The bonus is bounded, so a low-priority queue's caller is never starved: after
     ``levels * step`` more waiting they win;
   - ties by earlier ``entered_at``, then by entry id.

   Within one queue every telephonist sees the same bonus, so the order there is exactly
   returned entries (by return time) followed by ``entered_at`` order.

Only free telephonists (available, or in a wrap-up that has already ended) are offered
anything; ringing, on call, in wrap-up, paused and logged-out telephonists are skipped. So an
offer never exceeds the free telephonists, and a callback, which rings the telephonist before
the citizen is dialled, is only ever offered to a free one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vaxel.queue.model import (
    Entry,
    EntryState,
    InvalidTransition,
    QueueKey,
    UnknownEntry,
    back_to_waiting,
    mark_offered,
    queue_key,
    require_aware,
)
from vaxel.queue.telephonists import (
    MissRing,
    Ring,
    Ringing,
    Telephonist,
    pauses_after_miss,
    transition,
)

PRIORITY_STEP = timedelta(seconds=60)


@dataclass(frozen=True)
class Offer:
    """Ring ``telephonist_id`` for ``entry``. ``preferred`` marks a returned call going back to
    its own telephonist."""

    entry: Entry
    telephonist_id: str
    preferred: bool = False

    @property
    def whisper(self) -> str | None:
        return self.entry.returned.whisper if self.entry.returned else None


def idle_order(telephonists: Iterable[Telephonist], now: datetime) -> list[Telephonist]:
    """Free telephonists, idle longest first."""
    free = (t for t in telephonists if t.is_free(now))
    return sorted(free, key=lambda t: (t.idle_reference(), t.id))


def effective_wait(
    entry: Entry,
    telephonist: Telephonist,
    now: datetime,
    queue_priorities: Mapping[str, int] | None = None,
    step: timedelta = PRIORITY_STEP,
) -> timedelta:
    levels = (telephonist.priority(entry.queue) or 0) + (queue_priorities or {}).get(entry.queue, 0)
    return (now - entry.entered_at) + levels * step


def rank(
    entry: Entry,
    telephonist: Telephonist,
    now: datetime,
    queue_priorities: Mapping[str, int] | None = None,
    step: timedelta = PRIORITY_STEP,
) -> QueueKey:
    """Sort key for what ``telephonist`` takes next; smallest first."""
    if entry.returned:
        return queue_key(entry)
    wait = effective_wait(entry, telephonist, now, queue_priorities, step)
    return (1, -wait, entry.entered_at, entry.id)


def eligible(entry: Entry, now: datetime, open_queues: Collection[str] | None = None) -> bool:
    """Waiting, not offered, in an open queue, and for a callback past its retry delay."""
    return (
        entry.state is EntryState.WAITING
        and (open_queues is None or entry.queue in open_queues)
        and (entry.not_before is None or entry.not_before <= now)
    )


def offers(
    waiting: Sequence[Entry],
    telephonists: Sequence[Telephonist],
    now: datetime,
    *,
    queue_priorities: Mapping[str, int] | None = None,
    open_queues: Collection[str] | None = None,
    step: timedelta = PRIORITY_STEP,
) -> list[Offer]:
    """Every offer to make now, filling each free telephonist at most once (see module doc).

    ``open_queues``: when given, entries in other queues wait (a callback left while closed
    is served once its queue opens).
    """
    require_aware(now, "now")
    _require_unique("entry", [e.id for e in waiting])
    _require_unique("telephonist", [t.id for t in telephonists])
    free = idle_order(telephonists, now)
    free_ids = {t.id for t in free}
    candidates = [e for e in waiting if eligible(e, now, open_queues)]
    taken: set[str] = set()
    busy: set[str] = set()
    result: list[Offer] = []

    for entry in sorted((e for e in candidates if e.returned), key=queue_key):
        own = entry.preferred_telephonist
        if own is not None and own in free_ids and own not in busy:
            result.append(Offer(entry, own, preferred=True))
            taken.add(entry.id)
            busy.add(own)

    for telephonist in free:
        if telephonist.id in busy:
            continue
        options = [e for e in candidates if e.id not in taken and telephonist.serves(e.queue)]
        if not options:
            continue
        best = min(options, key=lambda e: rank(e, telephonist, now, queue_priorities, step))
        result.append(Offer(best, telephonist.id))
        taken.add(best.id)
        busy.add(telephonist.id)
    return result


def next_offer(
    waiting: Sequence[Entry],
    telephonists: Sequence[Telephonist],
    now: datetime,
    *,
    queue_priorities: Mapping[str, int] | None = None,
    open_queues: Collection[str] | None = None,
    step: timedelta = PRIORITY_STEP,
) -> Offer | None:
    found = offers(
        waiting,
        telephonists,
        now,
        queue_priorities=queue_priorities,
        open_queues=open_queues,
        step=step,
    )
    return found[0] if found else None


def apply_offer(
    waiting: Sequence[Entry],
    telephonists: Sequence[Telephonist],
    offer: Offer,
    *,
    now: datetime,
    deadline: datetime,
) -> tuple[list[Entry], list[Telephonist]]:
    """The lists after ringing ``offer``: the entry marked offered, the telephonist ringing."""
    entry_id = offer.entry.id
    if not any(e.id == entry_id for e in waiting):
        raise UnknownEntry(entry_id)
    entries = [mark_offered(e, offer.telephonist_id) if e.id == entry_id else e for e in waiting]
    ring = Ring(entry_id, deadline)
    people = [transition(t, ring, now) if t.id == offer.telephonist_id else t for t in telephonists]
    return entries, people


@dataclass(frozen=True)
class RingTimeout:
    """After a missed ring: the entry is waiting again in its place, the telephonist is paused
    with ``MISSED_CALL`` (unless ``pauses_after_miss`` says no), and ``offers`` (not yet
    applied) tries the next telephonists."""

    waiting: tuple[Entry, ...]
    telephonists: tuple[Telephonist, ...]
    offers: tuple[Offer, ...]


def on_ring_timeout(
    waiting: Sequence[Entry],
    telephonists: Sequence[Telephonist],
    *,
    entry_id: str,
    telephonist_id: str,
    now: datetime,
    queue_priorities: Mapping[str, int] | None = None,
    open_queues: Collection[str] | None = None,
    step: timedelta = PRIORITY_STEP,
) -> RingTimeout:
    entry = next((e for e in waiting if e.id == entry_id), None)
    if entry is None:
        raise UnknownEntry(entry_id)
    status = next((t.status for t in telephonists if t.id == telephonist_id), None)
    rings = isinstance(status, Ringing) and status.entry_id == entry_id
    if entry.offered_to != telephonist_id or not rings:
        raise InvalidTransition(f"entry {entry_id} is not ringing {telephonist_id}")
    entries = tuple(back_to_waiting(e) if e.id == entry_id else e for e in waiting)
    miss = MissRing(pause=pauses_after_miss(telephonists, telephonist_id, entry.queue))
    people = tuple(transition(t, miss, now) if t.id == telephonist_id else t for t in telephonists)
    found = offers(
        entries,
        [t for t in people if t.id != telephonist_id],  # not straight back to who just missed
        now,
        queue_priorities=queue_priorities,
        open_queues=open_queues,
        step=step,
    )
    return RingTimeout(entries, people, tuple(found))


def _require_unique(what: str, ids: Sequence[str]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} ids must be unique")
