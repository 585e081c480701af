import dataclasses

import pytest
from queue_factories import at

from vaxel.queue import events
from vaxel.queue.events import (
    EVENT_NAMES,
    Answered,
    CallbackCompleted,
    CallbackGivenUp,
    CallbackRequested,
    LeaveReason,
    Offered,
    QueueEntered,
    QueueEvent,
    QueueLeft,
    TelephonistEvent,
    TelephonistPaused,
    fields,
    stint_label,
)
from vaxel.queue.telephonists import MISSED_CALL

NOW = at(600)


def test_every_event_class_is_named_once_by_its_wire_name() -> None:
    classes = [
        value
        for value in vars(events).values()
        if isinstance(value, type)
        and issubclass(value, QueueEvent | TelephonistEvent)
        and value not in (QueueEvent, TelephonistEvent)
    ]
    assert sorted(c.name for c in classes) == sorted(EVENT_NAMES)
    assert all(c.name == c.__name__ for c in classes)


def test_events_are_frozen() -> None:
    event = TelephonistPaused(at=NOW, telephonist_id="anna", reason=MISSED_CALL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.reason = "lunch"  # type: ignore[misc]


def test_fields_are_flat_strings_for_a_user_event() -> None:
    event = Offered(at=NOW, queue="centre", contact_id="1700.1", entry_id="e1", telephonist_id="a")
    assert fields(event) == {
        "UserEvent": "Offered",
        "at": NOW.isoformat(),
        "queue": "centre",
        "contact_id": "1700.1",
        "entry_id": "e1",
        "telephonist_id": "a",
        "preferred": "false",
    }
    left = QueueLeft(NOW, "centre", "1700.1", "e1", LeaveReason.HUNG_UP_DURING_OUTAGE)
    assert fields(left)["reason"] == "hung_up_during_outage"


@pytest.mark.parametrize(
    ("event", "label"),
    [
        (
            QueueEntered(NOW, "centre", "c", entry_id="e1", kind="caller"),
            ("queue_wait.start", {"queue": "centre"}),
        ),
        (
            QueueLeft(NOW, "centre", "c", "e1", LeaveReason.CALLBACK_REQUESTED),
            ("queue_wait.end", {"queue": "centre", "outcome": "left"}),
        ),
        (
            QueueLeft(NOW, "centre", "c", "e1", LeaveReason.HUNG_UP_DURING_OUTAGE),
            ("queue_wait.end", {"queue": "centre", "outcome": "abandoned"}),
        ),
        (
            Answered(NOW, "centre", "c", "e1", "anna", wait_s=42),
            ("telephonist.start", {"queue": "centre", "telephonist": "anna"}),
        ),
        (
            CallbackRequested(NOW, "centre", "c", "e1"),
            ("callback.start", {"queue": "centre"}),
        ),
        (
            CallbackCompleted(NOW, "centre", "c", "e1", "anna"),
            ("callback.end", {"outcome": "completed", "telephonist": "anna"}),
        ),
        (
            CallbackGivenUp(NOW, "centre", "c", "e1", attempts=3),
            ("callback.end", {"outcome": "failed"}),
        ),
        (TelephonistPaused(NOW, "anna", MISSED_CALL), None),
    ],
)
def test_events_label_the_stats_stints(event: events.Event, label: object) -> None:
    assert stint_label(event) == label


def test_stint_labels_use_the_stats_vocabulary() -> None:
    from vaxel.stats.model import StintKind, StintOutcome

    samples: list[events.Event] = [
        QueueEntered(NOW, "centre", "c", entry_id="e1", kind="caller"),
        *(QueueLeft(NOW, "centre", "c", "e1", reason) for reason in LeaveReason),
        Answered(NOW, "centre", "c", "e1", "anna", wait_s=42),
        CallbackRequested(NOW, "centre", "c", "e1"),
        CallbackCompleted(NOW, "centre", "c", "e1", "anna"),
        CallbackGivenUp(NOW, "centre", "c", "e1", attempts=3),
    ]
    for event in samples:
        label = stint_label(event)
        assert label is not None
        kind, attrs = label
        StintKind(kind.partition(".")[0])
        if "outcome" in attrs:
            StintOutcome(attrs["outcome"])
