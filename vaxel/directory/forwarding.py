"""Forwarding targets and what a transfer to a person should do. Pure.

``validate_forward_target`` is the only way a typed target becomes a ``ValidTarget``;
nothing a user types reaches a dial string without passing it. ``route_for`` tells the
handoff, before anything rings, what a transfer to a person will do, and
``is_free_colleague`` whom to suggest instead (the same rule in search and handoff).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from vaxel.directory.model import (
    EXTENSION,
    IDENTIFIER,
    ON_CALL_STATES,
    Absent,
    Available,
    Closed,
    DeviceState,
    Forwarded,
    ForwardKind,
    OutsidePhoneHours,
    Person,
    Presence,
    TargetKind,
    ValidTarget,
    require_aware,
)
from vaxel.numbers import NumberPolicy, NumberRefused, check_number


class TargetRefused(ValueError):
    """A forwarding target that cannot be used; ``str()`` is safe to show to the person."""

    def __init__(self, value: str, reason: str, code: str) -> None:
        self.value, self.reason, self.code = value, reason, code
        super().__init__(reason)


def validate_forward_target(
    kind: TargetKind | str,
    value: str,
    known_extensions: Collection[str],
    policy: NumberPolicy,
    known_groups: Collection[str] = (),
    own_extension: str | None = None,
) -> ValidTarget:
    try:
        kind = TargetKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in TargetKind)
        raise TargetRefused(str(kind), f"choose a target kind: {choices}", "kind") from None
    text = value.strip(" ")  # only spaces: a newline or tab is refused, not trimmed
    if kind in (TargetKind.SWITCHBOARD, TargetKind.MESSAGE):
        if text:
            raise TargetRefused(value, f"a forward to {kind.value} takes no number", "value")
        return ValidTarget(kind)
    if not text:
        raise TargetRefused(value, f"give the {kind.value} to forward to", "empty")
    if kind == TargetKind.EXTENSION:
        if not EXTENSION.fullmatch(text):
            raise TargetRefused(
                value, "an extension is 3-6 digits, e.g. 2001; nothing else", "invalid"
            )
        if text not in known_extensions:
            raise TargetRefused(value, f"there is no extension {text} in the directory", "unknown")
        if text == own_extension:
            raise TargetRefused(value, "a forward to your own extension would loop", "loop")
        return ValidTarget(kind, text)
    if kind == TargetKind.GROUP:
        if not IDENTIFIER.fullmatch(text) or text not in known_groups:
            raise TargetRefused(value, "choose one of the directory's groups", "unknown")
        return ValidTarget(kind, text)
    try:
        number = check_number(text, policy)
    except NumberRefused as refused:
        raise TargetRefused(value, refused.reason, refused.code) from None
    return ValidTarget(kind, number.e164)


# --- Routes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RingDevices:
    """Ring the desk phone and mobile together; the handoff applies the fallbacks to the
    dial result (BUSY -> on_busy, NOANSWER -> on_no_answer, else back to the telephonist).
    """

    extension: str
    desk_endpoint: str | None
    mobile: str | None
    on_busy: ValidTarget | None
    on_no_answer: ValidTarget | None


@dataclass(frozen=True)
class FollowForward:
    target: ValidTarget
    because: ForwardKind | None  # None: forwarded because the person is absent


@dataclass(frozen=True)
class ReportAbsent:
    until: datetime | None
    return_message: str


@dataclass(frozen=True)
class ReportClosed:
    reason: str
    breakthrough_allowed: bool


@dataclass(frozen=True)
class ReferToPhoneHours:
    next_start: datetime | None


@dataclass(frozen=True)
class ReportBusy:
    """On a call with no busy forward: the telephonist offers a message or a callback."""

    on_no_answer: ValidTarget | None


Route = RingDevices | FollowForward | ReportAbsent | ReportClosed | ReferToPhoneHours | ReportBusy


def route_for(person: Person, presence: Presence, now: datetime) -> Route:
    """What a transfer to ``person`` should do, decided by the presence precedence.

    ``now`` is checked, not used: presence was computed for it, and a stale presence is
    the caller's concern.
    """
    require_aware(now)
    status = presence.status
    if isinstance(status, Closed):
        return ReportClosed(status.reason, status.breakthrough_allowed)
    if isinstance(status, Absent):
        if status.forward is not None:
            return FollowForward(status.forward, None)
        return ReportAbsent(status.until, status.return_message)
    if isinstance(status, Forwarded):
        return FollowForward(status.target, status.because)
    if isinstance(status, OutsidePhoneHours):
        return ReferToPhoneHours(status.next_start)
    if presence.device in ON_CALL_STATES:
        if presence.on_busy is not None:
            return FollowForward(presence.on_busy, ForwardKind.BUSY)
        return ReportBusy(presence.on_no_answer)
    return RingDevices(
        person.extension,
        person.desk_endpoint,
        person.mobile,
        presence.on_busy,
        presence.on_no_answer,
    )


def is_free_colleague(person: Person, presence: Presence, *, mobiles_ring: bool) -> bool:
    """Worth suggesting to a telephonist: available by their own settings, with a phone
    that will ring. That is an idle registered phone, or a mobile a transfer rings too; an
    extension Asterisk knows nothing of (never registered) would send the caller nowhere."""
    if not isinstance(presence.status, Available):
        return False
    return presence.device is DeviceState.NOT_INUSE or (mobiles_ring and person.mobile is not None)
