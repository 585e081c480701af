"""The staff directory's domain: organisation, people, their phone settings and presence.

Pure: no I/O, no clock. Every decision takes ``now`` as an aware datetime; local wall
times (phone hours) are interpreted in Europe/Stockholm.

Presence precedence, highest first (one status per person):

1. ``closed``: someone deliberately closed the extension (e.g. off sick).
2. ``absent``: an absence covers ``now``; it carries the unconditional forward, if any.
3. ``forwarded``: an unconditional forward.
4. ``outside_phone_hours``: or ``forwarded`` when an outside-phone-hours forward is set.
5. ``on_call`` / ``ringing``: from the Asterisk device state.
6. ``available``.

Settings outrank the device state because the status a telephonist sees must predict what
a transfer will do: a person on a call outside their phone hours is still "refer to phone
hours", not "busy". The raw device state stays available as ``Presence.device``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import ClassVar, NamedTuple
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
EXTENSION = re.compile(r"[0-9]{3,6}")
ENDPOINT = re.compile(r"PJSIP/[A-Za-z0-9_.-]{1,40}")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
PERIOD = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to step over a summer's worth of closed days in dated exceptions.
SEARCH_HORIZON_DAYS = 120


def no_holidays(day: date) -> bool:
    return False


def require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")


# --- Organisation and people -------------------------------------------------------------


class MessageChannel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class Department:
    id: str
    name: str


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    department_id: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    unit_id: str


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    title: str
    unit_id: str
    extension: str
    desk_endpoint: str | None = None
    mobile: str | None = None
    email: str | None = None
    number_hidden: bool = False
    message_channel: MessageChannel = MessageChannel.EMAIL
    group_id: str | None = None
    active: bool = True

    def __post_init__(self) -> None:
        # These values end up in dial strings, so a Person cannot exist with unsafe ones.
        if not EXTENSION.fullmatch(self.extension):
            raise ValueError(f"extension {self.extension!r} must be 3-6 digits")
        if self.desk_endpoint is not None and not ENDPOINT.fullmatch(self.desk_endpoint):
            raise ValueError(f"desk endpoint {self.desk_endpoint!r} must look like PJSIP/2001")
        if self.mobile is not None and not E164.fullmatch(self.mobile):
            raise ValueError(f"mobile {self.mobile!r} must be E.164, e.g. +46701740600")


@dataclass(frozen=True)
class Keyword:
    """A topic ("torghandel") that leads a search to a person or to everyone in a unit.

    Higher ``priority`` (0-100) ranks first among people sharing the keyword.
    """

    term: str
    priority: int = 50
    person_id: str | None = None
    unit_id: str | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.unit_id is None):
            raise ValueError("a keyword belongs to exactly one person or one unit")
        if not 0 <= self.priority <= 100:
            raise ValueError("keyword priority must be 0-100")
        if not self.term.strip():
            raise ValueError("a keyword needs a term")


# --- Phone hours -------------------------------------------------------------------------

Window = tuple[time, time]
"""A local wall-clock window, start inclusive, end exclusive."""


def parse_period(text: str) -> Window:
    """'10:00-12:00' -> (10:00, 12:00); '24:00' means end of day, as in the site file."""
    match = PERIOD.fullmatch(text.strip(" "))
    if not match:
        raise ValueError(f"{text!r} is not a period like 10:00-12:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    end = time.max if (h2, m2) == (24, 0) else time(h2, m2)
    return time(h1, m1), end


def overlapping_periods(periods: Sequence[str]) -> tuple[str, str] | None:
    """Two of ``periods`` that overlap (10:00-12:00 and 11:00-13:00), or None. Touching
    periods (10:00-12:00, 12:00-13:00) do not overlap."""
    spans = sorted((parse_period(p), p) for p in periods)
    for (earlier, first), (later, second) in pairwise(spans):
        if later[0] < earlier[1]:
            return first, second
    return None


def parse_weekly(periods: Mapping[str, Sequence[str]]) -> dict[int, tuple[Window, ...]]:
    """The site file's shape ({"mon": ["10:00-12:00"]}) as PhoneHours.weekly."""
    weekly: dict[int, tuple[Window, ...]] = {}
    for day, texts in periods.items():
        if day not in WEEKDAYS:
            raise ValueError(f"{day!r} is not a weekday like 'mon'")
        weekly[WEEKDAYS.index(day)] = tuple(parse_period(t) for t in texts)
    return weekly


@dataclass(frozen=True)
class PhoneHours:
    """Weekly windows (weekday 0 = Monday) plus dated exceptions that replace a whole day.

    An exception with no windows means no phone hours that day. Holidays come from the
    caller as ``is_holiday`` (e.g. ``BusinessCalendar.is_holiday``); a holiday closes the
    day unless an exception names it.
    """

    weekly: Mapping[int, Sequence[Window]]
    exceptions: Mapping[date, Sequence[Window]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for day, windows in [*self.weekly.items(), *self.exceptions.items()]:
            for start, end in windows:
                if end <= start:
                    raise ValueError(f"{day}: window {start}-{end} ends before it starts")

    def windows_on(
        self, day: date, is_holiday: Callable[[date], object] = no_holidays
    ) -> Sequence[Window]:
        if day in self.exceptions:
            return self.exceptions[day]
        if is_holiday(day):
            return ()
        return self.weekly.get(day.weekday(), ())


class PhoneHoursState(NamedTuple):
    inside: bool
    next_start: datetime | None
    """When outside: the next window's start (Stockholm time), None if none is scheduled."""


def phone_hours_state(
    hours: PhoneHours, now: datetime, is_holiday: Callable[[date], object] = no_holidays
) -> PhoneHoursState:
    require_aware(now)
    local = now.astimezone(STOCKHOLM)
    for start, end in hours.windows_on(local.date(), is_holiday):
        if start <= local.time() < end:
            return PhoneHoursState(True, None)
    return PhoneHoursState(False, next_phone_hours_start(hours, now, is_holiday))


def next_phone_hours_start(
    hours: PhoneHours, now: datetime, is_holiday: Callable[[date], object] = no_holidays
) -> datetime | None:
    """The start of the next window after ``now`` (Stockholm time), inside one or not:
    what a caller referred to phone hours is told. None if none is scheduled."""
    require_aware(now)
    local = now.astimezone(STOCKHOLM)
    for offset in range(SEARCH_HORIZON_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        for start, _end in sorted(hours.windows_on(day, is_holiday)):
            # Round-tripping through UTC turns a start inside the spring-forward gap into
            # a real instant.
            candidate = datetime.combine(day, start, tzinfo=STOCKHOLM)
            candidate = candidate.astimezone(ZoneInfo("UTC")).astimezone(STOCKHOLM)
            if candidate > now:
                return candidate
    return None


# --- Absence, forwarding, closed extension -----------------------------------------------


@dataclass(frozen=True)
class Absence:
    start: datetime
    end: datetime | None  # None: until further notice
    reason: str = ""
    return_message: str = ""

    def __post_init__(self) -> None:
        require_aware(self.start)
        if self.end is not None:
            require_aware(self.end)
            if self.end <= self.start:
                raise ValueError("an absence must end after it starts")

    def covers(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)


class ForwardKind(StrEnum):
    UNCONDITIONAL = "unconditional"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    OUTSIDE_PHONE_HOURS = "outside_phone_hours"


class TargetKind(StrEnum):
    EXTENSION = "extension"  # a colleague
    MOBILE = "mobile"
    GROUP = "group"
    SWITCHBOARD = "switchboard"
    MESSAGE = "message"


@dataclass(frozen=True)
class ValidTarget:
    """A forwarding target that passed ``forwarding.validate_forward_target``.

    ``value`` is digits for an extension, E.164 for a mobile, a group id, or "" for the
    switchboard and for taking a message.
    """

    kind: TargetKind
    value: str = ""


@dataclass(frozen=True)
class Forward:
    kind: ForwardKind
    target: ValidTarget


@dataclass(frozen=True)
class ClosedExtension:
    since: datetime
    by: str
    reason: str = ""
    # The centre may break through only where the department has agreed to it.
    breakthrough_allowed: bool = False


@dataclass(frozen=True)
class PersonSettings:
    """What a person (or a colleague or telephonist with the right role) has set."""

    phone_hours: PhoneHours | None = None  # None: reachable whenever the phone is
    absences: tuple[Absence, ...] = ()
    forwards: tuple[Forward, ...] = ()
    closed: ClosedExtension | None = None

    def __post_init__(self) -> None:
        kinds = [f.kind for f in self.forwards]
        if len(kinds) != len(set(kinds)):
            raise ValueError("at most one forward of each kind")

    def forward(self, kind: ForwardKind) -> ValidTarget | None:
        return next((f.target for f in self.forwards if f.kind == kind), None)


# --- Presence ----------------------------------------------------------------------------


class DeviceState(StrEnum):
    """Asterisk's device states, as ARI names them."""

    NOT_INUSE = "NOT_INUSE"
    INUSE = "INUSE"
    RINGING = "RINGING"
    BUSY = "BUSY"
    UNAVAILABLE = "UNAVAILABLE"
    ONHOLD = "ONHOLD"
    RINGINUSE = "RINGINUSE"
    UNKNOWN = "UNKNOWN"
    INVALID = "INVALID"


ON_CALL_STATES = frozenset(
    {DeviceState.INUSE, DeviceState.BUSY, DeviceState.ONHOLD, DeviceState.RINGINUSE}
)


class StatusKind(StrEnum):
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    ABSENT = "absent"
    CLOSED = "closed"
    OUTSIDE_PHONE_HOURS = "outside_phone_hours"
    FORWARDED = "forwarded"


@dataclass(frozen=True)
class Available:
    kind: ClassVar[StatusKind] = StatusKind.AVAILABLE


@dataclass(frozen=True)
class Ringing:
    kind: ClassVar[StatusKind] = StatusKind.RINGING


@dataclass(frozen=True)
class OnCall:
    kind: ClassVar[StatusKind] = StatusKind.ON_CALL


@dataclass(frozen=True)
class Absent:
    until: datetime | None
    reason: str
    return_message: str
    forward: ValidTarget | None = None
    kind: ClassVar[StatusKind] = StatusKind.ABSENT


@dataclass(frozen=True)
class Closed:
    since: datetime
    reason: str
    breakthrough_allowed: bool
    kind: ClassVar[StatusKind] = StatusKind.CLOSED


@dataclass(frozen=True)
class OutsidePhoneHours:
    next_start: datetime | None
    kind: ClassVar[StatusKind] = StatusKind.OUTSIDE_PHONE_HOURS


@dataclass(frozen=True)
class Forwarded:
    target: ValidTarget
    because: ForwardKind  # UNCONDITIONAL or OUTSIDE_PHONE_HOURS
    kind: ClassVar[StatusKind] = StatusKind.FORWARDED


Status = Available | Ringing | OnCall | Absent | Closed | OutsidePhoneHours | Forwarded


@dataclass(frozen=True)
class Presence:
    status: Status
    device: DeviceState
    phone_hours: PhoneHoursState | None  # None: the person has no phone hours
    on_busy: ValidTarget | None = None
    on_no_answer: ValidTarget | None = None


def combine_presence(
    device: DeviceState,
    settings: PersonSettings,
    now: datetime,
    is_holiday: Callable[[date], object] = no_holidays,
) -> Presence:
    require_aware(now)
    hours = (
        phone_hours_state(settings.phone_hours, now, is_holiday)
        if settings.phone_hours is not None
        else None
    )

    def presence(status: Status) -> Presence:
        return Presence(
            status,
            device,
            hours,
            on_busy=settings.forward(ForwardKind.BUSY),
            on_no_answer=settings.forward(ForwardKind.NO_ANSWER),
        )

    unconditional = settings.forward(ForwardKind.UNCONDITIONAL)
    if settings.closed is not None:
        closed = settings.closed
        return presence(Closed(closed.since, closed.reason, closed.breakthrough_allowed))
    absence = next((a for a in settings.absences if a.covers(now)), None)
    if absence is not None:
        return presence(Absent(absence.end, absence.reason, absence.return_message, unconditional))
    if unconditional is not None:
        return presence(Forwarded(unconditional, ForwardKind.UNCONDITIONAL))
    if hours is not None and not hours.inside:
        outside = settings.forward(ForwardKind.OUTSIDE_PHONE_HOURS)
        if outside is not None:
            return presence(Forwarded(outside, ForwardKind.OUTSIDE_PHONE_HOURS))
        return presence(OutsidePhoneHours(hours.next_start))
    if device in ON_CALL_STATES:
        return presence(OnCall())
    if device == DeviceState.RINGING:
        return presence(Ringing())
    return presence(Available())
