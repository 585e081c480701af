"""Opening hours: the pure decision "open or closed at instant t, and where to".

Precedence, strongest first: an unexpired manual override, a dated exception, a holiday,
a half day, the weekly periods (with an office's late day). Every instant is compared in
UTC so that a local period like 08-17 means 08-17 on both sides of a DST change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from vaxel.calendar import BusinessCalendar
from vaxel.config import WEEKDAYS, Office, Schedule, parse_period

HORIZON_DAYS = 60
_END_OF_DAY = time(23, 59, 59, 999999)


class ScheduleError(ValueError):
    """A question the schedule cannot answer, e.g. an instant without a time zone."""


class Reason(StrEnum):
    WEEKLY = "weekly"
    EXCEPTION = "exception"
    HOLIDAY = "holiday"
    HALF_DAY = "half_day"
    OVERRIDE_OPEN = "override_open"
    OVERRIDE_CLOSED = "override_closed"
    OUTSIDE_HOURS = "outside_hours"


class OverrideMode(StrEnum):
    OPEN_NOW = "open_now"
    CLOSED_UNTIL = "closed_until"


@dataclass(frozen=True)
class Override:
    """A manual "open now" or "closed until ..." that stops applying at ``until`` by itself."""

    mode: OverrideMode
    until: datetime
    destination: str | None = None

    def active(self, t: datetime) -> bool:
        return t < self.until


@dataclass(frozen=True)
class LateDay:
    """An office answers its direct number longer on one weekday (0 = Monday)."""

    weekday: int
    until: time


@dataclass(frozen=True)
class Decision:
    """What the call at ``t`` gets.

    ``destination`` is None for "the owner's default". ``detail`` is the holiday name or the
    exception's reason, for the spoken closed message. ``closes_at`` is set when open and
    ``next_open`` when closed; either is None when nothing changes within the horizon.
    Both are local times; subtract them in UTC, since Python subtracts two datetimes of
    the same zone as wall-clock times and so loses an hour across a DST change.
    """

    open: bool
    reason: Reason
    destination: str | None = None
    closes_at: datetime | None = None
    next_open: datetime | None = None
    detail: str | None = None


@dataclass(frozen=True)
class _Span:
    start: datetime
    end: datetime
    reason: Reason
    destination: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class _DayPlan:
    spans: tuple[_Span, ...]
    weekly: tuple[_Span, ...]
    kind: Reason
    detail: str | None
    destination: str | None


def decide(
    schedule: Schedule,
    calendar: BusinessCalendar,
    t: datetime,
    *,
    override: Override | None = None,
    late_day: LateDay | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> Decision:
    """Open or closed at ``t`` (any aware datetime), why, and until when."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ScheduleError(f"{t.isoformat()} has no time zone")
    plan = _Planner(schedule, calendar, late_day, horizon_days)
    now = t.astimezone(UTC)
    if override is None or not override.active(now):
        return plan.base(now)
    until = override.until.astimezone(UTC)
    after = plan.base(until)
    if override.mode is OverrideMode.OPEN_NOW:
        closes = after.closes_at if after.open else plan.local(until)
        return Decision(True, Reason.OVERRIDE_OPEN, override.destination, closes_at=closes)
    reopens = plan.local(until) if after.open else after.next_open
    return Decision(False, Reason.OVERRIDE_CLOSED, next_open=reopens)


def late_day_of(office: Office) -> LateDay | None:
    if office.late_day is None:
        return None
    return LateDay(WEEKDAYS.index(office.late_day), time.fromisoformat(office.late_until))


def guide_on_duty(office: Office, t: datetime, calendar: BusinessCalendar) -> str | None:
    """The community guide's number for the local weekday of ``t``, if the roster has one."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ScheduleError(f"{t.isoformat()} has no time zone")
    day = WEEKDAYS[t.astimezone(calendar.tz).weekday()]
    return next((number for key, number in office.roster.items() if key == day), None)


class _Planner:
    def __init__(
        self,
        schedule: Schedule,
        calendar: BusinessCalendar,
        late_day: LateDay | None,
        horizon_days: int,
    ) -> None:
        self.schedule = schedule
        self.calendar = calendar
        self.late_day = late_day
        self.horizon_days = horizon_days
        self._plans: dict[date, _DayPlan] = {}

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.calendar.tz)

    def base(self, now: datetime) -> Decision:
        """The decision without any override; ``now`` is in UTC."""
        today = self.local(now).date()
        plan = self.day(today)
        current = next((s for s in plan.spans if s.start <= now < s.end), None)
        if current is not None:
            return Decision(
                True,
                current.reason,
                current.destination,
                closes_at=self._closes_after(current),
                detail=current.detail,
            )
        upcoming = next((s for s in self._spans_from(today) if s.start > now), None)
        return Decision(
            False,
            self._closed_reason(plan, now),
            plan.destination if plan.kind is Reason.EXCEPTION and not plan.spans else None,
            next_open=self.local(upcoming.start) if upcoming else None,
            detail=plan.detail if plan.kind is not Reason.WEEKLY else None,
        )

    def _closed_reason(self, plan: _DayPlan, now: datetime) -> Reason:
        if plan.kind is Reason.HOLIDAY or (plan.kind is Reason.EXCEPTION and not plan.spans):
            return plan.kind
        # A shortened day explains the closure only while the usual hours would be open.
        if plan.kind is not Reason.WEEKLY and any(s.start <= now < s.end for s in plan.weekly):
            return plan.kind
        return Reason.OUTSIDE_HOURS

    def _closes_after(self, current: _Span) -> datetime | None:
        end = current.end
        for span in self._spans_from(self.local(current.start).date()):
            if span.start <= end and span.end > end:
                end = span.end
            elif span.start > end:
                return self.local(end)
        return None

    def _spans_from(self, first: date) -> Iterator[_Span]:
        for offset in range(self.horizon_days + 1):
            yield from self.day(first + timedelta(days=offset)).spans

    def day(self, day: date) -> _DayPlan:
        if day not in self._plans:
            self._plans[day] = self._plan(day)
        return self._plans[day]

    def _plan(self, day: date) -> _DayPlan:
        weekly = self._weekly(day)
        exceptions = [e for e in self.schedule.exceptions if e.date == day]
        if exceptions:
            spans = _merge(
                self._span(day, period, Reason.EXCEPTION, e.destination, e.reason or None)
                for e in exceptions
                for period in e.periods
            )
            detail = next((e.reason for e in exceptions if e.reason), None)
            destination = next((e.destination for e in exceptions if e.destination), None)
            return _DayPlan(spans, weekly, Reason.EXCEPTION, detail, destination)
        if self.schedule.closed_on_holidays:
            name = self.calendar.is_holiday(day)
            if name is not None:
                return _DayPlan((), weekly, Reason.HOLIDAY, name, None)
            closes = self.calendar.half_day_closes(day)
            if closes is not None:
                limit = self.calendar.local(day, closes).astimezone(UTC)
                spans = tuple(
                    replace(s, end=min(s.end, limit), reason=Reason.HALF_DAY)
                    for s in weekly
                    if s.start < limit
                )
                return _DayPlan(spans, weekly, Reason.HALF_DAY, None, None)
        return _DayPlan(weekly, weekly, Reason.WEEKLY, None, None)

    def _weekly(self, day: date) -> tuple[_Span, ...]:
        name = WEEKDAYS[day.weekday()]
        periods = next((p for key, p in self.schedule.weekly.items() if key == name), [])
        spans = _merge(self._span(day, p, Reason.WEEKLY) for p in periods)
        late = self.late_day
        if late is None or late.weekday != day.weekday() or not spans:
            return spans
        until = self.calendar.local(day, late.until).astimezone(UTC)
        last = spans[-1]
        if last.end >= until:
            return spans
        return (*spans[:-1], replace(last, end=until))

    def _span(
        self,
        day: date,
        period: str,
        reason: Reason,
        destination: str | None = None,
        detail: str | None = None,
    ) -> _Span:
        start, end = parse_period(period)
        begins = self.calendar.local(day, start)
        if end == _END_OF_DAY:
            ends = self.calendar.local(day + timedelta(days=1), time(0))
        else:
            ends = self.calendar.local(day, end)
        return _Span(begins.astimezone(UTC), ends.astimezone(UTC), reason, destination, detail)


def _merge(spans: Iterator[_Span] | list[_Span]) -> tuple[_Span, ...]:
    """Sort a day's spans and join overlapping ones; the earlier span keeps its labels."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = replace(merged[-1], end=span.end)
        else:
            merged.append(span)
    return tuple(merged)
