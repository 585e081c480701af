"""Messages taken when nobody was reached: reference, deadline, delivery and escalation.

Pure: time comes in as arguments, and working time comes in as a function (the
calendar's ``end_of_next_working_day``) so this module needs no holiday data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from vaxel.handoff.events import (
    MessageCreated,
    MessageDelivered,
    MessageEscalated,
    MessageHandled,
)

REFERENCE = re.compile(r"M-([0-9]{4})-([0-9]{6})")


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class MessageStatus(StrEnum):
    CREATED = "created"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"  # retries exhausted
    HANDLED = "handled"
    ESCALATED = "escalated"


@dataclass(frozen=True)
class Message:
    reference: str
    created_at: datetime
    caller_name: str
    caller_number: str | None
    subject: str
    urgency: Urgency
    target_unit: str
    target_person: str | None
    channel: Channel
    deadline: datetime
    status: MessageStatus = MessageStatus.CREATED
    delivery_attempts: int = 0
    last_attempt_at: datetime | None = None
    handled_at: datetime | None = None
    escalated_at: datetime | None = None
    recording: str | None = None  # the caller's own voice, when recorded
    handoff_id: str | None = None

    def __post_init__(self) -> None:
        if not REFERENCE.fullmatch(self.reference):
            raise ValueError(f"reference {self.reference!r} must look like M-2026-000123")
        _require_aware(self.created_at)
        if self.deadline <= self.created_at:
            raise ValueError("a message's deadline must be after it was created")


@dataclass(frozen=True)
class DeliveryPolicy:
    first_delay: timedelta = timedelta(minutes=1)
    factor: float = 2.0
    max_delay: timedelta = timedelta(minutes=30)
    max_attempts: int = 8

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.factor < 1:
            raise ValueError("factor must be at least 1")
        if self.first_delay <= timedelta(0) or self.max_delay < self.first_delay:
            raise ValueError("delays must be positive, and max_delay >= first_delay")


def message_reference(year: int, sequence: int) -> str:
    """The caller's receipt: 'M-2026-000123'. The sequence restarts each year."""
    if not 1 <= sequence <= 999_999:
        raise ValueError("sequence must be 1-999999")
    if not 2000 <= year <= 9999:
        raise ValueError("year must have four digits")
    return f"M-{year:04d}-{sequence:06d}"


def message_deadline(
    created_at: datetime, end_of_next_working_day: Callable[[datetime], datetime]
) -> datetime:
    _require_aware(created_at)
    deadline = end_of_next_working_day(created_at)
    if deadline <= created_at:
        raise ValueError("the working-time function returned a deadline in the past")
    return deadline


def needs_escalation(message: Message, now: datetime) -> bool:
    """Escalate once the deadline passes unhandled, or at once if delivery gave up."""
    if message.status in (MessageStatus.HANDLED, MessageStatus.ESCALATED):
        return False
    if message.status is MessageStatus.DELIVERY_FAILED:
        return True
    return now >= message.deadline


def next_delivery_attempt(
    attempts: int, last_attempt_at: datetime, policy: DeliveryPolicy
) -> datetime | None:
    """When to try delivering again after ``attempts`` failures; None: give up.

    The first attempt is made at creation, so ``attempts`` is at least 1.
    """
    if attempts < 1:
        raise ValueError("the first attempt is made at creation; attempts must be >= 1")
    if attempts >= policy.max_attempts:
        return None
    delay = min(policy.first_delay * policy.factor ** (attempts - 1), policy.max_delay)
    return last_attempt_at + delay


def record_delivery_attempt(
    message: Message, at: datetime, delivered: bool, policy: DeliveryPolicy
) -> Message:
    if message.status is not MessageStatus.CREATED:
        return message
    attempts = message.delivery_attempts + 1
    if delivered:
        status = MessageStatus.DELIVERED
    elif next_delivery_attempt(attempts, at, policy) is None:
        status = MessageStatus.DELIVERY_FAILED
    else:
        status = MessageStatus.CREATED
    return replace(message, status=status, delivery_attempts=attempts, last_attempt_at=at)


def mark_handled(message: Message, at: datetime) -> Message:
    """Handled wins over everything, including an escalation already sent."""
    if message.status is MessageStatus.HANDLED:
        return message
    return replace(message, status=MessageStatus.HANDLED, handled_at=at)


def mark_escalated(message: Message, at: datetime) -> Message:
    if not needs_escalation(message, at):
        return message
    return replace(message, status=MessageStatus.ESCALATED, escalated_at=at)


class MessageAccess(StrEnum):
    """What one member of staff may do with one message (the API; the e-mailed link is a
    capability of its own)."""

    NONE = "none"  # as if it did not exist: references are sequential, easy to guess
    STATUS = "status"  # its reference, status and deadline, not who called or why
    HANDLE = "handle"  # read it and mark it handled


def message_access(
    *,
    roles: frozenset[str],
    person_id: str | None,
    actor_units: frozenset[str],
    target_person: str | None,
    message_units: frozenset[str],
) -> MessageAccess:
    """Who may see and handle a message: it is for its target person, and for the officers
    and unit admins of the unit it was left for (or the target person's unit); an admin may
    handle any. Telephonists take messages for everyone and answer citizens who call about
    one, so they see every message's status but handle none they are not the target of;
    analysts see the status too (the list holds no caller details), to follow deadlines.

    ``actor_units`` and ``message_units`` name units by every name a message may use (the
    directory's unit id and its display name, or a ``[handoff.units]`` key).
    """
    if "admin" in roles:
        return MessageAccess.HANDLE
    if person_id is not None and person_id == target_person:
        return MessageAccess.HANDLE
    if roles & {"officer", "unit_admin"} and actor_units & message_units:
        return MessageAccess.HANDLE
    if roles & {"telephonist", "analyst"}:
        return MessageAccess.STATUS
    return MessageAccess.NONE


def handled_within_deadline(message: Message) -> bool:
    return message.handled_at is not None and message.handled_at <= message.deadline


def created_event(message: Message) -> MessageCreated:
    return MessageCreated(
        reference=message.reference,
        at=message.created_at,
        target_person=message.target_person,
        target_unit=message.target_unit,
        channel=message.channel.value,
        urgency=message.urgency.value,
        deadline=message.deadline,
        handoff_id=message.handoff_id,
    )


def delivered_event(message: Message, at: datetime) -> MessageDelivered:
    return MessageDelivered(message.reference, at, message.channel.value, message.delivery_attempts)


def handled_event(message: Message, at: datetime) -> MessageHandled:
    return MessageHandled(message.reference, at, handled_within_deadline(message))


def escalated_event(message: Message, at: datetime) -> MessageEscalated:
    """Call with the message as it was before ``mark_escalated``, to keep the reason."""
    failed = message.status is MessageStatus.DELIVERY_FAILED
    return MessageEscalated(message.reference, at, "delivery_failed" if failed else "deadline")


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("times must be aware datetimes")


def is_open(message: Message) -> bool:
    """Still waiting for someone to handle it (escalated ones too)."""
    return message.status is not MessageStatus.HANDLED


def is_overdue(message: Message, now: datetime) -> bool:
    return is_open(message) and now >= message.deadline
