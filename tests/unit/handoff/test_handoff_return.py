"""After a failed attempt: the same telephonist, else the head of the queue; then the
telephonist may refer to phone hours, take a message or try someone else."""

from dataclasses import replace
from datetime import datetime

from handoff_builders import PER, TELEPHONIST, at, emitted, ring, run, start

from vaxel.handoff.commands import (
    BridgeCallerWith,
    FreeTelephonist,
    HoldCaller,
    LookUpPhoneHours,
    RequeueAtHead,
    ResolveTarget,
    SpeakToCaller,
    StartMessage,
    StopRinging,
)
from vaxel.handoff.inputs import (
    CallerHungUp,
    DirectoryVerdict,
    Event,
    MessageRecorded,
    OutsidePhoneHours,
    ReferToPhoneHoursPressed,
    RingTimeout,
    TakeMessagePressed,
    TelephonistAnswered,
    TelephonistBusy,
    TelephonistHungUp,
    TelephonistNoAnswer,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    STOCKHOLM,
    Done,
    Outcome,
    Party,
    ReferredToPhoneHours,
    Requeued,
    Resolving,
    Returned,
    ReturnedTo,
    RingingTelephonist,
    TakingMessage,
)

NEXT_HOURS = datetime(2026, 5, 12, 10, 0, tzinfo=STOCKHOLM)
FAILED = [*ring(colleague="Per Olsson"), RingTimeout()]
WHISPER = "Inget svar hos Anna Svensson. Ledig kollega: Per Olsson"


def returned() -> Returned:
    state, _ = run([*FAILED, TelephonistAnswered()])
    assert isinstance(state, Returned)
    return state


def test_telephonist_answering_the_return_is_bridged_with_caller() -> None:
    state, commands = run([*FAILED, TelephonistAnswered(TELEPHONIST)])
    assert isinstance(state, Returned) and state.returned_to is ReturnedTo.TELEPHONIST
    assert commands[0] == BridgeCallerWith(Party.TELEPHONIST)
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "no_answer"
    assert attempt.event.returned and attempt.event.returned_to == "telephonist"


def test_busy_telephonist_requeues_returned_call_at_head() -> None:
    state, commands = run([*FAILED, TelephonistBusy()])
    assert isinstance(state, Requeued)
    assert commands[:2] == [
        FreeTelephonist(TELEPHONIST),
        RequeueAtHead(Outcome.NO_ANSWER, WHISPER, TELEPHONIST),
    ]
    [attempt] = emitted(commands)
    assert attempt.event.returned_to == "queue"


def test_unanswered_return_stops_ringing_telephonist_and_requeues_at_head() -> None:
    state, commands = run([*FAILED, TelephonistNoAnswer()])
    assert isinstance(state, Requeued)
    assert commands[:3] == [
        StopRinging(Party.TELEPHONIST),
        FreeTelephonist(TELEPHONIST),
        RequeueAtHead(Outcome.NO_ANSWER, WHISPER, TELEPHONIST),
    ]


def test_another_telephonist_answering_is_ignored_while_ringing_the_original() -> None:
    ringing_back, _ = run(FAILED)
    assert isinstance(ringing_back, RingingTelephonist)
    assert transition(ringing_back, TelephonistAnswered("t-other"), at(9)) == (
        ringing_back,
        [],
    )


def test_next_telephonist_taking_requeued_call_owns_the_return() -> None:
    state, commands = run([*FAILED, TelephonistBusy(), TelephonistAnswered("t-other")])
    assert isinstance(state, Returned)
    assert state.ctx.telephonist == "t-other" and state.returned_to is ReturnedTo.QUEUE
    assert commands == []  # the queue bridged them and already counted the attempt


def test_refer_to_phone_hours_speaks_next_phone_hours_and_frees_telephonist() -> None:
    events: list[Event] = [
        start(),
        DirectoryVerdict(OutsidePhoneHours(NEXT_HOURS)),
        TelephonistAnswered(),
    ]
    state, commands = run([*events, ReferToPhoneHoursPressed()])
    assert isinstance(state, ReferredToPhoneHours) and state.next_start == NEXT_HOURS
    # The caller is taken back (to be spoken to) before the telephonist is released.
    assert commands[:2] == [
        SpeakToCaller("Anna Svensson har telefontid tisdag 12 maj klockan 10.00."),
        FreeTelephonist(TELEPHONIST),
    ]
    [fact] = emitted(commands)
    assert fact.event.outcome == "referred" and fact.event.reason == "outside_phone_hours"


def test_refer_to_phone_hours_uses_hours_given_with_the_key_press() -> None:
    state, _ = run([ReferToPhoneHoursPressed(NEXT_HOURS)], returned())
    assert isinstance(state, ReferredToPhoneHours) and state.next_start == NEXT_HOURS


def test_refer_to_phone_hours_without_known_hours_asks_the_directory() -> None:
    back = returned()
    state, commands = run([ReferToPhoneHoursPressed()], back)
    assert state == replace(back, looking_up=True)
    assert commands == [LookUpPhoneHours(back.failure.target)]


def test_take_message_after_return_starts_message() -> None:
    back = returned()
    state, commands = run([TakeMessagePressed()], back)
    assert state == TakingMessage(back.ctx, back.failure)
    assert commands == [StartMessage(back.failure.target)]


def test_new_handoff_from_returned_call_tries_suggested_colleague() -> None:
    state, commands = run([start(target=PER)], returned())
    assert isinstance(state, Resolving) and state.target == PER and state.hops == 0
    assert commands == [HoldCaller("default"), ResolveTarget(PER)]


def test_telephonist_hanging_up_returned_call_ends_with_attempt_outcome() -> None:
    assert run([TelephonistHungUp()], returned()) == (Done(Outcome.NO_ANSWER), [])


def test_caller_hanging_up_returned_call_ends_with_attempt_outcome() -> None:
    state, commands = run([CallerHungUp()], returned())
    assert state == Done(Outcome.NO_ANSWER)
    assert commands == [FreeTelephonist(TELEPHONIST)]


def test_caller_asking_for_message_after_referral_starts_message() -> None:
    back = returned()
    referred, _ = run([ReferToPhoneHoursPressed(NEXT_HOURS)], back)
    state, commands = run([TakeMessagePressed()], referred)
    assert isinstance(state, TakingMessage)
    assert commands == [StartMessage(back.failure.target)]


def test_caller_hanging_up_after_referral_ends_as_referred() -> None:
    referred, _ = run([ReferToPhoneHoursPressed(NEXT_HOURS)], returned())
    assert run([CallerHungUp()], referred) == (Done(Outcome.REFERRED), [])


def test_recorded_message_gives_caller_a_reference_receipt() -> None:
    taking, _ = run([TakeMessagePressed()], returned())
    state, commands = run([MessageRecorded("M-2026-000123")], taking)
    assert state == Done(Outcome.MESSAGE)
    assert commands[:2] == [
        SpeakToCaller("Ditt meddelande är registrerat. Ditt referensnummer är M-2026-000123."),
        FreeTelephonist(TELEPHONIST),
    ]
    [fact] = emitted(commands)
    assert (fact.event.outcome, fact.event.reason) == ("message", "no_answer")


def test_caller_hanging_up_while_message_is_taken_ends_as_message() -> None:
    taking, _ = run([TakeMessagePressed()], returned())
    state, commands = run([CallerHungUp()], taking)
    assert state == Done(Outcome.MESSAGE)
    assert commands == [FreeTelephonist(TELEPHONIST)]
