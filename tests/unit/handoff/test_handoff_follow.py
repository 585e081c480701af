"""Follow mode: the target's devices ring, the target hears a whisper, the caller is
connected and the telephonist freed; anything else rings the same telephonist back."""

from dataclasses import replace

from handoff_builders import (
    ANNA,
    CELL,
    DESK,
    MOBILE,
    PER,
    TELEPHONIST,
    answered,
    at,
    emitted,
    ring,
    run,
    start,
)

from vaxel.handoff.commands import (
    BridgeCallerWith,
    EmitEvent,
    FreeTelephonist,
    HoldCaller,
    PlayWhisper,
    ResolveTarget,
    RingDevices,
    RingTelephonist,
    StopRinging,
)
from vaxel.handoff.inputs import (
    DirectoryVerdict,
    Reachable,
    RingTimeout,
    TargetBusy,
    TargetHungUp,
    TargetRejected,
    TelephonistHungUp,
    WhisperDone,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    TARGET_WHISPER,
    Done,
    Idle,
    Outcome,
    Party,
    Resolving,
    Ringing,
    RingingTelephonist,
    Whispering,
)


def test_start_puts_caller_on_hold_and_looks_up_target() -> None:
    state, commands = transition(Idle(), start(), at(0))
    assert isinstance(state, Resolving)
    assert state.target == ANNA and state.ctx.telephonist == TELEPHONIST
    assert commands == [HoldCaller("default"), ResolveTarget(ANNA)]


def test_events_before_start_are_ignored() -> None:
    assert transition(Idle(), RingTimeout(), at(0)) == (Idle(), [])


def test_reachable_target_rings_desk_and_mobile_together() -> None:
    state, commands = run(ring())
    assert isinstance(state, Ringing)
    assert state.devices == (DESK, CELL)
    assert state.since == at(1) and state.deadline == at(21)
    assert commands == [RingDevices((DESK, CELL), 20.0)]


def test_answered_follow_transfer_stops_other_devices_and_whispers_to_target() -> None:
    state, commands = run(answered())
    assert isinstance(state, Whispering)
    assert state.target == ANNA and state.ring_time_s == 1.0 and not state.overridden
    assert commands == [
        StopRinging(Party.TARGET, keep=DESK),
        PlayWhisper(Party.TARGET, TARGET_WHISPER),
    ]


def test_whisper_done_bridges_caller_with_target_and_frees_telephonist() -> None:
    state, commands = run([*answered(), WhisperDone()])
    assert state == Done(Outcome.ANSWERED)
    assert commands[:2] == [
        BridgeCallerWith(Party.TARGET),
        FreeTelephonist(TELEPHONIST),
    ]
    [event] = emitted(commands)
    assert event.event.outcome == "answered" and not event.event.returned
    assert event.event.ring_time_s == 1.0 and event.event.target_unit == "bygglov"


def test_unanswered_transfer_returns_to_same_telephonist() -> None:
    state, commands = run([*ring(), RingTimeout()])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.NO_ANSWER and state.failure.ring_time_s == 1.0
    assert state.deadline == at(2 + 15)
    assert commands == [
        StopRinging(),
        RingTelephonist(TELEPHONIST, "Inget svar hos Anna Svensson", 15.0),
    ]


def test_busy_target_returns_to_same_telephonist() -> None:
    state, commands = run([*ring(), TargetBusy()])
    assert isinstance(state, RingingTelephonist)
    assert commands == [RingTelephonist(TELEPHONIST, "Upptaget hos Anna Svensson", 15.0)]


def test_rejected_call_returns_to_same_telephonist() -> None:
    state, commands = run([*ring(), TargetRejected()])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.REJECTED
    assert commands == [RingTelephonist(TELEPHONIST, "Anna Svensson avböjde samtalet", 15.0)]


def test_one_device_declining_keeps_the_other_ringing() -> None:
    state, commands = run([*ring(), TargetRejected(CELL)])
    assert isinstance(state, Ringing)
    assert state.devices == (DESK,) and commands == []


def test_busy_on_one_device_outranks_decline_on_the_other() -> None:
    state, _ = run([*ring(), TargetBusy(DESK), TargetRejected(CELL)])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.BUSY


def test_busy_target_with_busy_forward_follows_the_forward() -> None:
    verdict = DirectoryVerdict(Reachable((DESK,), on_busy=PER))
    state, commands = run([start(), verdict, TargetBusy()])
    assert isinstance(state, Resolving)
    assert state.target == PER and state.hops == 1
    assert commands == [ResolveTarget(PER)]


def test_unanswered_target_with_no_answer_forward_follows_the_forward() -> None:
    verdict = DirectoryVerdict(Reachable((DESK,), on_no_answer=MOBILE))
    state, commands = run([start(), verdict, RingTimeout()])
    assert isinstance(state, Resolving) and state.target == MOBILE
    assert commands == [StopRinging(), ResolveTarget(MOBILE)]


def test_target_hanging_up_during_whisper_returns_as_rejected() -> None:
    state, commands = run([*answered(), TargetHungUp()])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.REJECTED
    assert [type(c) for c in commands] == [RingTelephonist]


def test_telephonist_hanging_up_in_follow_mode_changes_nothing() -> None:
    ringing, _ = run(ring())
    assert transition(ringing, TelephonistHungUp(), at(5)) == (ringing, [])


def test_free_colleague_is_suggested_in_the_return_whisper() -> None:
    _, commands = run([*ring(colleague="Per Olsson"), RingTimeout()])
    assert commands[-1] == RingTelephonist(
        TELEPHONIST, "Inget svar hos Anna Svensson. Ledig kollega: Per Olsson", 15.0
    )


def test_ring_timeout_follows_configured_timeout() -> None:
    slow = replace(start(), ring_timeout=start().ring_timeout * 2)
    state, commands = run([slow, DirectoryVerdict(Reachable((DESK,)))])
    assert isinstance(state, Ringing) and state.deadline == at(41)
    assert commands == [RingDevices((DESK,), 40.0)]


def test_attempt_event_is_not_emitted_before_the_return_is_settled() -> None:
    _, commands = run([*ring(), RingTimeout()])
    assert not any(isinstance(c, EmitEvent) for c in commands)
