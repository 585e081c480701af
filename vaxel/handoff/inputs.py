"""What the handoff reacts to: the directory's verdict on a target, and events.

The service turns ARI events, timers, keys and API calls into these; ``model.transition``
decides what they mean in each state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vaxel.handoff.states import Advice, Initiator, Mode, Target

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
    advice: Advice = field(default_factory=Advice)


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
class PhoneHoursLookedUp:
    """The directory's answer to ``LookUpPhoneHours``: None, no phone hours ahead."""

    next_start: datetime | None


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
    | PhoneHoursLookedUp
    | TakeMessagePressed
    | MessageRecorded
    | Reconciled
)
