"""The directory decides before anything rings: absent, closed, outside phone hours,
busy and forwarded targets are handled without ringing a device."""

from collections.abc import Sequence
from datetime import datetime

from handoff_builders import (
    ANNA,
    DESK,
    MOBILE,
    PER,
    TELEPHONIST,
    at,
    emitted,
    run,
    start,
)

from vaxel.handoff.commands import (
    Command,
    ResolveTarget,
    RingDevices,
    RingTelephonist,
)
from vaxel.handoff.inputs import (
    Absent,
    Busy,
    Closed,
    DirectoryVerdict,
    Event,
    Forwarded,
    OutsidePhoneHours,
    Reachable,
    RingTimeout,
    TargetAnswered,
    TelephonistHungUp,
    WhisperDone,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    MAX_FORWARD_HOPS,
    STOCKHOLM,
    Done,
    Mode,
    Outcome,
    Resolving,
    Returned,
    Ringing,
    RingingTelephonist,
)

BACK = datetime(2026, 5, 18, 8, 0, tzinfo=STOCKHOLM)
NEXT_HOURS = datetime(2026, 5, 12, 10, 0, tzinfo=STOCKHOLM)


def whisper_of(commands: Sequence[Command]) -> str:
    whispers = [c.whisper for c in commands if isinstance(c, RingTelephonist)]
    assert len(whispers) == 1
    return whispers[0]


def test_absent_target_returns_at_once_with_return_date() -> None:
    state, commands = run([start(), DirectoryVerdict(Absent(BACK))])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.ABSENT and state.failure.absent_until == BACK
    assert whisper_of(commands) == (
        "Anna Svensson är frånvarande, tillbaka måndag 18 maj klockan 08.00"
    )


def test_absent_target_without_return_date_still_returns() -> None:
    _, commands = run([start(), DirectoryVerdict(Absent(None))])
    assert whisper_of(commands) == "Anna Svensson är frånvarande"


def test_closed_extension_returns_at_once() -> None:
    state, commands = run([start(), DirectoryVerdict(Closed((DESK,)))])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.CLOSED
    assert whisper_of(commands) == "Stängd anknytning hos Anna Svensson"


def test_closed_extension_is_rung_with_emergency_override_where_agreed() -> None:
    verdict = DirectoryVerdict(Closed((DESK,), breakthrough_allowed=True))
    state, commands = run([start(override=True), verdict])
    assert isinstance(state, Ringing) and state.overridden
    assert commands == [RingDevices((DESK,), 20.0)]


def test_override_does_not_break_through_where_department_has_not_agreed() -> None:
    state, _ = run([start(override=True), DirectoryVerdict(Closed((DESK,)))])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.CLOSED


def test_answered_override_is_reported_as_overridden() -> None:
    verdict = DirectoryVerdict(Closed((DESK,), breakthrough_allowed=True))
    state, commands = run([start(override=True), verdict, TargetAnswered(DESK), WhisperDone()])
    assert state == Done(Outcome.OVERRIDDEN)
    [attempt] = emitted(commands)
    assert attempt.event.outcome == "overridden" and attempt.event.override


def test_outside_phone_hours_returns_with_next_phone_hours() -> None:
    state, commands = run([start(), DirectoryVerdict(OutsidePhoneHours(NEXT_HOURS))])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.next_phone_hours == NEXT_HOURS
    assert whisper_of(commands) == (
        "Utanför telefontid hos Anna Svensson, nästa telefontid tisdag 12 maj klockan 10.00"
    )


def test_busy_verdict_returns_call_without_ringing() -> None:
    state, commands = run([start(), DirectoryVerdict(Busy())])
    assert isinstance(state, RingingTelephonist)
    assert whisper_of(commands) == "Upptaget hos Anna Svensson"


def test_reachable_target_without_devices_returns_as_no_answer() -> None:
    state, _ = run([start(), DirectoryVerdict(Reachable(()))])
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.NO_ANSWER


def test_forwarded_target_is_followed_and_looked_up() -> None:
    state, commands = run([start(), DirectoryVerdict(Forwarded(PER))])
    assert isinstance(state, Resolving)
    assert state.target == PER and state.hops == 1 and state.ctx.requested == ANNA
    assert commands == [ResolveTarget(PER)]


def test_forwarded_target_keeps_the_return_guarantee() -> None:
    events: list[Event] = [
        start(),
        DirectoryVerdict(Forwarded(PER)),
        DirectoryVerdict(Reachable((DESK,))),
    ]
    state, commands = run([*events, RingTimeout()])
    assert isinstance(state, RingingTelephonist)
    assert state.ctx.telephonist == TELEPHONIST
    assert whisper_of(commands) == "Inget svar hos Per Olsson, vidarekopplat från Anna Svensson"


def test_forward_chain_longer_than_max_hops_returns_as_forward_loop() -> None:
    hops = [DirectoryVerdict(Forwarded(t)) for t in [PER, MOBILE, PER, MOBILE]]
    state, _ = run([start(), *hops[:MAX_FORWARD_HOPS]])
    assert isinstance(state, Resolving) and state.hops == MAX_FORWARD_HOPS
    state, _ = transition(state, hops[MAX_FORWARD_HOPS], at(10))
    assert isinstance(state, RingingTelephonist)
    assert state.failure.outcome is Outcome.FORWARD_LOOP


def test_directory_failure_in_attended_mode_reconnects_telephonist() -> None:
    state, _ = run([start(Mode.ATTENDED), DirectoryVerdict(Absent(BACK))])
    assert isinstance(state, Returned)
    assert state.failure.outcome is Outcome.ABSENT


def test_telephonist_hanging_up_while_attended_lookup_runs_switches_to_follow() -> None:
    state, commands = run([start(Mode.ATTENDED), TelephonistHungUp()])
    assert isinstance(state, Resolving) and state.ctx.mode is Mode.FOLLOW
    assert commands == []


def test_irrelevant_events_leave_resolving_unchanged() -> None:
    resolving, _ = run([start()])
    irrelevant: list[Event] = [RingTimeout(), TargetAnswered(DESK), WhisperDone()]
    for event in [*irrelevant, TelephonistHungUp()]:
        assert transition(resolving, event, at(3)) == (resolving, [])
