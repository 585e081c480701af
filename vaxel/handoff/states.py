"""The handoff's typed states, and what every non-final state carries.

One frozen dataclass per state; ``model.transition`` moves between them. See ``model.py``
for the guarantee they exist for: the caller is never left stranded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Forwards can point at each other; three hops covers absent -> colleague -> mobile.
MAX_FORWARD_HOPS = 3
TARGET_WHISPER = "Samtal från växeln"


class Mode(StrEnum):
    FOLLOW = "follow"
    ATTENDED = "attended"


class Initiator(StrEnum):
    REFER = "refer"
    DTMF = "dtmf"
    API = "api"


class Party(StrEnum):
    TARGET = "target"
    TELEPHONIST = "telephonist"


class ReturnedTo(StrEnum):
    TELEPHONIST = "telephonist"
    QUEUE = "queue"


class Outcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REJECTED = "rejected"
    ABSENT = "absent"
    CLOSED = "closed"
    OUTSIDE_PHONE_HOURS = "outside_phone_hours"
    OVERRIDDEN = "overridden"  # a closed extension, rung by emergency override, answered
    CANCELLED = "cancelled"
    FORWARD_LOOP = "forward_loop"
    REFERRED = "referred"
    MESSAGE = "message"
    ABANDONED = "abandoned"


REACHED = frozenset({Outcome.ANSWERED, Outcome.OVERRIDDEN})


@dataclass(frozen=True)
class Target:
    name: str
    person_id: str | None = None
    extension: str | None = None
    unit: str | None = None
    department: str | None = None
    number: str | None = None  # E.164, for a forward to a mobile


@dataclass(frozen=True)
class Colleague:
    """A free colleague in the target's unit, offered when a call comes back."""

    name: str
    person_id: str | None = None
    extension: str | None = None


@dataclass(frozen=True)
class Advice:
    """What the directory said about a target besides whether it can be rung: what the
    telephonist can offer instead if the call comes back. ``no_phone_hours``: the
    directory knows the target and no phone hours are coming (none set, or none ahead)."""

    colleagues: tuple[Colleague, ...] = ()
    next_phone_hours: datetime | None = None
    no_phone_hours: bool = False


@dataclass(frozen=True)
class Context:
    """What stays fixed for one attempt; carried by every non-final state."""

    handoff_id: str
    mode: Mode
    telephonist: str
    requested: Target
    initiated_by: Initiator
    override: bool
    ring_timeout: timedelta
    telephonist_ring_timeout: timedelta
    music: str


@dataclass(frozen=True)
class Failure:
    """Why an attempt came back, and what the telephonist needs to hear about it."""

    outcome: Outcome
    target: Target
    ring_time_s: float | None = None
    absent_until: datetime | None = None
    next_phone_hours: datetime | None = None  # for every outcome, when the directory knows
    colleague: str | None = None  # a free colleague in the same unit, from the directory
    overridden: bool = False
    colleagues: tuple[Colleague, ...] = ()  # the free colleagues, in the directory's order
    no_phone_hours: bool = False  # known: the target has no phone hours ahead


# --- States ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Idle:
    """No handoff yet: the caller is with the telephonist."""


@dataclass(frozen=True)
class Resolving:
    ctx: Context
    target: Target
    hops: int = 0


@dataclass(frozen=True)
class Ringing:
    ctx: Context
    target: Target
    devices: tuple[str, ...]  # still ringing
    since: datetime
    deadline: datetime
    hops: int = 0
    overridden: bool = False
    colleague: str | None = None
    on_busy: Target | None = None
    on_no_answer: Target | None = None
    refusals: tuple[Outcome, ...] = ()
    advice: Advice = Advice()


@dataclass(frozen=True)
class Whispering:
    ctx: Context
    target: Target
    ring_time_s: float
    overridden: bool = False


@dataclass(frozen=True)
class Consulting:
    """Attended: the telephonist talks to the target while the caller holds."""

    ctx: Context
    target: Target
    ring_time_s: float
    overridden: bool = False


@dataclass(frozen=True)
class RingingTelephonist:
    ctx: Context
    failure: Failure
    deadline: datetime


@dataclass(frozen=True)
class Requeued:
    """Head of the queue, marked returned; the next telephonist hears the whisper."""

    ctx: Context
    failure: Failure


@dataclass(frozen=True)
class Returned:
    """The caller is back with a telephonist, who may refer, take a message or retry."""

    ctx: Context
    failure: Failure
    returned_to: ReturnedTo
    # ``*4`` pressed: the target's phone hours are being looked up (``LookUpPhoneHours``).
    looking_up: bool = False


@dataclass(frozen=True)
class ReferredToPhoneHours:
    ctx: Context
    failure: Failure
    next_start: datetime


@dataclass(frozen=True)
class TakingMessage:
    ctx: Context
    failure: Failure


@dataclass(frozen=True)
class Done:
    outcome: Outcome


State = (
    Idle
    | Resolving
    | Ringing
    | Whispering
    | Consulting
    | RingingTelephonist
    | Requeued
    | Returned
    | ReferredToPhoneHours
    | TakingMessage
    | Done
)

# The caller hears hold music in these, waiting for something the machine asked for.
ON_HOLD_STATES: tuple[type, ...] = (
    Resolving,
    Ringing,
    Whispering,
    Consulting,
    RingingTelephonist,
)
