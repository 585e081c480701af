"""``*4`` after any return: the caller is referred to the target's phone hours whatever
the reason the call came back; with no phone hours ahead the telephonist is told so and
keeps the caller. The referral (and a message) is emitted as the call's outcome."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from handoff_builders import ANNA, DESK, PER, TELEPHONIST, at, emitted, run, start

from vaxel.handoff.commands import (
    EmitEvent,
    FreeTelephonist,
    LookUpPhoneHours,
    PlayWhisper,
    ResolveTarget,
    SpeakToCaller,
    StartMessage,
)
from vaxel.handoff.events import HandoffConcluded
from vaxel.handoff.inputs import (
    Absent,
    AttendedCancel,
    Busy,
    CallerHungUp,
    Closed,
    DirectoryVerdict,
    Event,
    Forwarded,
    MessageRecorded,
    OutsidePhoneHours,
    PhoneHoursLookedUp,
    Reachable,
    Reconciled,
    ReferToPhoneHoursPressed,
    RingTimeout,
    TakeMessagePressed,
    TargetBusy,
    TargetRejected,
    TelephonistAnswered,
    TelephonistBusy,
    TelephonistHungUp,
)
from vaxel.handoff.model import transition
from vaxel.handoff.states import (
    STOCKHOLM,
    Advice,
    Colleague,
    Done,
    Mode,
    Outcome,
    Party,
    ReferredToPhoneHours,
    Resolving,
    Returned,
    ReturnedTo,
    TakingMessage,
)

NEXT = datetime(2026, 5, 12, 13, 0, tzinfo=STOCKHOLM)  # Tuesday
SPOKEN = "Anna Svensson har telefontid tisdag 12 maj klockan 13.00."
NO_HOURS = (
    "Anna Svensson har ingen kommande telefontid. "
    "Välj en kollega, ett meddelande eller en ny koppling."
)
PER_FREE = Colleague("Per Olsson", "p-per", "2002")
WITH_HOURS = Advice((PER_FREE,), NEXT, no_phone_hours=False)
WITHOUT_HOURS = Advice((PER_FREE,), None, no_phone_hours=True)
UNKNOWN = Advice()


def _verdict(verdict, advice: Advice) -> DirectoryVerdict:  # type: ignore[no-untyped-def]
    return DirectoryVerdict(verdict, "Per Olsson, anknytning 2002", advice)


# Every reason a transfer comes back, as the events that bring it back.
REASONS: dict[Outcome, tuple[Mode, list]] = {
    Outcome.NO_ANSWER: (Mode.FOLLOW, [lambda a: _verdict(Reachable((DESK,)), a), RingTimeout()]),
    Outcome.BUSY: (Mode.FOLLOW, [lambda a: _verdict(Busy(), a)]),
    Outcome.REJECTED: (Mode.FOLLOW, [lambda a: _verdict(Reachable((DESK,)), a),
                                     TargetRejected(DESK)]),
    Outcome.ABSENT: (Mode.FOLLOW, [lambda a: _verdict(Absent(at(3600)), a)]),
    Outcome.CLOSED: (Mode.FOLLOW, [lambda a: _verdict(Closed((DESK,)), a)]),
    Outcome.OUTSIDE_PHONE_HOURS: (Mode.FOLLOW, [
        lambda a: _verdict(OutsidePhoneHours(a.next_phone_hours), a)]),
    Outcome.CANCELLED: (Mode.ATTENDED, [lambda a: _verdict(Reachable((DESK,)), a),
                                        AttendedCancel()]),
}  # fmt: skip
BUSY_WHILE_RINGING = [lambda a: _verdict(Reachable((DESK,)), a), TargetBusy(DESK)]


def returned_with(reason: Outcome, advice: Advice, *, via_queue: bool = False) -> Returned:
    mode, steps = REASONS[reason]
    events: list[Event] = [start(mode)]
    events += [step(advice) if callable(step) else step for step in steps]
    if mode is Mode.FOLLOW:
        events += [TelephonistBusy(), TelephonistAnswered("t-other")] if via_queue else [
            TelephonistAnswered(TELEPHONIST)
        ]  # fmt: skip
    state, _ = run(events)
    assert isinstance(state, Returned), state
    assert state.failure.outcome is reason
    return state


def conclusion(commands: list) -> HandoffConcluded:  # type: ignore[type-arg]
    [fact] = [e.event for e in emitted(commands) if isinstance(e.event, HandoffConcluded)]
    return fact


@pytest.mark.parametrize("reason", list(REASONS))
def test_star_four_refers_any_returned_caller_to_known_phone_hours(reason: Outcome) -> None:
    back = returned_with(reason, WITH_HOURS)
    state, commands = run([ReferToPhoneHoursPressed()], back)
    assert state == ReferredToPhoneHours(back.ctx, back.failure, NEXT)
    assert commands[:2] == [SpeakToCaller(SPOKEN), FreeTelephonist(back.ctx.telephonist)]
    fact = conclusion(commands)
    assert (fact.outcome, fact.reason, fact.next_phone_hours) == ("referred", reason.value, NEXT)
    assert (fact.handoff_id, fact.target_person) == ("h-1", ANNA.person_id)


@pytest.mark.parametrize("reason", list(REASONS))
@pytest.mark.parametrize("advice", [UNKNOWN, WITHOUT_HOURS], ids=["unknown", "none"])
def test_star_four_without_known_hours_asks_the_directory_then_refers(
    reason: Outcome, advice: Advice
) -> None:
    back = returned_with(reason, advice)
    looking, commands = run([ReferToPhoneHoursPressed()], back)
    assert looking == replace(back, looking_up=True)
    assert commands == [LookUpPhoneHours(ANNA)]
    state, commands = run([PhoneHoursLookedUp(NEXT)], looking)
    assert state == ReferredToPhoneHours(back.ctx, back.failure, NEXT)
    assert commands[0] == SpeakToCaller(SPOKEN)
    assert conclusion(commands).outcome == "referred"


@pytest.mark.parametrize("reason", list(REASONS))
@pytest.mark.parametrize("advice", [UNKNOWN, WITHOUT_HOURS], ids=["unknown", "none"])
def test_star_four_with_no_phone_hours_tells_the_telephonist_and_keeps_the_caller(
    reason: Outcome, advice: Advice
) -> None:
    back = returned_with(reason, advice)
    looking, _ = run([ReferToPhoneHoursPressed()], back)
    state, commands = run([PhoneHoursLookedUp(None)], looking)
    assert isinstance(state, Returned) and not state.looking_up
    assert state.returned_to is back.returned_to
    assert state.failure.no_phone_hours and state.failure.next_phone_hours is None
    # Only a word to the telephonist: nobody is released, nothing is counted.
    assert commands == [PlayWhisper(Party.TELEPHONIST, NO_HOURS)]
    # The telephonist chooses something else: a message, or the free colleague.
    taking, commands = run([TakeMessagePressed()], state)
    assert isinstance(taking, TakingMessage) and commands == [StartMessage(ANNA)]
    trying, commands = run([start(target=PER)], state)
    assert isinstance(trying, Resolving) and ResolveTarget(PER) in commands


def test_busy_while_ringing_can_be_referred_too() -> None:
    state, _ = run([start(), *(s(WITH_HOURS) if callable(s) else s for s in BUSY_WHILE_RINGING),
                    TelephonistAnswered(TELEPHONIST), ReferToPhoneHoursPressed()])  # fmt: skip
    assert isinstance(state, ReferredToPhoneHours) and state.failure.outcome is Outcome.BUSY


def test_a_call_returned_through_the_queue_is_referred_by_whoever_took_it() -> None:
    back = returned_with(Outcome.NO_ANSWER, WITH_HOURS, via_queue=True)
    assert back.returned_to is ReturnedTo.QUEUE
    state, commands = run([ReferToPhoneHoursPressed()], back)
    assert isinstance(state, ReferredToPhoneHours)
    assert FreeTelephonist("t-other") in commands
    assert conclusion(commands).telephonist == "t-other"


def test_phone_hours_that_began_meanwhile_are_looked_up_again() -> None:
    stale = Advice((), at(-60), no_phone_hours=False)
    back = returned_with(Outcome.NO_ANSWER, stale)
    state, commands = run([ReferToPhoneHoursPressed()], back)
    assert state == replace(back, looking_up=True) and commands == [LookUpPhoneHours(ANNA)]


def test_an_answer_nobody_asked_for_changes_nothing() -> None:
    back = returned_with(Outcome.NO_ANSWER, UNKNOWN)
    assert transition(back, PhoneHoursLookedUp(NEXT), at(30)) == (back, [])


def test_a_lookup_lost_in_a_restart_is_asked_again() -> None:
    looking, _ = run([ReferToPhoneHoursPressed()], returned_with(Outcome.NO_ANSWER, UNKNOWN))
    state, commands = transition(looking, Reconciled(True, False, True), at(40))
    assert state == looking and commands == [LookUpPhoneHours(ANNA)]


def test_the_returned_failure_carries_the_directorys_advice() -> None:
    back = returned_with(Outcome.NO_ANSWER, WITH_HOURS)
    assert back.failure.colleagues == (PER_FREE,)
    assert back.failure.next_phone_hours == NEXT and not back.failure.no_phone_hours
    none = returned_with(Outcome.BUSY, WITHOUT_HOURS)
    assert none.failure.no_phone_hours and none.failure.next_phone_hours is None


def test_a_forwarded_target_failing_carries_the_forward_targets_advice() -> None:
    events: list[Event] = [
        start(),
        _verdict(Forwarded(PER), UNKNOWN),
        _verdict(Reachable((DESK,)), WITH_HOURS),
        RingTimeout(),
        TelephonistAnswered(TELEPHONIST),
    ]
    state, _ = run(events)
    assert isinstance(state, Returned) and state.failure.target == PER
    assert state.failure.next_phone_hours == NEXT


def test_a_message_after_a_return_is_concluded_as_a_message() -> None:
    back = returned_with(Outcome.BUSY, WITHOUT_HOURS)
    taking, _ = run([TakeMessagePressed()], back)
    state, commands = run([MessageRecorded("M-2026-000009")], taking)
    assert state == Done(Outcome.MESSAGE)
    fact = conclusion(commands)
    assert (fact.outcome, fact.reason) == ("message", "busy")


def test_a_referral_the_caller_turns_into_a_message_concludes_twice_last_one_message() -> None:
    referred, commands = run([ReferToPhoneHoursPressed()], returned_with(Outcome.NO_ANSWER,
                                                                         WITH_HOURS))  # fmt: skip
    assert conclusion(commands).outcome == "referred"
    taking, _ = run([TakeMessagePressed()], referred)
    _, commands = run([MessageRecorded("M-2026-000010")], taking)
    assert conclusion(commands).outcome == "message"


def test_hanging_up_after_a_referral_is_not_counted_again() -> None:
    referred, _ = run([ReferToPhoneHoursPressed()], returned_with(Outcome.NO_ANSWER, WITH_HOURS))
    state, commands = run([CallerHungUp()], referred)
    assert state == Done(Outcome.REFERRED) and not any(isinstance(c, EmitEvent) for c in commands)
    back = returned_with(Outcome.NO_ANSWER, WITH_HOURS)
    assert run([TelephonistHungUp()], back) == (Done(Outcome.NO_ANSWER), [])
