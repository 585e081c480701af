"""The caller's wait: place in the queue, the spoken estimate, admission and overflow. No I/O.

The estimate is ``(ceil(position / active) - 1/2) * mean_handle``: the active telephonists
serve the queue in rounds of one call each, and the caller is served in round
``ceil(position / active)``; the first round is on average half over. Recent handle times
(talk plus wrap-up) measure a round. Recent *answer waits* are not used: they describe how
long earlier callers waited, not how far this caller is from the head.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from vaxel.queue.model import Entry, EntryKind, EntryState, UnknownEntry, queue_order, require_aware
from vaxel.queue.telephonists import Telephonist

MIN_SAMPLES = 3
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def position(entry: Entry | str, waiting: Sequence[Entry]) -> int:
    """1-based place within the entry's own queue, counting everyone ahead, including
    callbacks and callers already ringing a telephonist."""
    entry_id = entry if isinstance(entry, str) else entry.id
    found = next((e for e in waiting if e.id == entry_id), None)
    if found is None:
        raise UnknownEntry(entry_id)
    ids = [e.id for e in queue_order(waiting, found.queue)]
    return ids.index(entry_id) + 1


def logged_in_count(telephonists: Iterable[Telephonist], queue: str) -> int:
    """Members of ``queue`` who are logged in, paused or not: the input to ``admit``."""
    return sum(t.logged_in and t.serves(queue) for t in telephonists)


def active_count(telephonists: Iterable[Telephonist], queue: str) -> int:
    """Members of ``queue`` logged in and not paused: the input to ``estimate_wait``."""
    return sum(t.active and t.serves(queue) for t in telephonists)


def estimate_wait(
    position: int,
    recent_handle_s: Sequence[float],
    active_telephonists: int,
    *,
    min_samples: int = MIN_SAMPLES,
) -> int | None:
    """Seconds, rounded as ``speech_minutes`` rounds, or ``None`` with no basis: too few
    recent calls, or nobody logged in and unpaused. ``None`` means "say nothing"."""
    if position < 1:
        raise ValueError(f"position must be 1 or more, got {position}")
    samples = [s for s in recent_handle_s if s > 0]
    if active_telephonists <= 0 or not samples or len(samples) < min_samples:
        return None
    mean_handle = sum(samples) / len(samples)
    rounds = math.ceil(position / active_telephonists)
    return speech_minutes((rounds - 0.5) * mean_handle) * 60


def speech_minutes(seconds: float) -> int:
    """Whole minutes as a person would say them: never "0 minutes" to someone still
    waiting; to the minute below 10, to 5 below 30, then to 10. Halves round up."""
    minutes = max(seconds, 0) / 60
    if minutes < 1.5:
        return 1
    step = 1 if minutes < 10 else 5 if minutes < 30 else 10
    return max(1, math.floor(minutes / step + 0.5)) * step


class QueueLimits(Protocol):
    """What ``admit`` needs of a queue; ``vaxel.config.Queue`` fits."""

    @property
    def max_length(self) -> int: ...


class RefuseReason(StrEnum):
    CLOSED = "closed"
    NOBODY_LOGGED_IN = "nobody_logged_in"
    FULL = "full"


@dataclass(frozen=True)
class Admit:
    pass


@dataclass(frozen=True)
class Refuse:
    reason: RefuseReason


def admit(
    queue: QueueLimits,
    waiting_count: int,
    logged_in_count: int,
    is_open: bool,
    *,
    admit_when_nobody_logged_in: bool = False,
) -> Admit | Refuse:
    """Whether a new caller may join. ``waiting_count`` counts callbacks too: each one is
    ahead of the newcomer. Paused telephonists count as logged in; the maximum wait covers a
    pause that lasts."""
    if not is_open:
        return Refuse(RefuseReason.CLOSED)
    if logged_in_count <= 0 and not admit_when_nobody_logged_in:
        return Refuse(RefuseReason.NOBODY_LOGGED_IN)
    if waiting_count >= queue.max_length:
        return Refuse(RefuseReason.FULL)
    return Admit()


def overflow_due(entry: Entry, now: datetime, max_wait: timedelta | int) -> bool:
    """A caller waiting ``max_wait`` (seconds or a timedelta) in this queue goes to overflow.

    A callback never overflows (its caller is not on the line), a ringing entry waits for the
    ring to end, and a returned call's clock starts at its return.
    """
    require_aware(now, "now")
    if entry.kind is EntryKind.CALLBACK or entry.state is EntryState.OFFERED:
        return False
    limit = max_wait if isinstance(max_wait, timedelta) else timedelta(seconds=max_wait)
    return now - entry.overflow_clock_start >= limit


@dataclass(frozen=True)
class OverflowToQueue:
    name: str


@dataclass(frozen=True)
class OverflowToMessage:
    pass


@dataclass(frozen=True)
class OverflowToClosed:
    pass


Overflow = OverflowToQueue | OverflowToMessage | OverflowToClosed


def parse_overflow(text: str) -> Overflow:
    """``queue:<name>``, ``message`` or ``closed``; raises ``ValueError`` naming the forms."""
    value = text.strip()
    if value == "message":
        return OverflowToMessage()
    if value == "closed":
        return OverflowToClosed()
    kind, sep, name = value.partition(":")
    if kind == "queue" and sep and _NAME.fullmatch(name):
        return OverflowToQueue(name)
    raise ValueError(f"'{text}' is not an overflow; use queue:<name>, message or closed")
