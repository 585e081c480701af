"""Messages: a reference as the caller's receipt, a working-time deadline, delivery with
backoff, and escalation when nobody handles it in time."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from vaxel.handoff.messages import (
    Channel,
    DeliveryPolicy,
    Message,
    MessageStatus,
    Urgency,
    created_event,
    delivered_event,
    escalated_event,
    handled_event,
    is_open,
    is_overdue,
    mark_escalated,
    mark_handled,
    message_deadline,
    message_reference,
    needs_escalation,
    next_delivery_attempt,
    record_delivery_attempt,
)
from vaxel.handoff.states import (
    STOCKHOLM,
)

CREATED = datetime(2026, 5, 11, 15, 30, tzinfo=STOCKHOLM)  # Monday afternoon
DEADLINE = datetime(2026, 5, 12, 17, 0, tzinfo=STOCKHOLM)
POLICY = DeliveryPolicy(
    first_delay=timedelta(minutes=1), factor=2, max_delay=timedelta(minutes=5), max_attempts=5
)


def end_of_next_working_day(t: datetime) -> datetime:
    assert t == CREATED
    return DEADLINE


def message(
    status: MessageStatus = MessageStatus.CREATED, reference: str = "M-2026-000123"
) -> Message:
    base = Message(
        reference=reference,
        created_at=CREATED,
        caller_name="Karin Berg",
        caller_number="+46462223344",
        subject="Bygglov för carport",
        urgency=Urgency.NORMAL,
        target_unit="bygglov",
        target_person="p-anna",
        channel=Channel.EMAIL,
        deadline=DEADLINE,
    )
    return replace(base, status=status)


def test_reference_is_year_and_zero_padded_sequence() -> None:
    assert message_reference(2026, 123) == "M-2026-000123"


def test_reference_sequence_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        message_reference(2026, 1_000_000)


def test_message_with_malformed_reference_cannot_exist() -> None:
    with pytest.raises(ValueError):
        message(reference="123")


def test_deadline_is_the_end_of_the_next_working_day() -> None:
    assert message_deadline(CREATED, end_of_next_working_day) == DEADLINE


def test_deadline_in_the_past_is_refused() -> None:
    with pytest.raises(ValueError):
        message_deadline(CREATED, lambda t: t - timedelta(hours=1))


def test_deadline_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        message_deadline(CREATED.replace(tzinfo=None), end_of_next_working_day)


def test_unhandled_message_past_deadline_needs_escalation() -> None:
    assert not needs_escalation(message(), DEADLINE - timedelta(seconds=1))
    assert needs_escalation(message(), DEADLINE)
    assert needs_escalation(message(status=MessageStatus.DELIVERED), DEADLINE)


def test_handled_or_escalated_message_is_not_escalated_again() -> None:
    assert not needs_escalation(message(status=MessageStatus.HANDLED), DEADLINE)
    assert not needs_escalation(message(status=MessageStatus.ESCALATED), DEADLINE)


def test_message_nobody_could_receive_is_escalated_at_once() -> None:
    assert needs_escalation(message(status=MessageStatus.DELIVERY_FAILED), CREATED)


def test_delivery_retries_back_off_up_to_the_maximum_delay() -> None:
    delays = [next_delivery_attempt(n, CREATED, POLICY) for n in range(1, 5)]
    assert [d - CREATED for d in delays if d] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=5),
    ]


def test_delivery_gives_up_after_max_attempts() -> None:
    assert next_delivery_attempt(5, CREATED, POLICY) is None


def test_delivery_attempts_are_counted_from_the_first() -> None:
    with pytest.raises(ValueError):
        next_delivery_attempt(0, CREATED, POLICY)


def test_successful_delivery_marks_message_delivered() -> None:
    delivered = record_delivery_attempt(message(), CREATED, True, POLICY)
    assert delivered.status is MessageStatus.DELIVERED and delivered.delivery_attempts == 1
    assert delivered_event(delivered, CREATED).attempts == 1


def test_failed_delivery_keeps_retrying_until_attempts_run_out() -> None:
    m = message()
    for n in range(1, 5):
        m = record_delivery_attempt(m, CREATED, False, POLICY)
        assert m.status is MessageStatus.CREATED and m.delivery_attempts == n
    m = record_delivery_attempt(m, CREATED, False, POLICY)
    assert m.status is MessageStatus.DELIVERY_FAILED
    assert escalated_event(m, CREATED).reason == "delivery_failed"


def test_handling_in_time_is_reported_within_deadline() -> None:
    handled = mark_handled(message(status=MessageStatus.DELIVERED), DEADLINE)
    assert handled.status is MessageStatus.HANDLED
    assert handled_event(handled, DEADLINE).within_deadline


def test_escalated_message_can_still_be_handled_late() -> None:
    late = DEADLINE + timedelta(hours=1)
    escalated = mark_escalated(message(), late)
    assert escalated.status is MessageStatus.ESCALATED and escalated.escalated_at == late
    handled = mark_handled(escalated, late)
    assert handled.status is MessageStatus.HANDLED
    assert not handled_event(handled, late).within_deadline


def test_escalating_before_the_deadline_changes_nothing() -> None:
    assert mark_escalated(message(), CREATED) == message()


def test_created_event_carries_no_caller_details() -> None:
    event = created_event(message())
    assert event.reference == "M-2026-000123" and event.deadline == DEADLINE
    assert "+46462223344" not in repr(event) and "Karin" not in repr(event)


def test_open_messages_are_all_not_yet_handled_ones_escalated_included() -> None:
    open_states = {s for s in MessageStatus if is_open(message(status=s))}
    assert open_states == set(MessageStatus) - {MessageStatus.HANDLED}


def test_a_message_is_overdue_from_its_deadline_until_handled() -> None:
    assert not is_overdue(message(), DEADLINE - timedelta(seconds=1))
    assert is_overdue(message(), DEADLINE)
    assert is_overdue(message(status=MessageStatus.ESCALATED), DEADLINE)
    assert not is_overdue(message(status=MessageStatus.HANDLED), DEADLINE + timedelta(days=9))
