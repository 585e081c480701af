"""What the wallboard shows: per queue the live queue, today's statistics and the
telephonists' states, each figure with its threshold level. No I/O.

Today's figures are taken as they are from the accessibility report's summary row (see
``wallboard_service.py``): this module only picks and grades them, it never recounts calls.
The live part (waiting now, longest wait, callbacks pending, telephonist states) is
derived from the queue service's own entries and telephonists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from vaxel.config import HIGHER_IS_BETTER, Limit
from vaxel.config import Wallboard as WallboardSettings
from vaxel.queue.model import Entry, EntryKind
from vaxel.queue.telephonists import (
    Available,
    LoggedOut,
    OnCall,
    Paused,
    Ringing,
    Status,
    Telephonist,
    Wrapup,
)


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    ALARM = "alarm"
    NONE = "none"  # no value yet (e.g. no answered call today: no ASA)


def level_of(figure: str, value: float | None, limit: Limit) -> Level:
    if value is None:
        return Level.NONE
    if figure in HIGHER_IS_BETTER:
        if value <= limit.alarm:
            return Level.ALARM
        return Level.WARN if value <= limit.warn else Level.OK
    if value >= limit.alarm:
        return Level.ALARM
    return Level.WARN if value >= limit.warn else Level.OK


@dataclass(frozen=True)
class Today:
    """The report's figures for one queue today; None before the first call."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    service_level_60: float | None = None  # a share 0-1, as in the report
    service_level_120: float | None = None
    asa_s: float | None = None


def today_from_summary(row: Mapping[str, Any]) -> Today:
    """The accessibility report's summary row (reports.py ``_access_row``) as it is."""
    return Today(
        offered=int(row.get("offered") or 0),
        answered=int(row.get("answered") or 0),
        abandoned=int(row.get("abandoned") or 0),
        service_level_60=row.get("sl_60"),
        service_level_120=row.get("sl_120"),
        asa_s=row.get("asa"),
    )


@dataclass(frozen=True)
class Live:
    waiting: int
    longest_wait_s: int | None
    callbacks_pending: int


def live_queue(entries: Iterable[Entry], queue: str, now: datetime) -> Live:
    """Callers on the line (ringing a telephonist counts: they still wait) and callbacks."""
    mine = [e for e in entries if e.queue == queue]
    callers = [e for e in mine if e.kind is EntryKind.CALLER]
    longest = max((int((now - e.entered_at).total_seconds()) for e in callers), default=None)
    return Live(
        waiting=len(callers),
        longest_wait_s=max(0, longest) if longest is not None else None,
        callbacks_pending=sum(1 for e in mine if e.kind is EntryKind.CALLBACK),
    )


class State(StrEnum):
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    LOGGED_OUT = "logged_out"


def state_of(status: Status, now: datetime) -> tuple[State, str]:
    """(state, detail): the pause reason is the detail; an expired wrap-up is available."""
    match status:
        case Paused(reason):
            return State.PAUSED, reason
        case Wrapup(until) if until > now:
            return State.WRAP_UP, ""
        case Wrapup() | Available():
            return State.AVAILABLE, ""
        case Ringing():
            return State.RINGING, ""
        case OnCall():
            return State.ON_CALL, ""
        case LoggedOut():
            return State.LOGGED_OUT, ""
    return State.LOGGED_OUT, ""


Since = dict[str, tuple[tuple[State, str], datetime]]


def track_since(previous: Since, people: Iterable[Telephonist], now: datetime,
                first_seen: Mapping[str, datetime] | None = None) -> Since:  # fmt: skip
    """When each telephonist entered their present state: kept while it stays the same.
    A telephonist seen for the first time counts from ``first_seen`` (the store's last
    change of them, after a restart) or else from ``now``."""
    out: Since = {}
    for person in people:
        state = state_of(person.status, now)
        before = previous.get(person.id)
        if before is not None and before[0] == state:
            out[person.id] = before
        elif before is None and first_seen and person.id in first_seen:
            out[person.id] = (state, min(first_seen[person.id], now))
        else:
            out[person.id] = (state, now)
    return out


@dataclass(frozen=True)
class PersonView:
    id: str
    name: str
    state: State
    detail: str
    seconds: int


@dataclass(frozen=True)
class Figure:
    value: float | int | None
    level: Level


@dataclass(frozen=True)
class QueueBoard:
    name: str
    label: str
    figures: dict[str, Figure]
    answered: int
    abandoned: int
    offered: int
    people: list[PersonView] = field(default_factory=list)


@dataclass(frozen=True)
class Board:
    at: datetime
    queues: list[QueueBoard]
    messages_overdue: Figure
    live: bool  # False: this process has no queue service (no live state to show)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def queue_board(*, name: str, label: str, live: Live | None, today: Today,
                people: Sequence[PersonView], settings: WallboardSettings) -> QueueBoard:  # fmt: skip
    def graded(figure: str, value: float | int | None) -> Figure:
        return Figure(value, level_of(figure, value, getattr(settings, figure)))

    sl60, sl120 = _percent(today.service_level_60), _percent(today.service_level_120)
    figures = {
        "waiting": graded("waiting", live.waiting if live else None),
        "longest_wait_s": graded("longest_wait_s", live.longest_wait_s if live else None),
        "service_level_60": graded("service_level_60", sl60),
        "service_level_120": graded("service_level_120", sl120),
        "asa_s": graded("asa_s", today.asa_s),
        "callbacks_pending": graded("callbacks_pending", live.callbacks_pending if live else None),
    }
    return QueueBoard(name, label, figures, today.answered, today.abandoned, today.offered,
                      list(people))  # fmt: skip


STATE_ORDER = {s: i for i, s in enumerate(State)}


def people_of(queue: str, people: Iterable[Telephonist], names: Mapping[str, str],
              since: Since, now: datetime) -> list[PersonView]:  # fmt: skip
    """The telephonists who serve ``queue``: available first, logged out last."""
    views = []
    for person in people:
        if not person.serves(queue):
            continue
        (state, detail), start = since.get(person.id, (state_of(person.status, now), now))
        seconds = max(0, int((now - start).total_seconds()))
        views.append(PersonView(person.id, names.get(person.id, person.id), state, detail, seconds))
    return sorted(views, key=lambda v: (STATE_ORDER[v.state], -v.seconds, v.name))


def clock_text(seconds: float | None) -> str:
    """A duration for a wall: 0:07, 3:07, 1:03:07; a dash when there is none."""
    if seconds is None:
        return "–"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
