"""The business calendar: which days are worked, and how working hours add up.

Working time is 08-17 on weekdays that are neither public holidays (Lag 1989:253) nor the
de facto days off midsommarafton, julafton and nyårsafton. Half days are decided locally,
so they come from the site file as a date and a closing time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY_START = time(8, 0)
DAY_END = time(17, 0)
HALF_DAY_CLOSES = time(12, 0)

# The library lists every Sunday as "Söndag" in some versions; a Sunday is just a weekend.
_SUNDAY_NAMES = frozenset({"Söndag", "Sunday"})


class CalendarError(ValueError):
    """A calendar question that has no sensible answer, e.g. a naive datetime."""


def midsummer_eve(year: int) -> date:
    """The Friday between 19 and 25 June."""
    first = date(year, 6, 19)
    return first + timedelta(days=(4 - first.weekday()) % 7)


def _eves(year: int) -> dict[date, tuple[str, str]]:
    return {
        midsummer_eve(year): ("Midsommarafton", "Midsummer Eve"),
        date(year, 12, 24): ("Julafton", "Christmas Eve"),
        date(year, 12, 31): ("Nyårsafton", "New Year's Eve"),
    }


def _library_holidays(year: int, language: str) -> dict[date, str]:
    found = holidays.country_holidays("SE", years=year, language=language)
    result: dict[date, str] = {}
    for day, joined in sorted(found.items()):
        # Two holidays on one day come back joined, e.g. "Påskdagen; Söndag".
        names = [name for name in joined.split("; ") if name not in _SUNDAY_NAMES]
        if names and day.year == year:
            result[day] = "; ".join(names)
    return result


class BusinessCalendar:
    """Holidays, half days and working-hour arithmetic for one site.

    ``half_days`` maps a date to its closing time; a plain iterable of dates (what the site
    file holds today) closes each at ``half_day_closes``.
    """

    def __init__(
        self,
        half_days: Mapping[date, time] | Iterable[date] = (),
        *,
        tz: ZoneInfo = STOCKHOLM,
        half_day_closes: time = HALF_DAY_CLOSES,
    ) -> None:
        self.tz = tz
        if isinstance(half_days, Mapping):
            self._half_days: dict[date, time] = dict(half_days)
        else:
            self._half_days = {day: half_day_closes for day in half_days}
        self._years: dict[int, dict[date, tuple[str, str]]] = {}

    # --- days ---------------------------------------------------------------------------

    def _year(self, year: int) -> dict[date, tuple[str, str]]:
        if year not in self._years:
            swedish = _library_holidays(year, "sv")
            english = _library_holidays(year, "en_US")
            names = {day: (name, english.get(day, name)) for day, name in swedish.items()}
            # Newer versions put the eves in a separate category; older ones in the default.
            for day, eve in _eves(year).items():
                names.setdefault(day, eve)
            self._years[year] = names
        return self._years[year]

    def is_holiday(self, day: date) -> str | None:
        """The Swedish name of the holiday or de facto day off on ``day``, if any."""
        names = self._year(day.year).get(day)
        return names[0] if names else None

    def holiday_name(self, day: date, language: str = "sv") -> str | None:
        names = self._year(day.year).get(day)
        if names is None:
            return None
        return names[1] if language == "en" else names[0]

    def holidays_in(self, year: int) -> dict[date, str]:
        return {day: names[0] for day, names in sorted(self._year(year).items())}

    def half_day_closes(self, day: date) -> time | None:
        """The local closing time if ``day`` is a half day that is also a working day."""
        closes = self._half_days.get(day)
        return closes if closes is not None and self.is_working_day(day) else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.is_holiday(day) is None

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (Friday to Monday is 1).

        Negative when ``end`` is before ``start``, so the sign says which came first.
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )

    # --- instants -----------------------------------------------------------------------

    def local(self, day: date, at: time) -> datetime:
        """``at`` on ``day`` in local time. Callers never ask for a time inside a DST gap."""
        return datetime.combine(day, at, tzinfo=self.tz)

    def working_window(
        self, day: date, day_start: time = DAY_START, day_end: time = DAY_END
    ) -> tuple[datetime, datetime] | None:
        """The UTC window worked on ``day``, shortened on a half day; None if not worked."""
        if not self.is_working_day(day):
            return None
        closes = self.half_day_closes(day)
        end = min(day_end, closes) if closes is not None else day_end
        if end <= day_start:
            return None
        return (
            self.local(day, day_start).astimezone(UTC),
            self.local(day, end).astimezone(UTC),
        )

    def add_working_hours(
        self,
        start: datetime,
        hours: float,
        day_start: time = DAY_START,
        day_end: time = DAY_END,
    ) -> datetime:
        """``start`` plus ``hours`` of working time, counted only inside working windows.

        A start outside working time counts from the next window's opening. A result that
        lands exactly on a closing time stays there rather than moving to the next morning.
        """
        _require_aware(start)
        if hours < 0:
            raise CalendarError("hours must not be negative")
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)
        day = cursor.astimezone(self.tz).date()
        for _ in range(3660):
            window = self.working_window(day, day_start, day_end)
            if window is not None and cursor < window[1]:
                begin = max(cursor, window[0])
                available = window[1] - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(self.tz)
                remaining -= available
                cursor = window[1]
            day += timedelta(days=1)
        raise CalendarError("no working time within ten years")

    def end_of_next_working_day(self, t: datetime, day_end: time = DAY_END) -> datetime:
        """The deadline "by the end of the next working day" for something received at t."""
        _require_aware(t)
        day = self.next_working_day(t.astimezone(self.tz).date())
        closes = self.half_day_closes(day)
        end = min(day_end, closes) if closes is not None else day_end
        return self.local(day, end)


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise CalendarError(f"{t.isoformat()} has no time zone")
