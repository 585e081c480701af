"""The telephonist state machine: statuses, the changes that move between them, and the
auto-pause rule after a missed ring. No I/O.

``transition(telephonist, change, now)`` returns the telephonist after the change or raises
``InvalidTransition``; time is passed in as an aware datetime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from vaxel.queue.model import EPOCH, InvalidTransition, require_aware

MISSED_CALL = "missed call"


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
        return self.idle_since or EPOCH


def pauses_after_miss(telephonists: Iterable[Telephonist], telephonist_id: str, queue: str) -> bool:
    """Auto-pause a telephonist who missed a ring only while someone else active can take
    the queue's calls. Pausing the last one would leave every caller waiting for a manual
    unpause: under load, late answers once paused all 20 telephonists one after another."""
    return any(t.id != telephonist_id and t.active and t.serves(queue) for t in telephonists)


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


def may_act_for_telephonist(
    *,
    roles: frozenset[str],
    username: str,
    person_id: str | None,
    telephonist_id: str,
    telephonist_person: str | None,
    supervised: bool = False,
) -> bool:
    """Who may change a telephonist's state (log in, pause, wrap-up code) and steer the
    calls they are on (start, complete, cancel a handoff): the telephonist themself (their
    account's username is the site file's ``id``, or its person is the site file's
    ``person``) and admins. A supervisor may also make the ``supervised`` changes (log out,
    unpause): nothing that puts someone to work or takes calls. Nobody else acts for a
    colleague's headset."""
    if "admin" in roles or (supervised and "supervisor" in roles):
        return True
    if username == telephonist_id:
        return True
    return telephonist_person is not None and telephonist_person == person_id
