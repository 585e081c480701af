"""The labelled events the queue emits for statistics. Names are the wire names.

Each event is emitted once, where the business fact happens, so the stats side never has
to guess from channel events. ``fields(event)`` gives the flat string form for an AMI
UserEvent or a store row (``UserEvent: <name>`` plus one header per field).
``stint_label(event)`` gives the ``(kind, attrs)`` that ``vaxel.stats.model.LabelledEvent``
folds into caller-view stints; events that are not stints give ``None``.

========================  =====================================================
QueueEntered              a caller or callback joined a queue
QueueRefused              a caller was not admitted (closed, full, nobody)
QueueLeft                 an entry left a queue, with a ``LeaveReason``
Offered                   a telephonist started ringing for an entry
RingMissed                that ring timed out; the telephonist was auto-paused
Answered                  the telephonist answered; ``wait_s`` since entered_at
CallbackRequested         the caller asked to be called back and hung up
CallbackAttempted         the citizen was dialled (attempt counts from 1)
CallbackCompleted         the citizen answered and was bridged
CallbackGivenUp           the attempts ran out
WrapUpKeyed               a telephonist dialled a wrap-up code for their latest call
TelephonistLoggedIn       login
TelephonistLoggedOut      logout
TelephonistPaused         a pause, with its reason ("missed call" for auto-pause)
TelephonistUnpaused       the end of a pause
========================  =====================================================

``QueueLeft.reason`` is a ``LeaveReason``: ``answered``, ``abandoned``, ``overflow`` (to
another queue, or told nobody can answer), ``closed`` (the queue closed), ``message`` (left
a voice message), ``callback_requested`` and ``hung_up_during_outage``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar


class LeaveReason(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    OVERFLOW = "overflow"
    CLOSED = "closed"
    CALLBACK_REQUESTED = "callback_requested"
    HUNG_UP_DURING_OUTAGE = "hung_up_during_outage"
    MESSAGE = "message"  # overflowed to a voice message


@dataclass(frozen=True)
class QueueEvent:
    name: ClassVar[str] = "QueueEvent"

    at: datetime
    queue: str
    contact_id: str


@dataclass(frozen=True)
class QueueEntered(QueueEvent):
    name: ClassVar[str] = "QueueEntered"

    entry_id: str
    kind: str
    returned: bool = False


@dataclass(frozen=True)
class QueueRefused(QueueEvent):
    name: ClassVar[str] = "QueueRefused"

    reason: str


@dataclass(frozen=True)
class QueueLeft(QueueEvent):
    name: ClassVar[str] = "QueueLeft"

    entry_id: str
    reason: LeaveReason


@dataclass(frozen=True)
class Offered(QueueEvent):
    name: ClassVar[str] = "Offered"

    entry_id: str
    telephonist_id: str
    preferred: bool = False


@dataclass(frozen=True)
class RingMissed(QueueEvent):
    name: ClassVar[str] = "RingMissed"

    entry_id: str
    telephonist_id: str


@dataclass(frozen=True)
class Answered(QueueEvent):
    name: ClassVar[str] = "Answered"

    entry_id: str
    telephonist_id: str
    wait_s: int


@dataclass(frozen=True)
class CallbackRequested(QueueEvent):
    name: ClassVar[str] = "CallbackRequested"

    entry_id: str


@dataclass(frozen=True)
class CallbackAttempted(QueueEvent):
    name: ClassVar[str] = "CallbackAttempted"

    entry_id: str
    telephonist_id: str
    attempt: int


@dataclass(frozen=True)
class CallbackCompleted(QueueEvent):
    name: ClassVar[str] = "CallbackCompleted"

    entry_id: str
    telephonist_id: str


@dataclass(frozen=True)
class CallbackGivenUp(QueueEvent):
    name: ClassVar[str] = "CallbackGivenUp"

    entry_id: str
    attempts: int


@dataclass(frozen=True)
class WrapUpKeyed(QueueEvent):
    """``code`` is the wrap-up code's name (``stats.model.WRAP_UP_KEYS`` maps the digits)."""

    name: ClassVar[str] = "WrapUpKeyed"

    entry_id: str
    code: str
    by: str


@dataclass(frozen=True)
class TelephonistEvent:
    """Not about one contact, so ``contact_id`` is absent and ``queue`` is empty."""

    name: ClassVar[str] = "TelephonistEvent"

    at: datetime
    telephonist_id: str


@dataclass(frozen=True)
class TelephonistLoggedIn(TelephonistEvent):
    name: ClassVar[str] = "TelephonistLoggedIn"


@dataclass(frozen=True)
class TelephonistLoggedOut(TelephonistEvent):
    name: ClassVar[str] = "TelephonistLoggedOut"


@dataclass(frozen=True)
class TelephonistPaused(TelephonistEvent):
    name: ClassVar[str] = "TelephonistPaused"

    reason: str


@dataclass(frozen=True)
class TelephonistUnpaused(TelephonistEvent):
    name: ClassVar[str] = "TelephonistUnpaused"


Event = QueueEvent | TelephonistEvent

EVENT_NAMES: tuple[str, ...] = (
    "QueueEntered",
    "QueueRefused",
    "QueueLeft",
    "Offered",
    "RingMissed",
    "Answered",
    "CallbackRequested",
    "CallbackAttempted",
    "CallbackCompleted",
    "CallbackGivenUp",
    "WrapUpKeyed",
    "TelephonistLoggedIn",
    "TelephonistLoggedOut",
    "TelephonistPaused",
    "TelephonistUnpaused",
)

_OUTCOME = {
    LeaveReason.ANSWERED: "answered",
    LeaveReason.ABANDONED: "abandoned",
    LeaveReason.HUNG_UP_DURING_OUTAGE: "abandoned",
    LeaveReason.OVERFLOW: "left",
    LeaveReason.CLOSED: "left",
    LeaveReason.CALLBACK_REQUESTED: "left",
    LeaveReason.MESSAGE: "left",
}


def fields(event: Event) -> dict[str, str]:
    """Flat strings: times in ISO 8601, booleans as ``true``/``false``."""
    result = {"UserEvent": event.name}
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if isinstance(value, datetime):
            text = value.isoformat()
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        result[field.name] = text
    return result


def stint_label(event: Event) -> tuple[str, dict[str, str]] | None:
    """The stats stint this event opens or closes, as ``(kind, attrs)``."""
    match event:
        case QueueEntered(queue=queue):
            return "queue_wait.start", {"queue": queue}
        case QueueLeft(queue=queue, reason=reason):
            return "queue_wait.end", {"queue": queue, "outcome": _OUTCOME[reason]}
        case Answered(queue=queue, telephonist_id=telephonist):
            return "telephonist.start", {"queue": queue, "telephonist": telephonist}
        case CallbackRequested(queue=queue):
            return "callback.start", {"queue": queue}
        case CallbackCompleted(telephonist_id=telephonist):
            return "callback.end", {"outcome": "completed", "telephonist": telephonist}
        case CallbackGivenUp():
            return "callback.end", {"outcome": "failed"}
    return None
