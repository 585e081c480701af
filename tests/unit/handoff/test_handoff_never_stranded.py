"""Properties over arbitrary event sequences: the caller is never stranded, failures
always come back through a return, and every attempt is counted exactly once.

A small simulator tracks where the caller is from the commands alone (plus what the
outside world does on its own, like the queue bridging a telephonist), so the checks
test what the service would actually do, not the state's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from handoff_builders import CELL, DESK, MOBILE, PER, TELEPHONIST, at, start
from hypothesis import given, settings
from hypothesis import strategies as st

from vaxel.handoff.commands import (
    BridgeCallerWith,
    BridgeTelephonistWithTarget,
    Command,
    EmitEvent,
    HangUpTarget,
    HoldCaller,
    PlayWhisper,
    RequeueAtHead,
    ResolveTarget,
    RingDevices,
    RingTelephonist,
    SpeakToCaller,
    StartMessage,
    StopRinging,
)
from vaxel.handoff.events import HandoffAttempt, HandoffConcluded
from vaxel.handoff.inputs import (
    Absent,
    AttendedCancel,
    AttendedComplete,
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
    Start,
    TakeMessagePressed,
    TargetAnswered,
    TargetBusy,
    TargetHungUp,
    TargetRejected,
    TelephonistAnswered,
    TelephonistBusy,
    TelephonistHungUp,
    TelephonistNoAnswer,
    Verdict,
    WhisperDone,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    STOCKHOLM,
    Consulting,
    Done,
    Idle,
    Mode,
    Outcome,
    Party,
    ReferredToPhoneHours,
    Requeued,
    Resolving,
    Returned,
    Ringing,
    RingingTelephonist,
    State,
    TakingMessage,
    Target,
    Whispering,
)

NEXT = datetime(2026, 5, 12, 10, 0, tzinfo=STOCKHOLM)


def _verdicts() -> list[Event]:
    verdicts: list[Verdict] = [
        Reachable((DESK, CELL)),
        Reachable(()),
        Reachable((DESK,), on_busy=PER, on_no_answer=MOBILE),
        Busy(),
        Absent(NEXT),
        Absent(None),
        Closed((DESK,)),
        Closed((DESK,), breakthrough_allowed=True),
        OutsidePhoneHours(NEXT),
        OutsidePhoneHours(None),
        Forwarded(PER),
        Forwarded(MOBILE),
    ]
    return [DirectoryVerdict(v, c) for v in verdicts for c in (None, "Per Olsson")]


STARTS: list[Event] = [
    start(),
    start(Mode.ATTENDED),
    start(override=True),
    start(Mode.ATTENDED, PER, override=True),
]
ALL_EVENTS: list[Event] = [
    *STARTS,
    *_verdicts(),
    *(TargetAnswered(d) for d in (DESK, CELL)),
    *(TargetBusy(d) for d in (DESK, CELL, None)),
    *(TargetRejected(d) for d in (DESK, CELL, None)),
    RingTimeout(),
    WhisperDone(),
    TargetHungUp(),
    *(TelephonistAnswered(t) for t in (None, TELEPHONIST, "t-other")),
    TelephonistBusy(),
    TelephonistNoAnswer(),
    TelephonistHungUp(),
    AttendedComplete(),
    AttendedCancel(),
    CallerHungUp(),
    ReferToPhoneHoursPressed(),
    ReferToPhoneHoursPressed(NEXT),
    PhoneHoursLookedUp(NEXT),
    PhoneHoursLookedUp(None),
    TakeMessagePressed(),
    MessageRecorded("M-2026-000001"),
    *(Reconciled(c, t, p) for c in (True, False) for t in (True, False) for p in (True, False)),
]


@dataclass
class World:
    """Where the caller is and what is outstanding, as the commands made it."""

    caller: str = "telephonist"
    lookup: Target | None = None
    target_ringing: bool = False
    target_up: bool = False
    whisper_to_target: bool = False
    consulting: bool = False
    telephonist_ringing: bool = False
    starts: list[Start] = field(default_factory=list)
    concluded: list[str] = field(default_factory=list)  # HandoffConcluded outcomes
    attempts_counted: int = 0
    came_back: bool = False

    def outside_world(self, before: State, after: State, event: Event) -> None:
        """What Asterisk and the queue do by themselves when these events happen."""
        if isinstance(event, CallerHungUp) or (
            isinstance(event, Reconciled) and not event.caller_alive
        ):
            self.caller = "gone"
        if isinstance(before, Ringing) and not isinstance(after, Ringing | Whispering | Consulting):
            self.target_ringing = False  # every device refused, or rang out
        if isinstance(event, Reconciled) and not event.target_alive:
            self.target_ringing = self.target_up = False
        if isinstance(event, TargetHungUp):
            self.target_up = False
        if isinstance(before, RingingTelephonist) and after != before:
            self.telephonist_ringing = False
        if isinstance(before, Requeued) and isinstance(after, Returned):
            self.caller = "telephonist"
        if isinstance(event, Start) and isinstance(after, Resolving) and after != before:
            self.starts.append(event)

    def run(self, commands: list[Command]) -> None:
        for command in commands:
            match command:
                case HoldCaller():
                    self.caller = "hold"
                case ResolveTarget(target=target):
                    self.lookup = target
                case RingDevices():
                    self.target_ringing = True
                case StopRinging(party=Party.TARGET, keep=keep):
                    self.target_ringing = False
                    self.target_up = keep is not None or self.target_up
                case StopRinging(party=Party.TELEPHONIST):
                    self.telephonist_ringing = False
                case PlayWhisper(channel=Party.TARGET):
                    self.whisper_to_target = True
                case BridgeTelephonistWithTarget():
                    self.consulting = True
                case HangUpTarget():
                    self.target_up = False
                case BridgeCallerWith(party=party):
                    self.caller = party.value
                    self.came_back = self.came_back or party is Party.TELEPHONIST
                case RingTelephonist(telephonist=who):
                    assert who == self.starts[-1].telephonist, "rang back someone else"
                    self.telephonist_ringing = True
                case RequeueAtHead():
                    self.caller = "queue"
                    self.came_back = True
                case SpeakToCaller():
                    self.caller = "speech"
                case StartMessage():
                    self.caller = "message"
                case EmitEvent(event=HandoffAttempt()):
                    self.attempts_counted += 1
                case EmitEvent(event=HandoffConcluded(outcome=outcome)):
                    self.concluded.append(outcome)
        if any(isinstance(c, TargetAnswered) for c in commands):  # pragma: no cover
            raise AssertionError("events never appear as commands")


def check(world: World, state: State) -> None:
    open_attempts = len(world.starts) - world.attempts_counted
    assert open_attempts in (0, 1), "an attempt was counted twice or never"
    if world.caller == "gone":
        assert isinstance(state, Done | Idle)
        return
    match state:
        case Idle():
            assert world.caller == "telephonist"
        case Resolving(target=target):
            assert world.caller == "hold" and world.lookup == target
        case Ringing(devices=devices):
            assert world.caller == "hold" and world.target_ringing and devices
        case Whispering():
            assert world.caller == "hold" and world.target_up and world.whisper_to_target
        case Consulting():
            assert world.caller == "hold" and world.target_up and world.consulting
        case RingingTelephonist():
            assert world.caller == "hold" and world.telephonist_ringing
        case Requeued():
            assert world.caller == "queue"
        case Returned():
            assert world.caller == "telephonist" and world.came_back
        case ReferredToPhoneHours():
            assert world.caller == "speech"
            assert world.concluded[-1:] == ["referred"], "a referral not counted"
        case TakingMessage():
            assert world.caller == "message"
        case Done(outcome=outcome):
            assert world.caller != "hold", "done with the caller left on hold"
            assert not world.target_ringing and not world.telephonist_ringing
            assert open_attempts == 0
            if outcome in (Outcome.ANSWERED, Outcome.OVERRIDDEN):
                assert world.caller == "target"
            elif outcome is not Outcome.ABANDONED:
                assert world.came_back, f"{outcome} without a return or requeue"


def relevant(state: State) -> list[Event]:
    """Events that move this state along, so deep states get explored too."""
    match state:
        case Idle():
            return STARTS
        case Resolving():
            return _verdicts()
        case Ringing():
            return [TargetAnswered(DESK), TargetBusy(DESK), TargetRejected(CELL), RingTimeout()]
        case Whispering() | Consulting():
            return [WhisperDone(), AttendedComplete(), AttendedCancel(), TargetHungUp()]
        case RingingTelephonist():
            return [TelephonistAnswered(), TelephonistBusy(), TelephonistNoAnswer()]
        case Requeued():
            return [TelephonistAnswered("t-other")]
        case Returned() | ReferredToPhoneHours():
            return [
                ReferToPhoneHoursPressed(NEXT),
                ReferToPhoneHoursPressed(),
                PhoneHoursLookedUp(NEXT),
                PhoneHoursLookedUp(None),
                TakeMessagePressed(),
                *STARTS,
            ]
        case TakingMessage():
            return [MessageRecorded("M-2026-000001")]
    return ALL_EVENTS


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_event_sequence_never_strands_the_caller(data: st.DataObject) -> None:
    state: State = Idle()
    world = World()
    second = 0
    for _ in range(data.draw(st.integers(1, 40), label="length")):
        pool = relevant(state) if data.draw(st.booleans(), label="relevant") else ALL_EVENTS
        event = data.draw(st.sampled_from(pool), label="event")
        second += data.draw(st.integers(0, 30), label="seconds")
        before = state
        state, commands = transition(state, event, at(second))
        world.run(commands)
        world.outside_world(before, state, event)
        check(world, state)
        if world.caller == "gone":
            break


@given(st.sampled_from(ALL_EVENTS), st.integers(0, 100))
def test_an_unexpected_event_never_crashes_a_fresh_handoff(event: Event, second: int) -> None:
    state, commands = transition(Idle(), event, at(second))
    assert isinstance(state, Idle | Resolving)
    assert all(not isinstance(c, EmitEvent) for c in commands)
