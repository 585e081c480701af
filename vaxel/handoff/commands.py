"""What the handoff asks the service to do, and the labelled attempt events it emits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vaxel.handoff.events import HandoffAttempt, HandoffConcluded
from vaxel.handoff.states import Context, Failure, Outcome, Party, ReturnedTo, State, Target

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
class LookUpPhoneHours:
    """Ask the directory for the target's next phone hours; answered by
    ``PhoneHoursLookedUp``."""

    target: Target


@dataclass(frozen=True)
class EmitEvent:
    event: HandoffAttempt | HandoffConcluded


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
    | LookUpPhoneHours
    | EmitEvent
)
Step = tuple[State, list[Command]]


# --- Labelled attempt events ----------------------------------------------------------


def attempt(
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


def attempt_for(
    ctx: Context, failure: Failure, now: datetime, returned_to: ReturnedTo | None
) -> HandoffAttempt:
    return attempt(
        ctx,
        failure.target,
        failure.outcome,
        now,
        failure.ring_time_s,
        failure.overridden,
        returned_to,
        returned=True,
    )


def concluded(
    ctx: Context,
    failure: Failure,
    outcome: Outcome,
    now: datetime,
    next_phone_hours: datetime | None = None,
) -> HandoffConcluded:
    """What the telephonist did with the returned call: the caller's outcome for statistics."""
    target = failure.target
    return HandoffConcluded(
        handoff_id=ctx.handoff_id,
        at=now,
        telephonist=ctx.telephonist,
        outcome=outcome.value,
        reason=failure.outcome.value,
        target_name=target.name,
        target_person=target.person_id,
        target_unit=target.unit,
        target_department=target.department,
        next_phone_hours=next_phone_hours,
    )  # fmt: skip


def seconds(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds())
