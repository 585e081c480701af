"""Follow the call: the handoff's typed states and one pure transition function.

``transition(state, event, now)`` returns the next state and the commands the service
runs through ARI. The service owns the per-handoff lock, persists the state after every
transition and turns deadlines into ``RingTimeout``/``TelephonistNoAnswer`` events.

The guarantee this module exists for: the caller is always bridged with someone, on
hold while something the machine asked for is pending, in the queue, or done. A failed
attempt rings the same telephonist; if they can't take it, the call goes to the head of
the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from vaxel.handoff.events import HandoffAttempt

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Forwards can point at each other; three hops covers absent -> colleague -> mobile.
MAX_FORWARD_HOPS = 3
TARGET_WHISPER = "Samtal från växeln"


class Mode(StrEnum):
    FOLLOW = "follow"
    ATTENDED = "attended"


class Initiator(StrEnum):
    REFER = "refer"
    DTMF = "dtmf"
    API = "api"


class Party(StrEnum):
    TARGET = "target"
    TELEPHONIST = "telephonist"


class ReturnedTo(StrEnum):
    TELEPHONIST = "telephonist"
    QUEUE = "queue"


class Outcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REJECTED = "rejected"
    ABSENT = "absent"
    CLOSED = "closed"
    OUTSIDE_PHONE_HOURS = "outside_phone_hours"
    OVERRIDDEN = "overridden"  # a closed extension, rung by emergency override, answered
    CANCELLED = "cancelled"
    FORWARD_LOOP = "forward_loop"
    REFERRED = "referred"
    MESSAGE = "message"
    ABANDONED = "abandoned"


REACHED = frozenset({Outcome.ANSWERED, Outcome.OVERRIDDEN})


@dataclass(frozen=True)
class Target:
    name: str
    person_id: str | None = None
    extension: str | None = None
    unit: str | None = None
    department: str | None = None


@dataclass(frozen=True)
class Context:
    """What stays fixed for one attempt; carried by every non-final state."""

    handoff_id: str
    mode: Mode
    telephonist: str
    requested: Target
    initiated_by: Initiator
    override: bool
    ring_timeout: timedelta
    telephonist_ring_timeout: timedelta
    music: str


@dataclass(frozen=True)
class Failure:
    """Why an attempt came back, and what the telephonist needs to hear about it."""

    outcome: Outcome
    target: Target
    ring_time_s: float | None = None
    absent_until: datetime | None = None
    next_phone_hours: datetime | None = None
    colleague: str | None = None  # a free colleague in the same unit, from the directory
    overridden: bool = False


# --- States ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Idle:
    """No handoff yet: the caller is with the telephonist."""


@dataclass(frozen=True)
class Resolving:
    ctx: Context
    target: Target
    hops: int = 0


@dataclass(frozen=True)
class Ringing:
    ctx: Context
    target: Target
    devices: tuple[str, ...]  # still ringing
    since: datetime
    deadline: datetime
    hops: int = 0
    overridden: bool = False
    colleague: str | None = None
    on_busy: Target | None = None
    on_no_answer: Target | None = None
    refusals: tuple[Outcome, ...] = ()


@dataclass(frozen=True)
class Whispering:
    ctx: Context
    target: Target
    ring_time_s: float
    overridden: bool = False


@dataclass(frozen=True)
class Consulting:
    """Attended: the telephonist talks to the target while the caller holds."""

    ctx: Context
    target: Target
    ring_time_s: float
    overridden: bool = False


@dataclass(frozen=True)
class RingingTelephonist:
    ctx: Context
    failure: Failure
    deadline: datetime


@dataclass(frozen=True)
class Requeued:
    """Head of the queue, marked returned; the next telephonist hears the whisper."""

    ctx: Context
    failure: Failure


@dataclass(frozen=True)
class Returned:
    """The caller is back with a telephonist, who may refer, take a message or retry."""

    ctx: Context
    failure: Failure
    returned_to: ReturnedTo


@dataclass(frozen=True)
class ReferredToPhoneHours:
    ctx: Context
    failure: Failure
    next_start: datetime


@dataclass(frozen=True)
class TakingMessage:
    ctx: Context
    failure: Failure


@dataclass(frozen=True)
class Done:
    outcome: Outcome


State = (
    Idle
    | Resolving
    | Ringing
    | Whispering
    | Consulting
    | RingingTelephonist
    | Requeued
    | Returned
    | ReferredToPhoneHours
    | TakingMessage
    | Done
)

# The caller hears hold music in these, waiting for something the machine asked for.
ON_HOLD_STATES: tuple[type, ...] = (
    Resolving,
    Ringing,
    Whispering,
    Consulting,
    RingingTelephonist,
)


# --- Directory verdicts ---------------------------------------------------------------


@dataclass(frozen=True)
class Reachable:
    devices: tuple[str, ...]
    on_busy: Target | None = None  # conditional forwards, followed after ringing
    on_no_answer: Target | None = None


@dataclass(frozen=True)
class Busy:
    """On a call, known before ringing, with no busy forward."""


@dataclass(frozen=True)
class Absent:
    until: datetime | None


@dataclass(frozen=True)
class Closed:
    devices: tuple[str, ...]
    breakthrough_allowed: bool = False  # agreed with the department beforehand


@dataclass(frozen=True)
class OutsidePhoneHours:
    next_start: datetime | None


@dataclass(frozen=True)
class Forwarded:
    to: Target


Verdict = Reachable | Busy | Absent | Closed | OutsidePhoneHours | Forwarded


# --- Events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    handoff_id: str
    mode: Mode
    target: Target
    telephonist: str
    initiated_by: Initiator
    override: bool = False  # role-checked by the service before it gets here
    ring_timeout: timedelta = timedelta(seconds=20)
    telephonist_ring_timeout: timedelta = timedelta(seconds=15)
    music: str = "default"


@dataclass(frozen=True)
class DirectoryVerdict:
    verdict: Verdict
    colleague: str | None = None


@dataclass(frozen=True)
class TargetAnswered:
    device: str  # required: stopping the others must not drop the one that answered


@dataclass(frozen=True)
class TargetBusy:
    device: str | None = None  # None: the target as a whole


@dataclass(frozen=True)
class TargetRejected:
    device: str | None = None


@dataclass(frozen=True)
class RingTimeout:
    pass


@dataclass(frozen=True)
class WhisperDone:
    pass


@dataclass(frozen=True)
class TargetHungUp:
    pass


@dataclass(frozen=True)
class TelephonistAnswered:
    telephonist: str | None = None  # from the queue: whoever took the returned call


@dataclass(frozen=True)
class TelephonistBusy:
    pass


@dataclass(frozen=True)
class TelephonistNoAnswer:
    pass


@dataclass(frozen=True)
class TelephonistHungUp:
    pass


@dataclass(frozen=True)
class AttendedComplete:
    pass


@dataclass(frozen=True)
class AttendedCancel:
    pass


@dataclass(frozen=True)
class CallerHungUp:
    pass


@dataclass(frozen=True)
class ReferToPhoneHoursPressed:
    next_start: datetime | None = None  # None: use what the directory said


@dataclass(frozen=True)
class TakeMessagePressed:
    pass


@dataclass(frozen=True)
class MessageRecorded:
    reference: str


@dataclass(frozen=True)
class Reconciled:
    """What survived a controller restart or ARI reconnect, from live channels."""

    caller_alive: bool
    target_alive: bool  # the target's ringing or answered channel
    telephonist_alive: bool


Event = (
    Start
    | DirectoryVerdict
    | TargetAnswered
    | TargetBusy
    | TargetRejected
    | RingTimeout
    | WhisperDone
    | TargetHungUp
    | TelephonistAnswered
    | TelephonistBusy
    | TelephonistNoAnswer
    | TelephonistHungUp
    | AttendedComplete
    | AttendedCancel
    | CallerHungUp
    | ReferToPhoneHoursPressed
    | TakeMessagePressed
    | MessageRecorded
    | Reconciled
)


# --- Commands -------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldCaller:
    music: str


@dataclass(frozen=True)
class ResolveTarget:
    target: Target


@dataclass(frozen=True)
class RingDevices:
    devices: tuple[str, ...]
    timeout_s: float


@dataclass(frozen=True)
class StopRinging:
    party: Party = Party.TARGET
    keep: str | None = None  # the device that answered


@dataclass(frozen=True)
class PlayWhisper:
    channel: Party
    text: str


@dataclass(frozen=True)
class BridgeCallerWith:
    party: Party


@dataclass(frozen=True)
class BridgeTelephonistWithTarget:
    pass


@dataclass(frozen=True)
class HangUpTarget:
    pass


@dataclass(frozen=True)
class FreeTelephonist:
    """Release the telephonist from this handoff; idempotent."""

    telephonist: str


@dataclass(frozen=True)
class RingTelephonist:
    telephonist: str
    whisper: str
    timeout_s: float


@dataclass(frozen=True)
class RequeueAtHead:
    """Maps onto the queue's ``mark_returned``: keeps whose call it was, and why."""

    reason: Outcome
    whisper: str
    telephonist: str


@dataclass(frozen=True)
class SpeakToCaller:
    text: str


@dataclass(frozen=True)
class StartMessage:
    """Idempotent per handoff: reconciliation may send it again."""

    target: Target


@dataclass(frozen=True)
class EmitEvent:
    event: HandoffAttempt


Command = (
    HoldCaller
    | ResolveTarget
    | RingDevices
    | StopRinging
    | PlayWhisper
    | BridgeCallerWith
    | BridgeTelephonistWithTarget
    | HangUpTarget
    | FreeTelephonist
    | RingTelephonist
    | RequeueAtHead
    | SpeakToCaller
    | StartMessage
    | EmitEvent
)
Step = tuple[State, list[Command]]


# --- Transition -----------------------------------------------------------------------


def transition(state: State, event: Event, now: datetime) -> Step:
    """The next state and the commands to run; irrelevant events change nothing."""
    if isinstance(state, Done):
        return state, []
    if isinstance(state, Idle):
        return _start(event, now) if isinstance(event, Start) else (state, [])
    if isinstance(event, CallerHungUp):
        return _caller_gone(state, now)
    if isinstance(event, Reconciled):
        return _reconcile(state, event, now)
    step: Step | None
    match state:
        case Resolving():
            step = _resolving(state, event, now)
        case Ringing():
            step = _ringing(state, event, now)
        case Whispering():
            step = _whispering(state, event, now)
        case Consulting():
            step = _consulting(state, event, now)
        case RingingTelephonist():
            step = _ringing_telephonist(state, event, now)
        case Requeued():
            step = _requeued(state, event)
        case Returned():
            step = _returned(state, event, now)
        case ReferredToPhoneHours():
            step = _referred(state, event)
        case TakingMessage():
            step = _taking_message(state, event)
    return step if step is not None else (state, [])


def _start(event: Start, now: datetime) -> Step:
    ctx = Context(
        handoff_id=event.handoff_id,
        mode=event.mode,
        telephonist=event.telephonist,
        requested=event.target,
        initiated_by=event.initiated_by,
        override=event.override,
        ring_timeout=event.ring_timeout,
        telephonist_ring_timeout=event.telephonist_ring_timeout,
        music=event.music,
    )
    return Resolving(ctx, event.target), [
        HoldCaller(ctx.music),
        ResolveTarget(event.target),
    ]


def _resolving(state: Resolving, event: Event, now: datetime) -> Step | None:
    ctx, target = state.ctx, state.target
    if isinstance(event, AttendedCancel) and ctx.mode is Mode.ATTENDED:
        failure = Failure(Outcome.CANCELLED, target)
        return _back_to_telephonist(ctx, failure, now, whisper=False)
    if isinstance(event, TelephonistHungUp):
        return _telephonist_left_attended(state)
    if not isinstance(event, DirectoryVerdict):
        return None
    verdict, colleague = event.verdict, event.colleague

    def fail(
        outcome: Outcome,
        *,
        until: datetime | None = None,
        next_start: datetime | None = None,
    ) -> Step:
        failure = Failure(
            outcome,
            target,
            absent_until=until,
            next_phone_hours=next_start,
            colleague=colleague,
        )
        return _fail(ctx, failure, now)

    match verdict:
        case Reachable(devices=devices) if devices:
            return _ring(state, devices, now, colleague, verdict.on_busy, verdict.on_no_answer)
        case Reachable():
            return fail(Outcome.NO_ANSWER)
        case Closed(devices=devices, breakthrough_allowed=True) if ctx.override and devices:
            return _ring(state, devices, now, colleague, None, None, overridden=True)
        case Closed():
            return fail(Outcome.CLOSED)
        case Busy():
            return fail(Outcome.BUSY)
        case Absent(until=until):
            return fail(Outcome.ABSENT, until=until)
        case OutsidePhoneHours(next_start=next_start):
            return fail(Outcome.OUTSIDE_PHONE_HOURS, next_start=next_start)
        case Forwarded(to=to):
            return _follow_forward(ctx, target, to, state.hops, colleague, now)
    return None


def _follow_forward(
    ctx: Context,
    target: Target,
    to: Target,
    hops: int,
    colleague: str | None,
    now: datetime,
) -> Step:
    if hops >= MAX_FORWARD_HOPS:
        return _fail(ctx, Failure(Outcome.FORWARD_LOOP, target, colleague=colleague), now)
    return Resolving(ctx, to, hops + 1), [ResolveTarget(to)]


def _ring(
    state: Resolving,
    devices: tuple[str, ...],
    now: datetime,
    colleague: str | None,
    on_busy: Target | None,
    on_no_answer: Target | None,
    overridden: bool = False,
) -> Step:
    ctx = state.ctx
    ringing = Ringing(
        ctx,
        state.target,
        devices,
        since=now,
        deadline=now + ctx.ring_timeout,
        hops=state.hops,
        overridden=overridden,
        colleague=colleague,
        on_busy=on_busy,
        on_no_answer=on_no_answer,
    )
    return ringing, [RingDevices(devices, ctx.ring_timeout.total_seconds())]


def _ringing(state: Ringing, event: Event, now: datetime) -> Step | None:
    ctx = state.ctx
    match event:
        case TargetAnswered(device=device):
            ring_time = _seconds(state.since, now)
            stop = StopRinging(Party.TARGET, keep=device)
            if ctx.mode is Mode.ATTENDED:
                consulting = Consulting(ctx, state.target, ring_time, state.overridden)
                return consulting, [stop, BridgeTelephonistWithTarget()]
            whispering = Whispering(ctx, state.target, ring_time, state.overridden)
            return whispering, [stop, PlayWhisper(Party.TARGET, TARGET_WHISPER)]
        case TargetBusy(device=device) | TargetRejected(device=device):
            outcome = Outcome.BUSY if isinstance(event, TargetBusy) else Outcome.REJECTED
            remaining = tuple(d for d in state.devices if d != device) if device else ()
            if remaining:
                return replace(state, devices=remaining, refusals=(*state.refusals, outcome)), []
            # Busy on any device outranks a decline on another: the person is on a call.
            worst = Outcome.BUSY if Outcome.BUSY in (*state.refusals, outcome) else outcome
            return _ring_failed(state, worst, now, stop=False)
        case RingTimeout():
            return _ring_failed(state, Outcome.NO_ANSWER, now, stop=True)
        case AttendedCancel() if ctx.mode is Mode.ATTENDED:
            failure = _ring_failure(state, Outcome.CANCELLED, now)
            back = _back_to_telephonist(ctx, failure, now, whisper=False)
            return back[0], [StopRinging(), *back[1]]
        case TelephonistHungUp():
            return _telephonist_left_attended(state)
    return None


def _ring_failed(state: Ringing, outcome: Outcome, now: datetime, *, stop: bool) -> Step:
    stopping: list[Command] = [StopRinging()] if stop else []
    forward = state.on_busy if outcome is Outcome.BUSY else None
    forward = state.on_no_answer if outcome is Outcome.NO_ANSWER else forward
    if forward is not None:
        step = _follow_forward(state.ctx, state.target, forward, state.hops, state.colleague, now)
    else:
        step = _fail(state.ctx, _ring_failure(state, outcome, now), now)
    return step[0], [*stopping, *step[1]]


def _ring_failure(state: Ringing, outcome: Outcome, now: datetime) -> Failure:
    return Failure(
        outcome,
        state.target,
        ring_time_s=_seconds(state.since, now),
        colleague=state.colleague,
        overridden=state.overridden,
    )


def _whispering(state: Whispering, event: Event, now: datetime) -> Step | None:
    if isinstance(event, WhisperDone):
        return _handed_over(state, now)
    if isinstance(event, TargetHungUp):
        failure = Failure(Outcome.REJECTED, state.target, state.ring_time_s)
        return _fail(state.ctx, failure, now)
    return None


def _consulting(state: Consulting, event: Event, now: datetime) -> Step | None:
    # A telephonist hanging up mid-consultation completes the transfer, as in Asterisk.
    if isinstance(event, AttendedComplete | TelephonistHungUp):
        return _handed_over(state, now)
    if isinstance(event, AttendedCancel):
        failure = Failure(Outcome.CANCELLED, state.target, state.ring_time_s)
        back = _back_to_telephonist(state.ctx, failure, now, whisper=False)
        return back[0], [HangUpTarget(), *back[1]]
    if isinstance(event, TargetHungUp):
        failure = Failure(Outcome.REJECTED, state.target, state.ring_time_s)
        return _back_to_telephonist(state.ctx, failure, now, whisper=False)
    return None


def _handed_over(state: Whispering | Consulting, now: datetime) -> Step:
    ctx = state.ctx
    outcome = Outcome.OVERRIDDEN if state.overridden else Outcome.ANSWERED
    event = _attempt(ctx, state.target, outcome, now, state.ring_time_s, state.overridden)
    commands: list[Command] = [
        BridgeCallerWith(Party.TARGET),
        FreeTelephonist(ctx.telephonist),
        EmitEvent(event),
    ]
    return Done(outcome), commands


def _telephonist_left_attended(state: Resolving | Ringing) -> Step | None:
    # Nobody is left to take the caller back in person, so ring-back applies instead.
    if state.ctx.mode is not Mode.ATTENDED:
        return None
    return replace(state, ctx=replace(state.ctx, mode=Mode.FOLLOW)), []


def _fail(ctx: Context, failure: Failure, now: datetime) -> Step:
    if ctx.mode is Mode.ATTENDED:
        return _back_to_telephonist(ctx, failure, now)
    whisper = whisper_for(ctx, failure)
    timeout = ctx.telephonist_ring_timeout
    ring_back = RingTelephonist(ctx.telephonist, whisper, timeout.total_seconds())
    return RingingTelephonist(ctx, failure, now + timeout), [ring_back]


def _back_to_telephonist(
    ctx: Context, failure: Failure, now: datetime, *, whisper: bool = True
) -> Step:
    """Attended mode: the telephonist is still on the line, so reconnect at once."""
    event = _attempt_for(ctx, failure, now, ReturnedTo.TELEPHONIST)
    commands: list[Command] = [BridgeCallerWith(Party.TELEPHONIST), EmitEvent(event)]
    if whisper:
        commands.insert(0, PlayWhisper(Party.TELEPHONIST, whisper_for(ctx, failure)))
    return Returned(ctx, failure, ReturnedTo.TELEPHONIST), commands


def _ringing_telephonist(state: RingingTelephonist, event: Event, now: datetime) -> Step | None:
    ctx, failure = state.ctx, state.failure
    match event:
        case TelephonistAnswered(telephonist=who) if who in (None, ctx.telephonist):
            attempt = _attempt_for(ctx, failure, now, ReturnedTo.TELEPHONIST)
            returned = Returned(ctx, failure, ReturnedTo.TELEPHONIST)
            return returned, [BridgeCallerWith(Party.TELEPHONIST), EmitEvent(attempt)]
        case TelephonistBusy() | TelephonistNoAnswer():
            return _requeue(ctx, failure, now, stop=isinstance(event, TelephonistNoAnswer))
    return None


def _requeue(
    ctx: Context, failure: Failure, now: datetime, *, stop: bool, emit: bool = True
) -> Step:
    commands: list[Command] = [
        FreeTelephonist(ctx.telephonist),
        RequeueAtHead(failure.outcome, whisper_for(ctx, failure), ctx.telephonist),
    ]
    if stop:
        commands.insert(0, StopRinging(Party.TELEPHONIST))
    if emit:
        commands.append(EmitEvent(_attempt_for(ctx, failure, now, ReturnedTo.QUEUE)))
    return Requeued(ctx, failure), commands


def _requeued(state: Requeued, event: Event) -> Step | None:
    # The queue bridged the caller with whoever took the call; it now owns the return.
    if isinstance(event, TelephonistAnswered):
        ctx = replace(state.ctx, telephonist=event.telephonist or state.ctx.telephonist)
        return Returned(ctx, state.failure, ReturnedTo.QUEUE), []
    return None


def _returned(state: Returned, event: Event, now: datetime) -> Step | None:
    ctx, failure = state.ctx, state.failure
    match event:
        case Start():
            return _start(event, now)
        case ReferToPhoneHoursPressed(next_start=pressed):
            next_start = pressed if pressed is not None else failure.next_phone_hours
            if next_start is None:
                return None
            speech = SpeakToCaller(phone_hours_text(failure.target, next_start))
            referred = ReferredToPhoneHours(ctx, failure, next_start)
            return referred, [FreeTelephonist(ctx.telephonist), speech]
        case TakeMessagePressed():
            return TakingMessage(ctx, failure), [StartMessage(failure.target)]
        case TelephonistHungUp():
            return Done(failure.outcome), []
    return None


def _referred(state: ReferredToPhoneHours, event: Event) -> Step | None:
    if isinstance(event, TakeMessagePressed):
        return TakingMessage(state.ctx, state.failure), [StartMessage(state.failure.target)]
    return None


def _taking_message(state: TakingMessage, event: Event) -> Step | None:
    if isinstance(event, MessageRecorded):
        receipt = SpeakToCaller(receipt_text(event.reference))
        return Done(Outcome.MESSAGE), [receipt, FreeTelephonist(state.ctx.telephonist)]
    return None


def _caller_gone(state: State, now: datetime) -> Step:
    match state:
        case Resolving(ctx=ctx, target=target):
            return _abandoned(ctx, target, now, None, False, [])
        case Ringing(ctx=ctx, target=target, overridden=overridden):
            ring_time = _seconds(state.since, now)
            return _abandoned(ctx, target, now, ring_time, overridden, [StopRinging()])
        case Whispering(ctx=ctx, target=target, ring_time_s=ring_time, overridden=overridden):
            return _abandoned(ctx, target, now, ring_time, overridden, [HangUpTarget()])
        case Consulting(ctx=ctx, target=target, ring_time_s=ring_time, overridden=overridden):
            # The telephonist and target stay connected; ending that talk is up to them.
            return _abandoned(ctx, target, now, ring_time, overridden, [])
        case RingingTelephonist(ctx=ctx, failure=failure):
            attempt = _attempt_for(ctx, failure, now, None)
            commands: list[Command] = [
                StopRinging(Party.TELEPHONIST),
                FreeTelephonist(ctx.telephonist),
                EmitEvent(attempt),
            ]
            return Done(Outcome.ABANDONED), commands
        case Requeued():
            return Done(Outcome.ABANDONED), []
        case Returned(ctx=ctx, failure=failure):
            # Back with a telephonist, the call ended normally; the outcome stands.
            return Done(failure.outcome), [FreeTelephonist(ctx.telephonist)]
        case ReferredToPhoneHours():
            return Done(Outcome.REFERRED), []
        case TakingMessage(ctx=ctx):
            # Already being taken; the message service decides whether it is empty.
            return Done(Outcome.MESSAGE), [FreeTelephonist(ctx.telephonist)]
    return state, []


def _abandoned(
    ctx: Context,
    target: Target,
    now: datetime,
    ring_time_s: float | None,
    overridden: bool,
    cleanup: list[Command],
) -> Step:
    attempt = _attempt(ctx, target, Outcome.ABANDONED, now, ring_time_s, overridden)
    commands = [*cleanup, FreeTelephonist(ctx.telephonist), EmitEvent(attempt)]
    return Done(Outcome.ABANDONED), commands


def _reconcile(state: State, event: Reconciled, now: datetime) -> Step:
    """After a restart: keep what is live, return what was lost, strand nothing."""
    if not event.caller_alive:
        return _caller_gone(state, now)
    if isinstance(state, Resolving | Ringing) and not event.telephonist_alive:
        state = replace(state, ctx=replace(state.ctx, mode=Mode.FOLLOW))
    match state:
        case Resolving():
            # The lookup's answer may have been lost with the process.
            return state, [ResolveTarget(state.target)]
        case Ringing():
            if not event.target_alive:
                return _ring_failed(state, Outcome.NO_ANSWER, now, stop=False)
            if now >= state.deadline:
                return _ring_failed(state, Outcome.NO_ANSWER, now, stop=True)
            return state, []
        case Whispering():
            # A whisper cut short beats a caller left on hold with a live target.
            if event.target_alive:
                return _handed_over(state, now)
            return _fail(
                state.ctx,
                Failure(Outcome.REJECTED, state.target, state.ring_time_s),
                now,
            )
        case Consulting():
            if not event.target_alive:
                failure = Failure(Outcome.REJECTED, state.target, state.ring_time_s)
                return _back_to_telephonist(state.ctx, failure, now, whisper=False)
            if not event.telephonist_alive:
                return _handed_over(state, now)
            return state, []
        case RingingTelephonist(ctx=ctx, failure=failure):
            if not event.telephonist_alive:
                return _requeue(ctx, failure, now, stop=False)
            if now >= state.deadline:
                return _requeue(ctx, failure, now, stop=True)
            return state, []
        case Returned(ctx=ctx, failure=failure) if not event.telephonist_alive:
            return _requeue(ctx, failure, now, stop=False, emit=False)
        case ReferredToPhoneHours():
            # The playback died with the process; say it again instead of silence.
            return state, [SpeakToCaller(phone_hours_text(state.failure.target, state.next_start))]
        case TakingMessage():
            return state, [StartMessage(state.failure.target)]
    return state, []


# --- Stats events and spoken text -----------------------------------------------------


def _attempt(
    ctx: Context,
    reached: Target,
    outcome: Outcome,
    now: datetime,
    ring_time_s: float | None,
    overridden: bool,
    returned_to: ReturnedTo | None = None,
    returned: bool = False,
) -> HandoffAttempt:
    requested = ctx.requested
    return HandoffAttempt(
        handoff_id=ctx.handoff_id,
        at=now,
        telephonist=ctx.telephonist,
        mode=ctx.mode.value,
        initiated_by=ctx.initiated_by.value,
        target_name=requested.name,
        target_person=requested.person_id,
        target_unit=requested.unit,
        target_department=requested.department,
        reached_name=reached.name if reached != requested else None,
        ring_time_s=ring_time_s,
        outcome=outcome.value,
        override=ctx.override or overridden,
        returned=returned or returned_to is not None,
        returned_to=returned_to.value if returned_to is not None else None,
    )


def _attempt_for(
    ctx: Context, failure: Failure, now: datetime, returned_to: ReturnedTo | None
) -> HandoffAttempt:
    return _attempt(
        ctx,
        failure.target,
        failure.outcome,
        now,
        failure.ring_time_s,
        failure.overridden,
        returned_to,
        returned=True,
    )


def _seconds(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds())


_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def spoken_time(t: datetime) -> str:
    """'tisdag 13 maj klockan 10.00', in Stockholm time."""
    local = t.astimezone(STOCKHOLM)
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    return f"{day} klockan {local:%H.%M}"


def whisper_for(ctx: Context, failure: Failure) -> str:
    """What the telephonist, or the next one from the queue, hears before the caller."""
    name = failure.target.name
    match failure.outcome:
        case Outcome.BUSY:
            text = f"Upptaget hos {name}"
        case Outcome.REJECTED:
            text = f"{name} avböjde samtalet"
        case Outcome.ABSENT if failure.absent_until is not None:
            text = f"{name} är frånvarande, tillbaka {spoken_time(failure.absent_until)}"
        case Outcome.ABSENT:
            text = f"{name} är frånvarande"
        case Outcome.CLOSED:
            text = f"Stängd anknytning hos {name}"
        case Outcome.OUTSIDE_PHONE_HOURS if failure.next_phone_hours is not None:
            when = spoken_time(failure.next_phone_hours)
            text = f"Utanför telefontid hos {name}, nästa telefontid {when}"
        case Outcome.OUTSIDE_PHONE_HOURS:
            text = f"Utanför telefontid hos {name}"
        case Outcome.FORWARD_LOOP:
            text = f"Vidarekopplingen från {name} går runt i cirkel"
        case Outcome.CANCELLED:
            text = f"Överlämningen till {name} avbröts"
        case _:
            text = f"Inget svar hos {name}"
    if failure.target != ctx.requested:
        text += f", vidarekopplat från {ctx.requested.name}"
    if failure.colleague:
        text += f". Ledig kollega: {failure.colleague}"
    return text


def phone_hours_text(target: Target, next_start: datetime) -> str:
    return f"{target.name} har telefontid {spoken_time(next_start)}."


def receipt_text(reference: str) -> str:
    return f"Ditt meddelande är registrerat. Ditt referensnummer är {reference}."
