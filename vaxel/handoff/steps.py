"""Step builders shared by the transition's states: ring, fail, return, hand over.

Pure, like ``model.py``, which is the only caller.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from vaxel.handoff.commands import (
    BridgeCallerWith,
    Command,
    EmitEvent,
    FreeTelephonist,
    PlayWhisper,
    RequeueAtHead,
    ResolveTarget,
    RingDevices,
    RingTelephonist,
    Step,
    StopRinging,
)
from vaxel.handoff.commands import attempt as _attempt
from vaxel.handoff.commands import attempt_for as _attempt_for
from vaxel.handoff.commands import seconds as _seconds
from vaxel.handoff.states import (
    MAX_FORWARD_HOPS,
    Advice,
    Consulting,
    Context,
    Done,
    Failure,
    Mode,
    Outcome,
    Party,
    Requeued,
    Resolving,
    Returned,
    ReturnedTo,
    Ringing,
    RingingTelephonist,
    Target,
    Whispering,
)
from vaxel.handoff.wording import whisper_for


def _failure_of(
    outcome: Outcome,
    target: Target,
    colleague: str | None,
    advice: Advice,
    *,
    ring_time_s: float | None = None,
    absent_until: datetime | None = None,
    next_start: datetime | None = None,
    overridden: bool = False,
) -> Failure:
    """A failure with what the directory advised: colleagues and the next phone hours."""
    return Failure(
        outcome,
        target,
        ring_time_s=ring_time_s,
        absent_until=absent_until,
        next_phone_hours=next_start or advice.next_phone_hours,
        colleague=colleague,
        overridden=overridden,
        colleagues=advice.colleagues,
        no_phone_hours=advice.no_phone_hours and next_start is None,
    )


def _follow_forward(
    ctx: Context,
    target: Target,
    to: Target,
    hops: int,
    colleague: str | None,
    now: datetime,
    advice: Advice = Advice(),
) -> Step:
    if hops >= MAX_FORWARD_HOPS:
        return _fail(ctx, _failure_of(Outcome.FORWARD_LOOP, target, colleague, advice), now)
    return Resolving(ctx, to, hops + 1), [ResolveTarget(to)]


def _ring(
    state: Resolving,
    devices: tuple[str, ...],
    now: datetime,
    colleague: str | None,
    on_busy: Target | None,
    on_no_answer: Target | None,
    overridden: bool = False,
    advice: Advice = Advice(),
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
        advice=advice,
    )
    return ringing, [RingDevices(devices, ctx.ring_timeout.total_seconds())]


def _ring_failed(state: Ringing, outcome: Outcome, now: datetime, *, stop: bool) -> Step:
    stopping: list[Command] = [StopRinging()] if stop else []
    forward = state.on_busy if outcome is Outcome.BUSY else None
    forward = state.on_no_answer if outcome is Outcome.NO_ANSWER else forward
    if forward is not None:
        step = _follow_forward(
            state.ctx, state.target, forward, state.hops, state.colleague, now, state.advice
        )
    else:
        step = _fail(state.ctx, _ring_failure(state, outcome, now), now)
    return step[0], [*stopping, *step[1]]


def _ring_failure(state: Ringing, outcome: Outcome, now: datetime) -> Failure:
    return _failure_of(
        outcome,
        state.target,
        state.colleague,
        state.advice,
        ring_time_s=_seconds(state.since, now),
        overridden=state.overridden,
    )


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
