from datetime import timedelta

import pytest
from queue_factories import at, telephonist

from vaxel.queue.model import InvalidTransition
from vaxel.queue.telephonists import (
    MISSED_CALL,
    Answer,
    Available,
    CancelRing,
    EndCall,
    EndWrapup,
    LoggedOut,
    Login,
    Logout,
    MissRing,
    OnCall,
    Pause,
    Paused,
    Ring,
    Ringing,
    Status,
    Telephonist,
    TelephonistChange,
    Unpause,
    WithdrawMiss,
    Wrapup,
    transition,
)

NOW = at(600)
DEADLINE = NOW + timedelta(seconds=20)


def in_state(status: Status) -> Telephonist:
    return telephonist("anna", idle=0, status=status)


def test_login_makes_telephonist_available_and_idle_from_now() -> None:
    after = transition(in_state(LoggedOut()), Login(), NOW)
    assert after.status == Available()
    assert after.idle_since == NOW


def test_logout_from_available_paused_or_wrapup() -> None:
    for status in (Available(), Paused("lunch"), Wrapup(NOW)):
        assert transition(in_state(status), Logout(), NOW).status == LoggedOut()


def test_pause_keeps_reason_and_unpause_restarts_idle_time() -> None:
    paused = transition(in_state(Available()), Pause("lunch"), NOW)
    assert paused.status == Paused("lunch")
    later = NOW + timedelta(minutes=30)
    back = transition(paused, Unpause(), later)
    assert back.status == Available()
    assert back.idle_since == later


def test_pause_during_wrapup_is_allowed() -> None:
    assert transition(in_state(Wrapup(DEADLINE)), Pause("meeting"), NOW).status == Paused("meeting")


def test_offered_telephonist_rings_until_deadline() -> None:
    after = transition(in_state(Available()), Ring("c1", DEADLINE), NOW)
    assert after.status == Ringing("c1", DEADLINE)
    assert after.idle_since == at(0)


def test_ended_wrapup_can_be_rung_directly() -> None:
    after = transition(in_state(Wrapup(at(500))), Ring("c1", DEADLINE), NOW)
    assert after.status == Ringing("c1", DEADLINE)


def test_answered_ring_is_on_call() -> None:
    after = transition(in_state(Ringing("c1", DEADLINE)), Answer(), NOW)
    assert after.status == OnCall("c1")


def test_call_ended_starts_wrapup_until_now_plus_wrapup_s() -> None:
    after = transition(in_state(OnCall("c1")), EndCall(wrapup_s=10), NOW)
    assert after.status == Wrapup(NOW + timedelta(seconds=10))


def test_call_ended_without_wrapup_is_available_at_once() -> None:
    after = transition(in_state(OnCall("c1")), EndCall(wrapup_s=0), NOW)
    assert after.status == Available()
    assert after.idle_since == NOW


def test_wrapup_done_is_idle_from_wrapup_end_or_now_if_earlier() -> None:
    late = transition(in_state(Wrapup(at(500))), EndWrapup(), NOW)
    assert late.status == Available()
    assert late.idle_since == at(500)
    early = transition(in_state(Wrapup(DEADLINE)), EndWrapup(), NOW)
    assert early.idle_since == NOW


def test_missed_ring_auto_pauses_with_reason_shown() -> None:
    after = transition(in_state(Ringing("c1", DEADLINE)), MissRing(), DEADLINE)
    assert after.status == Paused(MISSED_CALL)
    assert after.missed == 1


def test_missed_ring_kept_available_goes_behind_everyone_idle() -> None:
    after = transition(in_state(Ringing("c1", DEADLINE)), MissRing(pause=False), DEADLINE)
    assert after.status == Available()
    assert after.idle_since == DEADLINE
    assert after.missed == 1


def test_late_answer_withdraws_the_missed_call_pause() -> None:
    missed = transition(in_state(Ringing("c1", DEADLINE)), MissRing(), DEADLINE)
    after = transition(missed, WithdrawMiss(), DEADLINE + timedelta(seconds=1))
    assert after.status == Available()
    assert after.missed == 0
    assert after.idle_since == DEADLINE + timedelta(seconds=1)


def test_cancelled_ring_keeps_idle_time() -> None:
    after = transition(in_state(Ringing("c1", DEADLINE)), CancelRing(), NOW)
    assert after.status == Available()
    assert after.idle_since == at(0)


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (Available(), Login()),
        (LoggedOut(), Logout()),
        (OnCall("c1"), Logout()),
        (Ringing("c1", DEADLINE), Logout()),
        (OnCall("c1"), Pause("lunch")),
        (Available(), Unpause()),
        (Paused("lunch"), Ring("c1", DEADLINE)),
        (Wrapup(DEADLINE), Ring("c1", DEADLINE)),
        (OnCall("c1"), Ring("c2", DEADLINE)),
        (Available(), Answer()),
        (Ringing("c1", DEADLINE), EndCall(10)),
        (Available(), EndWrapup()),
        (OnCall("c1"), MissRing()),
        (Available(), CancelRing()),
        (Paused("lunch"), WithdrawMiss()),
        (Available(), WithdrawMiss()),
    ],
)
def test_event_that_does_not_apply_is_refused(status: Status, event: TelephonistChange) -> None:
    with pytest.raises(InvalidTransition):
        transition(in_state(status), event, NOW)
