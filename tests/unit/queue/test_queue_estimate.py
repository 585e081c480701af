from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from queue_factories import at, callback, caller, returned, telephonist

from vaxel.queue.estimate import (
    Admit,
    OverflowToClosed,
    OverflowToMessage,
    OverflowToQueue,
    Refuse,
    RefuseReason,
    active_count,
    admit,
    estimate_wait,
    logged_in_count,
    overflow_due,
    parse_overflow,
    position,
    speech_minutes,
)
from vaxel.queue.model import UnknownEntry, mark_offered, mark_returned, move_to_queue
from vaxel.queue.telephonists import LoggedOut, OnCall, Paused


@dataclass(frozen=True)
class QueueConfig:
    max_length: int = 3


def test_position_counts_everyone_ahead_in_the_same_queue() -> None:
    waiting = [
        caller("c2", entered=20),
        caller("other", "permits", entered=0),
        callback("cb", entered=10),
        returned("back", entered=30),
        mark_offered(caller("ringing", entered=5), "anna"),
    ]
    assert position("back", waiting) == 1
    assert position("ringing", waiting) == 2
    assert position(waiting[2], waiting) == 3
    assert position("c2", waiting) == 4
    assert position("other", waiting) == 1


def test_position_of_unknown_entry_is_an_error() -> None:
    with pytest.raises(UnknownEntry):
        position("nobody", [caller("c1")])


def test_no_estimate_without_basis() -> None:
    assert estimate_wait(1, [], active_telephonists=3) is None
    assert estimate_wait(1, [180, 200], active_telephonists=3) is None
    assert estimate_wait(1, [180, 200, 220], active_telephonists=0) is None


def test_estimate_counts_rounds_of_calls_over_active_telephonists() -> None:
    handle = [180.0, 180.0, 180.0]
    # First round, half over on average: 90 s is said as "about 2 minutes".
    assert estimate_wait(1, handle, active_telephonists=2) == 120
    assert estimate_wait(2, handle, active_telephonists=2) == 120
    # Third round: 2.5 * 180 s = 7.5 min, said as 8.
    assert estimate_wait(5, handle, active_telephonists=2) == 8 * 60


def test_estimate_needs_a_position() -> None:
    with pytest.raises(ValueError):
        estimate_wait(0, [60, 60, 60], active_telephonists=1)


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 1), (30, 1), (89, 1), (90, 2), (200, 3), (570, 10), (749, 10), (750, 15), (1700, 30)],
)
def test_wait_is_rounded_for_speech(seconds: float, minutes: int) -> None:
    assert speech_minutes(seconds) == minutes


@given(st.floats(0, 20_000), st.floats(0, 20_000))
def test_spoken_wait_never_falls_as_the_wait_grows(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 1 <= speech_minutes(low) <= speech_minutes(high)


@given(st.integers(1, 200), st.integers(1, 200), st.integers(1, 30))
def test_estimate_never_falls_as_position_grows(p1: int, p2: int, active: int) -> None:
    low, high = sorted((p1, p2))
    handle = [120.0, 240.0, 300.0]
    first = estimate_wait(low, handle, active)
    second = estimate_wait(high, handle, active)
    assert first is not None and second is not None
    assert first <= second


def test_admit_when_open_with_room_and_someone_logged_in() -> None:
    assert admit(QueueConfig(), waiting_count=2, logged_in_count=1, is_open=True) == Admit()


def test_refuse_reasons_in_order_closed_nobody_full() -> None:
    config = QueueConfig(max_length=3)
    assert admit(config, 3, 0, False) == Refuse(RefuseReason.CLOSED)
    assert admit(config, 3, 0, True) == Refuse(RefuseReason.NOBODY_LOGGED_IN)
    assert admit(config, 3, 1, True) == Refuse(RefuseReason.FULL)


def test_queue_can_admit_when_nobody_is_logged_in() -> None:
    result = admit(QueueConfig(), 0, 0, True, admit_when_nobody_logged_in=True)
    assert result == Admit()


def test_overflow_is_due_after_max_wait() -> None:
    entry = caller("c1", entered=0)
    assert not overflow_due(entry, at(599), 600)
    assert overflow_due(entry, at(600), 600)
    assert overflow_due(entry, at(600), timedelta(minutes=10))


def test_callback_and_ringing_caller_do_not_overflow() -> None:
    assert not overflow_due(callback("cb", entered=0), at(9999), 600)
    assert not overflow_due(mark_offered(caller("c1"), "anna"), at(9999), 600)


def test_returned_call_overflow_clock_starts_at_return() -> None:
    back = mark_returned(
        caller("c1", entered=0), reason="busy", whisper="Upptaget", preferred_telephonist="anna",
        now=at(900),
    )  # fmt: skip
    assert not overflow_due(back, at(1000), 600)
    assert overflow_due(back, at(1500), 600)


@pytest.mark.parametrize(
    ("text", "destination"),
    [
        ("queue:centre", OverflowToQueue("centre")),
        ("message", OverflowToMessage()),
        (" closed ", OverflowToClosed()),
    ],
)
def test_overflow_destination_is_parsed(text: str, destination: object) -> None:
    assert parse_overflow(text) == destination


@pytest.mark.parametrize("text", ["queue:", "queue:Centre", "voicemail", "queue centre", ""])
def test_bad_overflow_destination_names_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="queue:<name>, message or closed"):
        parse_overflow(text)


def test_paused_telephonists_are_logged_in_but_not_active() -> None:
    people = [
        telephonist("free"),
        telephonist("talking", status=OnCall("c1")),
        telephonist("lunch", status=Paused("lunch")),
        telephonist("home", status=LoggedOut()),
        telephonist("elsewhere", {"permits": 0}),
    ]
    assert logged_in_count(people, "centre") == 3
    assert active_count(people, "centre") == 2


def test_returned_call_moved_by_overflow_stays_returned_with_a_fresh_clock() -> None:
    back = mark_returned(
        caller("c1", entered=0), reason="busy", whisper="Upptaget", preferred_telephonist=None,
        now=at(100),
    )  # fmt: skip
    moved = move_to_queue(back, "centre-overflow", at(800))
    assert moved.returned == back.returned
    assert not overflow_due(moved, at(1300), 600)
    assert overflow_due(moved, at(1400), 600)
