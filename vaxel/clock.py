"""Time is injected everywhere, so tests set the clock instead of waiting for 17:00."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def __init__(self, tz: ZoneInfo = STOCKHOLM) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class OffsetClock:
    """Real time shifted to a chosen instant: a sandbox run 'as if' it were Monday 09:00."""

    def __init__(self, at: datetime) -> None:
        self._offset = at - datetime.now(STOCKHOLM)

    def now(self) -> datetime:
        return datetime.now(STOCKHOLM) + self._offset


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)
