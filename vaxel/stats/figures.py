"""The reports' figures, computed from an ``Aggregate`` (``vaxel.stats.aggregates``). Pure.

Thresholds and percentiles are chosen here, at report time, over the aggregate's exact
1-second histograms, so figures from summed daily rollups equal those from the raw log.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vaxel.stats.aggregates import Aggregate, Histogram
from vaxel.stats.model import Outcome

DEFAULT_THRESHOLDS = (60, 120)


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
