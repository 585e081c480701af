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

from dataclasses import replace
from datetime import datetime

from vaxel.handoff.commands import (
    BridgeCallerWith,
    BridgeTelephonistWithTarget,
    Command,
    EmitEvent,
    FreeTelephonist,
    HangUpTarget,
    HoldCaller,
    LookUpPhoneHours,
    PlayWhisper,
    ResolveTarget,
    SpeakToCaller,
    StartMessage,
    Step,
    StopRinging,
)
from vaxel.handoff.commands import attempt_for as _attempt_for
from vaxel.handoff.commands import concluded as _concluded
from vaxel.handoff.commands import seconds as _seconds
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
    WhisperDone,
)
from vaxel.handoff.states import (
    TARGET_WHISPER,
    Consulting,
    Context,
    Done,
    Failure,
    Idle,
    Mode,
    Outcome,
    Party,
    ReferredToPhoneHours,
    Requeued,
    Resolving,
    Returned,
    ReturnedTo,
    Ringing,
    RingingTelephonist,
    State,
    TakingMessage,
    Whispering,
)
from vaxel.handoff.steps import (
    _abandoned,
    _back_to_telephonist,
    _fail,
    _failure_of,
    _follow_forward,
    _handed_over,
    _requeue,
    _ring,
    _ring_failed,
    _ring_failure,
    _telephonist_left_attended,
)
from vaxel.handoff.wording import no_phone_hours_text, phone_hours_text, receipt_text

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
            step = _taking_message(state, event, now)
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
    verdict, colleague, advice = event.verdict, event.colleague, event.advice

    def fail(
        outcome: Outcome,
        *,
        until: datetime | None = None,
        next_start: datetime | None = None,
    ) -> Step:
        failure = _failure_of(
            outcome, target, colleague, advice, absent_until=until, next_start=next_start
        )
        return _fail(ctx, failure, now)

    match verdict:
        case Reachable(devices=devices) if devices:
            return _ring(
                state, devices, now, colleague, verdict.on_busy, verdict.on_no_answer,
                advice=advice,
            )  # fmt: skip
        case Reachable():
            return fail(Outcome.NO_ANSWER)
        case Closed(devices=devices, breakthrough_allowed=True) if ctx.override and devices:
            return _ring(state, devices, now, colleague, None, None, True, advice)
        case Closed():
            return fail(Outcome.CLOSED)
        case Busy():
            return fail(Outcome.BUSY)
        case Absent(until=until):
            return fail(Outcome.ABSENT, until=until)
        case OutsidePhoneHours(next_start=next_start):
            return fail(Outcome.OUTSIDE_PHONE_HOURS, next_start=next_start)
        case Forwarded(to=to):
            return _follow_forward(ctx, target, to, state.hops, colleague, now, advice)
    return None


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
        case ReferToPhoneHoursPressed(next_start=given):
            # Any returned call may be referred, whatever the reason it came back.
            known = failure.next_phone_hours
            next_start = given or (known if known is not None and known > now else None)
            if next_start is not None:
                return _refer(ctx, failure, next_start, now)
            return replace(state, looking_up=True), [LookUpPhoneHours(failure.target)]
        case PhoneHoursLookedUp(next_start=found) if state.looking_up:
            if found is not None and found > now:
                return _refer(ctx, failure, found, now)
            # Nothing to refer to: say so, and leave the caller with the telephonist.
            told = replace(failure, next_phone_hours=None, no_phone_hours=True)
            notice = PlayWhisper(Party.TELEPHONIST, no_phone_hours_text(failure.target))
            return Returned(ctx, told, state.returned_to), [notice]
        case TakeMessagePressed():
            return TakingMessage(ctx, failure), [StartMessage(failure.target)]
        case TelephonistHungUp():
            return Done(failure.outcome), []
    return None


def _refer(ctx: Context, failure: Failure, next_start: datetime, now: datetime) -> Step:
    speech = SpeakToCaller(phone_hours_text(failure.target, next_start))
    referred = ReferredToPhoneHours(ctx, failure, next_start)
    fact = _concluded(ctx, failure, Outcome.REFERRED, now, next_start)
    # Speaking takes the call back from the queue first; only then can the telephonist's
    # leg be released without ending the caller's call.
    return referred, [speech, FreeTelephonist(ctx.telephonist), EmitEvent(fact)]


def _referred(state: ReferredToPhoneHours, event: Event) -> Step | None:
    if isinstance(event, TakeMessagePressed):
        return TakingMessage(state.ctx, state.failure), [StartMessage(state.failure.target)]
    return None


def _taking_message(state: TakingMessage, event: Event, now: datetime) -> Step | None:
    if isinstance(event, MessageRecorded):
        receipt = SpeakToCaller(receipt_text(event.reference))
        fact = _concluded(state.ctx, state.failure, Outcome.MESSAGE, now)
        return Done(Outcome.MESSAGE), [
            receipt,
            FreeTelephonist(state.ctx.telephonist),
            EmitEvent(fact),
        ]
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
        case Returned(looking_up=True):
            # The directory's answer may have been lost with the process.
            return state, [LookUpPhoneHours(state.failure.target)]
        case ReferredToPhoneHours():
            # The playback died with the process; say it again instead of silence.
            return state, [SpeakToCaller(phone_hours_text(state.failure.target, state.next_start))]
        case TakingMessage():
            return state, [StartMessage(state.failure.target)]
    return state, []
