"""Mergeable aggregates of caller-view contacts, and daily rollups. Pure.

Every report is computed from an ``Aggregate``; raw contacts are first folded into one. An
aggregate holds only sums, counts and 1-second wait histograms, and ``a + b`` merges two.
So a year's report can sum per-day rollups and still give exactly the figures computed
from the raw log: waits are whole seconds (truncated, as Asterisk does), and the histograms
are sparse and unbounded, so percentiles and thresholds chosen at report time stay exact.
``vaxel.stats.figures`` turns an aggregate into the reports' figures; its docstring has
the definitions.

What is fixed when aggregating (so rollups agree): the *wait* is ``model.Summary.wait``
(first queue entry to first telephonist answer); a *short abandon* is an abandon in queue
after a wait under ``short_abandon_s`` (default 5 s), excluded from offered. Days, weeks
(ISO) and months, and the heatmap's weekday x hour, are in Europe/Stockholm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from vaxel.stats.model import (
    STOCKHOLM,
    Contact,
    OpeningState,
    Outcome,
    Pause,
    StintKind,
    StintOutcome,
    WrapUp,
    seconds_between,
    summarise,
)

K = TypeVar("K")
Histogram = Mapping[int, int]
DEFAULT_SHORT_ABANDON_S = 5
# "all" has the single target "*", so the overall reach counts each attempt once.
TRANSFER_LEVELS = ("person", "unit", "department", "all")


def _merged(a: Mapping[K, int], b: Mapping[K, int]) -> dict[K, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


@dataclass(frozen=True)
class TransferTally:
    attempted: int = 0
    answered: int = 0
    returned: int = 0
    reasons: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: TransferTally) -> TransferTally:
        return TransferTally(
            self.attempted + other.attempted,
            self.answered + other.answered,
            self.returned + other.returned,
            _merged(self.reasons, other.reasons),
        )


@dataclass(frozen=True)
class TelephonistTally:
    calls: int = 0
    talk_s: int = 0
    wrap_up_s: int = 0
    pause_s: int = 0

    def __add__(self, other: TelephonistTally) -> TelephonistTally:
        return TelephonistTally(
            self.calls + other.calls,
            self.talk_s + other.talk_s,
            self.wrap_up_s + other.wrap_up_s,
            self.pause_s + other.pause_s,
        )


T = TypeVar("T", TransferTally, TelephonistTally)


def _merged_tallies(a: Mapping[str, T], b: Mapping[str, T]) -> dict[str, T]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out[key] + value if key in out else value
    return out


@dataclass(frozen=True)
class Aggregate:
    """Everything the reports need, mergeable with ``+``; the empty aggregate is the identity."""

    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S
    contacts: int = 0
    closed: int = 0
    short_abandons: int = 0
    offered: int = 0
    answered_waits: Histogram = field(default_factory=dict)
    # Every abandon of a contact that reached service, short abandons included.
    abandoned_waits: Histogram = field(default_factory=dict)
    direct_waits: Histogram = field(default_factory=dict)
    longest_wait: int | None = None
    callbacks_requested: int = 0
    callbacks_completed: int = 0
    callback_delays: Histogram = field(default_factory=dict)
    messages_taken: int = 0
    messages_handled: int = 0
    messages_within_deadline: int = 0
    transfers: Mapping[str, TransferTally] = field(default_factory=dict)
    outcomes: Mapping[tuple[Outcome, str], int] = field(default_factory=dict)
    telephonists: Mapping[str, TelephonistTally] = field(default_factory=dict)
    heat_offered: Mapping[tuple[int, int], int] = field(default_factory=dict)
    heat_answered: Mapping[tuple[int, int], int] = field(default_factory=dict)

    def __add__(self, other: Aggregate) -> Aggregate:
        if self.short_abandon_s != other.short_abandon_s:
            raise ValueError("cannot merge aggregates made with different short-abandon limits")
        longest = [w for w in (self.longest_wait, other.longest_wait) if w is not None]
        return Aggregate(
            short_abandon_s=self.short_abandon_s,
            contacts=self.contacts + other.contacts,
            closed=self.closed + other.closed,
            short_abandons=self.short_abandons + other.short_abandons,
            offered=self.offered + other.offered,
            answered_waits=_merged(self.answered_waits, other.answered_waits),
            abandoned_waits=_merged(self.abandoned_waits, other.abandoned_waits),
            direct_waits=_merged(self.direct_waits, other.direct_waits),
            longest_wait=max(longest) if longest else None,
            callbacks_requested=self.callbacks_requested + other.callbacks_requested,
            callbacks_completed=self.callbacks_completed + other.callbacks_completed,
            callback_delays=_merged(self.callback_delays, other.callback_delays),
            messages_taken=self.messages_taken + other.messages_taken,
            messages_handled=self.messages_handled + other.messages_handled,
            messages_within_deadline=self.messages_within_deadline + other.messages_within_deadline,
            transfers=_merged_tallies(self.transfers, other.transfers),
            outcomes=_merged(self.outcomes, other.outcomes),
            telephonists=_merged_tallies(self.telephonists, other.telephonists),
            heat_offered=_merged(self.heat_offered, other.heat_offered),
            heat_answered=_merged(self.heat_answered, other.heat_answered),
        )


class _Builder:
    """Mutable accumulator behind ``aggregate``: plain counters and lists, so folding a
    million contacts does not allocate a new tally per stint."""

    def __init__(self, short_abandon_s: int) -> None:
        self.short_abandon_s = short_abandon_s
        self.counts: Counter[str] = Counter()
        self.answered_waits: Counter[int] = Counter()
        self.abandoned_waits: Counter[int] = Counter()
        self.direct_waits: Counter[int] = Counter()
        self.callback_delays: Counter[int] = Counter()
        self.longest_wait: int | None = None
        # attempted, answered, returned, and the reasons of the unanswered ones
        self.transfers: dict[str, tuple[list[list[int]], Counter[str]]] = {}
        self.outcomes: Counter[tuple[Outcome, str]] = Counter()
        # calls, talk, wrap-up, pause
        self.telephonists: dict[str, list[int]] = {}
        self.heat_offered: Counter[tuple[int, int]] = Counter()
        self.heat_answered: Counter[tuple[int, int]] = Counter()

    def add(self, contact: Contact) -> None:
        counts = self.counts
        counts["contacts"] += 1
        summary = summarise(contact)
        self.outcomes[(summary.outcome, contact.number_dialled)] += 1
        if contact.stints:
            self._add_stints(contact)
        if not summary.reached_service:
            if contact.opening is OpeningState.CLOSED:
                counts["closed"] += 1
            return
        wait = summary.wait
        if summary.abandoned and wait is not None:
            # Short ones too, so that Asterisk's SL2, which has no short-abandon rule, is exact.
            self.abandoned_waits[wait] += 1
            if wait < self.short_abandon_s:
                counts["short_abandons"] += 1
                return
        counts["offered"] += 1
        local = contact.started_at.astimezone(STOCKHOLM)
        cell = (local.weekday(), local.hour)
        self.heat_offered[cell] += 1
        if wait is None:
            return
        if self.longest_wait is None or wait > self.longest_wait:
            self.longest_wait = wait
        if summary.answered:
            self.answered_waits[wait] += 1
            self.heat_answered[cell] += 1
            # A call the handoff concluded (referral, message) was not answered directly,
            # whatever code was keyed afterwards.
            if contact.wrap_up is WrapUp.ANSWERED_DIRECTLY and contact.concluded is None:
                self.direct_waits[wait] += 1

    def _add_stints(self, contact: Contact) -> None:
        counts = self.counts
        attempt: list[int] | None = None
        for stint in contact.stints:
            kind = stint.kind
            if kind is StintKind.TELEPHONIST or kind is StintKind.RETURN:
                if kind is StintKind.RETURN and attempt is not None:
                    attempt[2] = 1
                    attempt = None
                if stint.telephonist:
                    work = self._telephonist(stint.telephonist)
                    if kind is StintKind.TELEPHONIST:
                        work[0] += 1
                    if stint.end is not None:
                        work[1] += seconds_between(stint.start, stint.end)
                    work[2] += stint.wrap_up_seconds
            elif kind is StintKind.HANDOFF_ATTEMPT:
                answered = stint.outcome is StintOutcome.ANSWERED
                attempt = [1, int(answered), 0]
                reason = None if answered else str(stint.outcome or "unknown")
                targets = (
                    stint.target_person,
                    stint.target_unit,
                    stint.target_department,
                    "*",
                )
                for level, ident in zip(TRANSFER_LEVELS, targets, strict=True):
                    if ident:
                        self._tally_transfer(f"{level}:{ident}", attempt, reason)
            elif kind is StintKind.CALLBACK:
                counts["callbacks_requested"] += 1
                if stint.outcome is StintOutcome.COMPLETED and stint.end is not None:
                    counts["callbacks_completed"] += 1
                    self.callback_delays[seconds_between(stint.start, stint.end)] += 1
            elif kind is StintKind.MESSAGE:
                counts["messages_taken"] += 1
                if stint.end is not None:
                    counts["messages_handled"] += 1
                    if stint.deadline is None or stint.end <= stint.deadline:
                        counts["messages_within_deadline"] += 1

    def _tally_transfer(self, key: str, attempt: list[int], reason: str | None) -> None:
        """Shares ``attempt`` between its levels, so a later return marks all of them."""
        entry = self.transfers.get(key)
        if entry is None:
            entry = self.transfers[key] = ([], Counter())
        entry[0].append(attempt)
        if reason is not None:
            entry[1][reason] += 1

    def _telephonist(self, telephonist: str) -> list[int]:
        work = self.telephonists.get(telephonist)
        if work is None:
            work = self.telephonists[telephonist] = [0, 0, 0, 0]
        return work

    def add_pause(self, pause: Pause) -> None:
        self._telephonist(pause.telephonist)[3] += max(0, seconds_between(pause.start, pause.end))

    def freeze(self) -> Aggregate:
        c = self.counts
        transfers = {}
        for key, (attempts, reasons) in self.transfers.items():
            transfers[key] = TransferTally(
                attempted=len(attempts),
                answered=sum(a[1] for a in attempts),
                returned=sum(a[2] for a in attempts),
                reasons=dict(reasons),
            )
        return Aggregate(
            short_abandon_s=self.short_abandon_s,
            contacts=c["contacts"],
            closed=c["closed"],
            short_abandons=c["short_abandons"],
            offered=c["offered"],
            answered_waits=dict(self.answered_waits),
            abandoned_waits=dict(self.abandoned_waits),
            direct_waits=dict(self.direct_waits),
            longest_wait=self.longest_wait,
            callbacks_requested=c["callbacks_requested"],
            callbacks_completed=c["callbacks_completed"],
            callback_delays=dict(self.callback_delays),
            messages_taken=c["messages_taken"],
            messages_handled=c["messages_handled"],
            messages_within_deadline=c["messages_within_deadline"],
            transfers=transfers,
            outcomes=dict(self.outcomes),
            telephonists={
                name: TelephonistTally(*work) for name, work in self.telephonists.items()
            },
            heat_offered=dict(self.heat_offered),
            heat_answered=dict(self.heat_answered),
        )


def aggregate(
    contacts: Iterable[Contact],
    pauses: Iterable[Pause] = (),
    *,
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S,
) -> Aggregate:
    builder = _Builder(short_abandon_s)
    for contact in contacts:
        builder.add(contact)
    for pause in pauses:
        builder.add_pause(pause)
    return builder.freeze()


# Pauses belong to no number dialled; their rollup rows use this number.
NO_NUMBER = ""
RollupKey = tuple[date, str]


def daily_rollups(
    contacts: Iterable[Contact],
    pauses: Iterable[Pause] = (),
    *,
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S,
) -> dict[RollupKey, Aggregate]:
    """One aggregate per local day and number dialled: the unit a store persists."""
    builders: dict[RollupKey, _Builder] = {}

    def builder(key: RollupKey) -> _Builder:
        if key not in builders:
            builders[key] = _Builder(short_abandon_s)
        return builders[key]

    for contact in contacts:
        builder((contact.started_at.astimezone(STOCKHOLM).date(), contact.number_dialled)).add(
            contact
        )
    for pause in pauses:
        builder((pause.start.astimezone(STOCKHOLM).date(), NO_NUMBER)).add_pause(pause)
    return {key: b.freeze() for key, b in builders.items()}


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def period_label(day: date, period: Period) -> str:
    """``2024-03-05``, ``2024-W10`` (ISO week and ISO year) or ``2024-03``."""
    if period is Period.DAY:
        return day.isoformat()
    if period is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def rollup(
    daily: Mapping[RollupKey, Aggregate],
    period: Period,
    *,
    by_number: bool = False,
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S,
) -> dict[tuple[str, str | None], Aggregate]:
    """Sum daily rollups into periods; the number is None when not split by number."""
    out: dict[tuple[str, str | None], Aggregate] = {}
    for (day, number), agg in sorted(daily.items()):
        key = (period_label(day, period), number if by_number else None)
        out[key] = out.get(key, Aggregate(short_abandon_s=short_abandon_s)) + agg
    return out


def group(
    contacts: Iterable[Contact],
    period: Period,
    *,
    by_number: bool = False,
    pauses: Iterable[Pause] = (),
    short_abandon_s: int = DEFAULT_SHORT_ABANDON_S,
) -> dict[tuple[str, str | None], Aggregate]:
    daily = daily_rollups(contacts, pauses, short_abandon_s=short_abandon_s)
    return rollup(daily, period, by_number=by_number, short_abandon_s=short_abandon_s)
