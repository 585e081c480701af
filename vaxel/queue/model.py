"""The queue's pure decisions: who waits where, who rings whom, and who gets in. No I/O.

Time is always passed in as an aware datetime; nothing here reads the clock.

Distribution (``offers``), in one pass:

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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

MISSED_CALL = "missed call"
PRIORITY_STEP = timedelta(seconds=60)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

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
        return (0, entry.returned.at - _EPOCH, entry.entered_at, entry.id)
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


# --- Telephonists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    queue: str
    priority: int = 0


@dataclass(frozen=True)
class LoggedOut:
    pass


@dataclass(frozen=True)
class Available:
    pass


@dataclass(frozen=True)
class Ringing:
    entry_id: str
    deadline: datetime


@dataclass(frozen=True)
class OnCall:
    entry_id: str


@dataclass(frozen=True)
class Wrapup:
    until: datetime


@dataclass(frozen=True)
class Paused:
    reason: str


Status = LoggedOut | Available | Ringing | OnCall | Wrapup | Paused


@dataclass(frozen=True)
class Telephonist:
    id: str
    endpoint: str
    queues: tuple[Membership, ...] = ()
    status: Status = LoggedOut()
    idle_since: datetime | None = None
    missed: int = 0

    def priority(self, queue: str) -> int | None:
        return next((m.priority for m in self.queues if m.queue == queue), None)

    def serves(self, queue: str) -> bool:
        return self.priority(queue) is not None

    @property
    def logged_in(self) -> bool:
        return not isinstance(self.status, LoggedOut)

    @property
    def active(self) -> bool:
        """Logged in and not paused: counts towards the wait estimate."""
        return self.logged_in and not isinstance(self.status, Paused)

    def is_free(self, now: datetime) -> bool:
        # A wrap-up whose timer was lost (e.g. in a restart) must not strand the telephonist.
        status = self.status
        return isinstance(status, Available) or (isinstance(status, Wrapup) and status.until <= now)

    def idle_reference(self) -> datetime:
        if isinstance(self.status, Wrapup):
            return self.status.until
        return self.idle_since or _EPOCH


def pauses_after_miss(telephonists: Iterable[Telephonist], telephonist_id: str, queue: str) -> bool:
    """Auto-pause a telephonist who missed a ring only while someone else active can take
    the queue's calls. Pausing the last one would leave every caller waiting for a manual
    unpause: under load, late answers once paused all 20 telephonists one after another."""
    return any(t.id != telephonist_id and t.active and t.serves(queue) for t in telephonists)


def idle_order(telephonists: Iterable[Telephonist], now: datetime) -> list[Telephonist]:
    """Free telephonists, idle longest first."""
    free = (t for t in telephonists if t.is_free(now))
    return sorted(free, key=lambda t: (t.idle_reference(), t.id))


@dataclass(frozen=True)
class Login:
    pass


@dataclass(frozen=True)
class Logout:
    pass


@dataclass(frozen=True)
class Pause:
    reason: str


@dataclass(frozen=True)
class Unpause:
    pass


@dataclass(frozen=True)
class Ring:
    entry_id: str
    deadline: datetime


@dataclass(frozen=True)
class Answer:
    pass


@dataclass(frozen=True)
class EndCall:
    wrapup_s: int


@dataclass(frozen=True)
class EndWrapup:
    pass


@dataclass(frozen=True)
class MissRing:
    """The ring ended unanswered; ``pause`` is ``pauses_after_miss``'s verdict."""

    pause: bool = True


@dataclass(frozen=True)
class WithdrawMiss:
    """The phone did answer, but only after its ring had been given up: not a miss."""


@dataclass(frozen=True)
class CancelRing:
    """The caller hung up, or the call was taken elsewhere, while this telephonist rang."""


TelephonistChange = (
    Login
    | Logout
    | Pause
    | Unpause
    | Ring
    | Answer
    | EndCall
    | EndWrapup
    | MissRing
    | WithdrawMiss
    | CancelRing
)


def transition(t: Telephonist, event: TelephonistChange, now: datetime) -> Telephonist:
    """The telephonist after ``event``; raises ``InvalidTransition`` when it does not apply.

    Idle time counts from login, unpause or the end of wrap-up, so a pause resets it.
    """
    require_aware(now, "now")
    status = t.status
    expired_wrapup = isinstance(status, Wrapup) and status.until <= now
    match event, status:
        case Login(), LoggedOut():
            return replace(t, status=Available(), idle_since=now)
        case Logout(), (Available() | Wrapup() | Paused()):
            return replace(t, status=LoggedOut(), idle_since=None)
        case Pause(reason), (Available() | Wrapup() | Paused()):
            return replace(t, status=Paused(reason), idle_since=None)
        case Unpause(), Paused():
            return replace(t, status=Available(), idle_since=now)
        case Ring(entry_id, deadline), Available():
            return replace(t, status=Ringing(entry_id, deadline))
        case Ring(entry_id, deadline), Wrapup(until) if expired_wrapup:
            return replace(t, status=Ringing(entry_id, deadline), idle_since=until)
        case Answer(), Ringing(entry_id):
            return replace(t, status=OnCall(entry_id), idle_since=None)
        case EndCall(wrapup_s), OnCall():
            if wrapup_s <= 0:
                return replace(t, status=Available(), idle_since=now)
            return replace(t, status=Wrapup(now + timedelta(seconds=wrapup_s)))
        case EndWrapup(), Wrapup(until):
            return replace(t, status=Available(), idle_since=min(now, until))
        case MissRing(pause=True), Ringing():
            return replace(t, status=Paused(MISSED_CALL), idle_since=None, missed=t.missed + 1)
        case MissRing(pause=False), Ringing():
            # Kept available, but behind everyone who is idle.
            return replace(t, status=Available(), idle_since=now, missed=t.missed + 1)
        case WithdrawMiss(), Paused(reason) if reason == MISSED_CALL:
            return replace(t, status=Available(), idle_since=now, missed=max(0, t.missed - 1))
        case CancelRing(), Ringing():
            return replace(t, status=Available())
    name = type(event).__name__
    raise InvalidTransition(f"telephonist {t.id}: {name} does not apply while {status}")


# --- Distribution ------------------------------------------------------------------------


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
