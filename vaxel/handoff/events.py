"""Labelled events the handoff emits for statistics.

Labelled at the source so the report builder never has to guess what a transfer did.
Fields are plain values so any sink (CEL user event, JSON log, table) can take them
unchanged. No caller numbers: analysts need aggregates, not personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class HandoffAttempt:
    """One attempt to hand a caller to a target, emitted once its fate is known.

    ``outcome`` is one of the handoff model's ``Outcome`` values. ``target_*`` name the
    target the telephonist asked for; ``reached_name`` is where forwards led, if there.
    ``returned_to`` is "telephonist" or "queue" when ``returned``, else None; it can be
    None with ``returned`` set when the caller hung up while being returned.
    """

    handoff_id: str
    at: datetime
    telephonist: str
    mode: str
    initiated_by: str
    target_name: str
    target_person: str | None
    target_unit: str | None
    target_department: str | None
    reached_name: str | None
    ring_time_s: float | None
    outcome: str
    override: bool
    returned: bool
    returned_to: str | None
    # The caller's contact (the entry service's call id), filled in by the service: the
    # pure model does not know it, and statistics need it to merge the attempt.
    contact_id: str = ""


@dataclass(frozen=True)
class HandoffConcluded:
    """What the telephonist did with a call that came back: referred the caller to the
    target's phone hours (``outcome`` "referred") or took a message ("message").

    The caller's outcome in the statistics rests on this fact; a wrap-up code typed
    afterwards only confirms it. ``reason`` is why the attempt failed (an ``Outcome``).
    Emitted at most once per conclusion: a referral the caller turns into a message is
    followed by a "message" one, and the later one stands.
    """

    handoff_id: str
    at: datetime
    telephonist: str
    outcome: str
    reason: str
    target_name: str
    target_person: str | None
    target_unit: str | None
    target_department: str | None
    next_phone_hours: datetime | None = None
    contact_id: str = ""  # filled in by the service, as for ``HandoffAttempt``


@dataclass(frozen=True)
class MessageCreated:
    reference: str
    at: datetime
    target_person: str | None
    target_unit: str
    channel: str
    urgency: str
    deadline: datetime
    handoff_id: str | None = None


@dataclass(frozen=True)
class MessageDelivered:
    reference: str
    at: datetime
    channel: str
    attempts: int


@dataclass(frozen=True)
class MessageHandled:
    reference: str
    at: datetime
    within_deadline: bool


@dataclass(frozen=True)
class MessageEscalated:
    """``reason`` is "deadline" (not handled in time) or "delivery_failed"."""

    reference: str
    at: datetime
    reason: str


StatsEvent = (
    HandoffAttempt
    | HandoffConcluded
    | MessageCreated
    | MessageDelivered
    | MessageHandled
    | MessageEscalated
)
