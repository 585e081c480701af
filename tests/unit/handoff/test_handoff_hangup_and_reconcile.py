"""A caller hanging up cleans up; after a restart every handoff is reconciled so the
caller is still ringing the target, back with a telephonist, or in the queue."""

from datetime import timedelta

import pytest
from handoff_builders import TELEPHONIST, answered, at, emitted, ring, run, start

from vaxel.handoff.commands import (
    BridgeCallerWith,
    FreeTelephonist,
    HangUpTarget,
    RequeueAtHead,
    ResolveTarget,
    RingTelephonist,
    SpeakToCaller,
    StartMessage,
    StopRinging,
)
from vaxel.handoff.inputs import (
    CallerHungUp,
    Event,
    Reconciled,
    ReferToPhoneHoursPressed,
    RingTimeout,
    TakeMessagePressed,
    TelephonistAnswered,
    TelephonistBusy,
    WhisperDone,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    Consulting,
    Done,
    Mode,
    Outcome,
    Party,
    Requeued,
    Resolving,
    Returned,
    Ringing,
    RingingTelephonist,
)

FAILED = [*ring(), RingTimeout()]
ALIVE = Reconciled(caller_alive=True, target_alive=True, telephonist_alive=True)


def live(**gone: bool) -> Reconciled:
    return Reconciled(
        caller_alive=gone.get("caller", True),
        target_alive=gone.get("target", True),
        telephonist_alive=gone.get("telephonist", True),
    )


# --- Caller hangs up ---------------------------------------------------------------------


def test_caller_hangup_while_resolving_frees_telephonist() -> None:
    state, commands = run([start(), CallerHungUp()])
    assert state == Done(Outcome.ABANDONED)
    assert commands[0] == FreeTelephonist(TELEPHONIST)
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "abandoned" and attempt.event.ring_time_s is None


def test_caller_hangup_while_ringing_stops_ringing_and_frees_telephonist() -> None:
    state, commands = run([*ring(), CallerHungUp()])
    assert state == Done(Outcome.ABANDONED)
    assert commands[:2] == [StopRinging(), FreeTelephonist(TELEPHONIST)]
    [attempt] = emitted(commands)
    assert attempt.event.ring_time_s == 1.0


def test_caller_hangup_during_whisper_hangs_up_target() -> None:
    state, commands = run([*answered(), CallerHungUp()])
    assert state == Done(Outcome.ABANDONED)
    assert commands[:2] == [HangUpTarget(), FreeTelephonist(TELEPHONIST)]


def test_caller_hangup_while_consulting_leaves_telephonist_and_target_talking() -> None:
    state, commands = run([*answered(Mode.ATTENDED), CallerHungUp()])
    assert state == Done(Outcome.ABANDONED)
    assert commands[0] == FreeTelephonist(TELEPHONIST)
    assert HangUpTarget() not in commands


def test_caller_hangup_while_ringing_telephonist_stops_ring_back() -> None:
    state, commands = run([*FAILED, CallerHungUp()])
    assert state == Done(Outcome.ABANDONED)
    assert commands[:2] == [StopRinging(Party.TELEPHONIST), FreeTelephonist(TELEPHONIST)]
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "no_answer"
    assert attempt.event.returned and attempt.event.returned_to is None


def test_caller_hangup_in_queue_ends_as_abandoned() -> None:
    assert run([*FAILED, TelephonistBusy(), CallerHungUp()]) == (
        Done(Outcome.ABANDONED),
        [],
    )


def test_done_ignores_every_event() -> None:
    done = Done(Outcome.ANSWERED)
    events: list[Event] = [start(), CallerHungUp(), ALIVE, RingTimeout(), TelephonistAnswered()]
    for event in events:
        assert transition(done, event, at(1)) == (done, [])


# --- Reconciliation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "events",
    [[start()], ring(), answered(), answered(Mode.ATTENDED), FAILED],
    ids=["resolving", "ringing", "whispering", "consulting", "ringing_telephonist"],
)
def test_reconcile_with_caller_gone_cleans_up_as_hangup(events: list[Event]) -> None:
    state, _ = run(events)
    assert transition(state, live(caller=False), at(30)) == transition(
        state, CallerHungUp(), at(30)
    )


def test_reconcile_while_resolving_repeats_the_lookup() -> None:
    resolving, _ = run([start()])
    assert isinstance(resolving, Resolving)
    assert transition(resolving, ALIVE, at(5)) == (resolving, [ResolveTarget(resolving.target)])


def test_reconcile_with_live_ringing_before_deadline_keeps_ringing() -> None:
    ringing, _ = run(ring())
    assert transition(ringing, ALIVE, at(10)) == (ringing, [])


def test_reconcile_with_ringing_past_deadline_returns_call() -> None:
    ringing, _ = run(ring())
    state, commands = transition(ringing, ALIVE, at(30))
    assert isinstance(state, RingingTelephonist)
    assert commands[0] == StopRinging() and isinstance(commands[1], RingTelephonist)


def test_reconcile_with_ringing_lost_returns_call() -> None:
    ringing, _ = run(ring())
    state, commands = transition(ringing, live(target=False), at(10))
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.NO_ANSWER
    assert [type(c) for c in commands] == [RingTelephonist]


def test_reconcile_of_attended_ringing_with_telephonist_gone_switches_to_follow() -> None:
    ringing, _ = run(ring(Mode.ATTENDED))
    state, commands = transition(ringing, live(telephonist=False), at(5))
    assert isinstance(state, Ringing) and state.ctx.mode is Mode.FOLLOW and commands == []


def test_reconcile_during_whisper_with_live_target_connects_caller() -> None:
    whispering, _ = run(answered())
    state, commands = transition(whispering, ALIVE, at(5))
    assert state == Done(Outcome.ANSWERED)
    assert commands[0] == BridgeCallerWith(Party.TARGET)


def test_reconcile_during_whisper_with_target_gone_returns_call() -> None:
    whispering, _ = run(answered())
    state, _ = transition(whispering, live(target=False), at(5))
    assert isinstance(state, RingingTelephonist)


def test_reconcile_while_consulting_with_both_alive_keeps_consulting() -> None:
    consulting, _ = run(answered(Mode.ATTENDED))
    assert isinstance(consulting, Consulting)
    assert transition(consulting, ALIVE, at(5)) == (consulting, [])


def test_reconcile_while_consulting_with_target_gone_reconnects_telephonist() -> None:
    consulting, _ = run(answered(Mode.ATTENDED))
    state, commands = transition(consulting, live(target=False), at(5))
    assert isinstance(state, Returned)
    assert commands[0] == BridgeCallerWith(Party.TELEPHONIST)


def test_reconcile_while_consulting_with_telephonist_gone_completes_transfer() -> None:
    consulting, _ = run(answered(Mode.ATTENDED))
    state, commands = transition(consulting, live(telephonist=False), at(5))
    assert state == Done(Outcome.ANSWERED)
    assert commands[0] == BridgeCallerWith(Party.TARGET)


def test_reconcile_while_ringing_a_telephonist_who_is_gone_requeues() -> None:
    ringing_back, _ = run(FAILED)
    state, commands = transition(ringing_back, live(telephonist=False), at(5))
    assert isinstance(state, Requeued)
    assert isinstance(commands[1], RequeueAtHead)


def test_reconcile_while_ringing_telephonist_past_deadline_requeues() -> None:
    ringing_back, _ = run(FAILED)
    state, commands = transition(ringing_back, ALIVE, at(2) + timedelta(seconds=16))
    assert isinstance(state, Requeued)
    assert commands[0] == StopRinging(Party.TELEPHONIST)


def test_reconcile_while_ringing_telephonist_before_deadline_keeps_ringing() -> None:
    ringing_back, _ = run(FAILED)
    assert transition(ringing_back, ALIVE, at(5)) == (ringing_back, [])


def test_reconcile_of_returned_call_with_telephonist_gone_requeues_without_new_event() -> None:
    back, _ = run([*FAILED, TelephonistAnswered()])
    state, commands = transition(back, live(telephonist=False), at(9))
    assert isinstance(state, Requeued)
    assert isinstance(commands[-1], RequeueAtHead) and emitted(commands) == []


def test_reconcile_in_queue_leaves_the_queue_in_charge() -> None:
    queued, _ = run([*FAILED, TelephonistBusy()])
    assert transition(queued, ALIVE, at(9)) == (queued, [])


def test_reconcile_during_referral_repeats_phone_hours() -> None:
    back, _ = run([*FAILED, TelephonistAnswered()])
    referred, _ = transition(back, ReferToPhoneHoursPressed(at(86400)), at(9))
    state, commands = transition(referred, ALIVE, at(10))
    assert state == referred
    assert [type(c) for c in commands] == [SpeakToCaller]


def test_reconcile_while_taking_message_restarts_message() -> None:
    back, _ = run([*FAILED, TelephonistAnswered()])
    assert isinstance(back, Returned)
    taking, _ = transition(back, TakeMessagePressed(), at(9))
    assert transition(taking, ALIVE, at(10)) == (taking, [StartMessage(back.failure.target)])


def test_hangup_and_reconcile_do_not_resurrect_a_finished_handoff() -> None:
    done, _ = run([*answered(), WhisperDone()])
    assert transition(done, live(caller=False), at(9)) == (done, [])
