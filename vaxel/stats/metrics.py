"""Accessibility figures from caller-view contacts, through mergeable aggregates. Pure.

Every report is computed from an ``Aggregate``; raw contacts are first folded into one. An
aggregate holds only sums, counts and 1-second wait histograms, and ``a + b`` merges two.
So a year's report can sum per-day rollups and still give exactly the figures computed
from the raw log: waits are whole seconds (truncated, as Asterisk does), and the histograms
are sparse and unbounded, so percentiles and thresholds chosen at report time stay exact.

Definitions (T is a report-time threshold in seconds, default 60 and 120):

- *wait*: ``model.Summary.wait``: first queue entry to first telephonist answer.
- *closed*: arrived while closed. *offered*: reached a queue or a person while open,
  minus short abandons. *short abandon*: abandoned in queue after a wait under
  ``short_abandon_s`` (default 5 s); fixed when aggregating, so rollups agree.
- *answered*: offered and a telephonist answered. *abandoned*: offered, never answered, and
  hung up while waiting. Offered contacts that left the queue for a callback or a message
  are neither, so answered + abandoned may be less than offered.
- *answer rate* = answered / offered. *SL(T)* = answered with wait <= T / offered.
- *SL2(T)* = (answered <= T + abandoned <= T) / offered: abandons within T count as in
  service level. Asterisk's app_queue reports the same idea as ``SL2`` in ``queue show``
  and ``ServiceLevelPerf2`` in AMI QueueParams, but divides by completed + abandoned and
  has no short-abandon rule (and its ``SL``/``ServiceLevelPerf`` divides by completed
  only). ``asterisk_sl2`` reproduces that formula from our counts for comparison.
- *ASA* = mean wait of answered contacts; *median* and *p90* are nearest-rank percentiles
  of the same waits (the median of an even count is the lower middle). *Longest wait* is
  over every offered contact, answered or not.
- *direct answer (KKiK proxy)* = answered with wait <= T and wrap-up ``answered_directly``
  / offered.
- *callbacks*: requested = callback stints, completed = those with outcome ``completed``,
  time to callback = request to completion. *messages*: taken, handled (an end time), and
  handled within deadline (a message without deadline counts as within when handled).
- *transfer reach* = handoff attempts answered by the target / attempted, per person, unit
  and department; *returned* = attempts after which the caller was taken back; the reason
  mix counts the outcomes of unanswered attempts.
- *telephonists*: calls = telephonist stints, talk = telephonist and return stints, wrap-up
  from the stints, pause from ``Pause`` records. Callbacks, messages, transfers and
  telephonist figures count every contact, closed or open.
- Days, weeks (ISO) and months, and the heatmap's weekday x hour, are in Europe/Stockholm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
DEFAULT_THRESHOLDS = (60, 120)
DEFAULT_SHORT_ABANDON_S = 5
# "all" has the single target "*", so the overall reach counts each attempt once.
TRANSFER_LEVELS = ("person", "unit", "department", "all")


def _merged(a: Mapping[K, int], b: Mapping[K, int]) -> dict[K, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


def count_le(histogram: Histogram, limit: int) -> int:
    return sum(n for wait, n in histogram.items() if wait <= limit)


def percentile(histogram: Histogram, pct: int) -> int | None:
    """Nearest rank: the smallest value with at least ceil(n * pct / 100) values <= it."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, (n * pct + 99) // 100)
    seen = 0
    for wait in sorted(histogram):
        seen += histogram[wait]
        if seen >= rank:
            return wait
    raise AssertionError("unreachable: rank <= n")


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


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
            if contact.wrap_up is WrapUp.ANSWERED_DIRECTLY:
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


@dataclass(frozen=True)
class Accessibility:
    offered: int
    closed: int
    short_abandons: int
    answered: int
    abandoned: int
    answer_rate: float | None
    service_level: Mapping[int, float | None]
    sl2: Mapping[int, float | None]
    asterisk_sl2: Mapping[int, float | None]
    asa: float | None
    median_wait: int | None
    p90_wait: int | None
    longest_wait: int | None
    direct_answer: Mapping[int, float | None]
    callbacks_requested: int
    callbacks_completed: int
    mean_time_to_callback: float | None
    median_time_to_callback: int | None
    messages_taken: int
    messages_handled: int
    messages_within_deadline: int
    messages_within_deadline_rate: float | None


def accessibility(agg: Aggregate, thresholds: Sequence[int] = DEFAULT_THRESHOLDS) -> Accessibility:
    answered = sum(agg.answered_waits.values())
    all_abandoned = sum(agg.abandoned_waits.values())
    abandoned = all_abandoned - agg.short_abandons
    total_wait = sum(w * n for w, n in agg.answered_waits.items())
    delays = sum(agg.callback_delays.values())
    answered_le = {t: count_le(agg.answered_waits, t) for t in thresholds}
    all_abandoned_le = {t: count_le(agg.abandoned_waits, t) for t in thresholds}
    short_limit = agg.short_abandon_s - 1
    abandoned_le = {
        t: all_abandoned_le[t] - count_le(agg.abandoned_waits, min(t, short_limit))
        for t in thresholds
    }
    return Accessibility(
        offered=agg.offered,
        closed=agg.closed,
        short_abandons=agg.short_abandons,
        answered=answered,
        abandoned=abandoned,
        answer_rate=_ratio(answered, agg.offered),
        service_level={t: _ratio(answered_le[t], agg.offered) for t in thresholds},
        sl2={t: _ratio(answered_le[t] + abandoned_le[t], agg.offered) for t in thresholds},
        asterisk_sl2={
            t: _ratio(answered_le[t] + all_abandoned_le[t], answered + all_abandoned)
            for t in thresholds
        },
        asa=total_wait / answered if answered else None,
        median_wait=percentile(agg.answered_waits, 50),
        p90_wait=percentile(agg.answered_waits, 90),
        longest_wait=agg.longest_wait,
        direct_answer={t: _ratio(count_le(agg.direct_waits, t), agg.offered) for t in thresholds},
        callbacks_requested=agg.callbacks_requested,
        callbacks_completed=agg.callbacks_completed,
        mean_time_to_callback=(
            sum(w * n for w, n in agg.callback_delays.items()) / delays if delays else None
        ),
        median_time_to_callback=percentile(agg.callback_delays, 50),
        messages_taken=agg.messages_taken,
        messages_handled=agg.messages_handled,
        messages_within_deadline=agg.messages_within_deadline,
        messages_within_deadline_rate=_ratio(agg.messages_within_deadline, agg.messages_taken),
    )


@dataclass(frozen=True)
class TransferFigures:
    level: str
    target: str
    attempted: int
    answered: int
    returned: int
    reach: float | None
    returned_rate: float | None
    reasons: Mapping[str, int]


def transfer_figures(agg: Aggregate, level: str | None = None) -> list[TransferFigures]:
    """Transfer reach per target, sorted by level then target; ``level`` filters."""
    rows = []
    for key, tally in sorted(agg.transfers.items()):
        row_level, _, target = key.partition(":")
        if level is not None and row_level != level:
            continue
        rows.append(
            TransferFigures(
                level=row_level,
                target=target,
                attempted=tally.attempted,
                answered=tally.answered,
                returned=tally.returned,
                reach=_ratio(tally.answered, tally.attempted),
                returned_rate=_ratio(tally.returned, tally.attempted),
                reasons=dict(tally.reasons),
            )
        )
    return rows


@dataclass(frozen=True)
class AuditTable:
    """The EY audit table: outcome categories x number dialled, counts and column shares."""

    numbers: tuple[str, ...]
    counts: Mapping[tuple[Outcome, str], int]
    totals: Mapping[str, int]

    def count(self, outcome: Outcome, number: str) -> int:
        return self.counts.get((outcome, number), 0)

    def share(self, outcome: Outcome, number: str) -> float | None:
        return _ratio(self.count(outcome, number), self.totals.get(number, 0))


def audit_table(agg: Aggregate, numbers: Sequence[str] | None = None) -> AuditTable:
    present = sorted({number for _, number in agg.outcomes})
    columns = tuple(numbers) if numbers is not None else tuple(present)
    counts = {key: n for key, n in agg.outcomes.items() if key[1] in columns}
    totals = {number: 0 for number in columns}
    for (_, number), n in counts.items():
        totals[number] += n
    return AuditTable(columns, counts, totals)


@dataclass(frozen=True)
class TelephonistFigures:
    telephonist: str
    calls: int
    talk_s: int
    wrap_up_s: int
    pause_s: int


def telephonist_figures(agg: Aggregate) -> list[TelephonistFigures]:
    return [
        TelephonistFigures(name, t.calls, t.talk_s, t.wrap_up_s, t.pause_s)
        for name, t in sorted(agg.telephonists.items())
    ]


@dataclass(frozen=True)
class HeatCell:
    weekday: int
    hour: int
    offered: int
    answered: int
    answer_rate: float | None


def heatmap(agg: Aggregate) -> list[HeatCell]:
    """All 7 x 24 cells, Monday (0) 00:00 first, so a chart needs no gap filling."""
    return [
        HeatCell(
            weekday,
            hour,
            agg.heat_offered.get((weekday, hour), 0),
            agg.heat_answered.get((weekday, hour), 0),
            _ratio(
                agg.heat_answered.get((weekday, hour), 0),
                agg.heat_offered.get((weekday, hour), 0),
            ),
        )
        for weekday in range(7)
        for hour in range(24)
    ]
