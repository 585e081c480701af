"""Attended mode: the telephonist talks to the target first while the caller holds."""

from handoff_builders import ANNA, DESK, TELEPHONIST, answered, emitted, ring, run, start

from vaxel.handoff.commands import (
    BridgeCallerWith,
    BridgeTelephonistWithTarget,
    FreeTelephonist,
    HangUpTarget,
    PlayWhisper,
    StopRinging,
)
from vaxel.handoff.inputs import (
    AttendedCancel,
    AttendedComplete,
    DirectoryVerdict,
    Reachable,
    RingTimeout,
    TargetBusy,
    TargetHungUp,
    TelephonistHungUp,
)
from vaxel.handoff.states import (
    Consulting,
    Done,
    Mode,
    Outcome,
    Party,
    Returned,
    ReturnedTo,
    Ringing,
)

ATTENDED = Mode.ATTENDED


def test_answered_attended_transfer_connects_telephonist_with_target() -> None:
    state, commands = run(answered(ATTENDED))
    assert isinstance(state, Consulting) and state.target == ANNA
    assert commands == [StopRinging(Party.TARGET, keep=DESK), BridgeTelephonistWithTarget()]


def test_attended_complete_bridges_caller_with_target() -> None:
    state, commands = run([*answered(ATTENDED), AttendedComplete()])
    assert state == Done(Outcome.ANSWERED)
    assert commands[:2] == [BridgeCallerWith(Party.TARGET), FreeTelephonist(TELEPHONIST)]
    [attempt] = emitted(commands)
    assert attempt.event.mode == "attended" and attempt.event.outcome == "answered"


def test_telephonist_hanging_up_while_consulting_completes_transfer() -> None:
    state, commands = run([*answered(ATTENDED), TelephonistHungUp()])
    assert state == Done(Outcome.ANSWERED)
    assert commands[0] == BridgeCallerWith(Party.TARGET)


def test_attended_cancel_hangs_up_target_and_reconnects_telephonist() -> None:
    state, commands = run([*answered(ATTENDED), AttendedCancel()])
    assert isinstance(state, Returned)
    assert state.failure.outcome is Outcome.CANCELLED
    assert state.returned_to is ReturnedTo.TELEPHONIST
    assert commands[:2] == [HangUpTarget(), BridgeCallerWith(Party.TELEPHONIST)]
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "cancelled" and attempt.event.returned_to == "telephonist"


def test_target_hanging_up_while_consulting_reconnects_telephonist() -> None:
    state, commands = run([*answered(ATTENDED), TargetHungUp()])
    assert isinstance(state, Returned)
    assert state.failure.outcome is Outcome.REJECTED
    assert commands[0] == BridgeCallerWith(Party.TELEPHONIST)


def test_attended_cancel_while_ringing_stops_ringing_and_reconnects_telephonist() -> None:
    state, commands = run([*ring(ATTENDED), AttendedCancel()])
    assert isinstance(state, Returned)
    assert state.failure.outcome is Outcome.CANCELLED
    assert commands[:2] == [StopRinging(), BridgeCallerWith(Party.TELEPHONIST)]


def test_attended_cancel_while_resolving_reconnects_telephonist() -> None:
    state, commands = run([start(ATTENDED), AttendedCancel()])
    assert isinstance(state, Returned)
    assert commands[0] == BridgeCallerWith(Party.TELEPHONIST)


def test_attended_cancel_is_ignored_in_follow_mode() -> None:
    ringing, _ = run(ring())
    state, commands = run([AttendedCancel()], ringing)
    assert state == ringing and commands == []


def test_unanswered_attended_transfer_reconnects_telephonist_with_whisper() -> None:
    state, commands = run([*ring(ATTENDED), RingTimeout()])
    assert isinstance(state, Returned)
    assert commands[:3] == [
        StopRinging(),
        PlayWhisper(Party.TELEPHONIST, "Inget svar hos Anna Svensson"),
        BridgeCallerWith(Party.TELEPHONIST),
    ]
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "no_answer" and attempt.event.returned


def test_busy_attended_target_reconnects_telephonist() -> None:
    state, _ = run([*ring(ATTENDED), TargetBusy()])
    assert isinstance(state, Returned) and state.failure.outcome is Outcome.BUSY


def test_telephonist_hanging_up_during_attended_ringing_switches_to_follow_mode() -> None:
    state, commands = run([*ring(ATTENDED), TelephonistHungUp()])
    assert isinstance(state, Ringing) and state.ctx.mode is Mode.FOLLOW
    assert commands == []


def test_consulting_ignores_a_second_target_answer() -> None:
    consulting, _ = run(answered(ATTENDED))
    assert run([DirectoryVerdict(Reachable((DESK,)))], consulting) == (consulting, [])
