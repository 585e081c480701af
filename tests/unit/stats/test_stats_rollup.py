"""Rollups must give exactly the figures of the raw log.

The reference here is computed straight from the contacts with sorted lists, independently
of the histograms in ``Aggregate``; the rollups are summed per day, week and month.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import reduce
from operator import add

from hypothesis import given, settings
from hypothesis import strategies as st

from vaxel.stats.aggregates import (
    Aggregate,
    Period,
    aggregate,
    daily_rollups,
    group,
    period_label,
    rollup,
)
from vaxel.stats.figures import accessibility
from vaxel.stats.model import (
    STOCKHOLM,
    Contact,
    NumberKind,
    OpeningState,
    Stint,
    StintKind,
    StintOutcome,
    WrapUp,
    summarise,
)
from vaxel.stats.synth import generate

# Crosses the autumn DST change, an ISO week-year boundary and three months.
BASE = datetime(2024, 10, 20, tzinfo=STOCKHOLM)
NUMBERS = {
    "switchboard": NumberKind.SWITCHBOARD,
    "centre": NumberKind.CENTRE,
    "office-genarp": NumberKind.OFFICE,
}
THRESHOLDS = (0, 5, 20, 60, 120, 3600)


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    started = BASE + timedelta(days=draw(st.integers(0, 80)), seconds=draw(st.integers(0, 86399)))
    number = draw(st.sampled_from(sorted(NUMBERS)))
    opening = draw(st.sampled_from(OpeningState))
    path = draw(st.sampled_from(["answered", "abandoned", "left", "ivr"]))
    wait = draw(st.integers(0, 4000)) + draw(st.sampled_from([0.0, 0.4, 0.999]))
    cursor = started + timedelta(seconds=wait)
    stints: list[Stint] = []
    if path != "ivr":
        outcome = {
            "answered": StintOutcome.ANSWERED,
            "abandoned": StintOutcome.ABANDONED,
            "left": StintOutcome.LEFT,
        }[path]
        stints.append(Stint(StintKind.QUEUE_WAIT, started, cursor, outcome, queue=number))
    else:
        stints.append(Stint(StintKind.IVR, started, cursor, StintOutcome.ABANDONED))
    if path == "answered":
        end = cursor + timedelta(seconds=draw(st.integers(1, 900)))
        who = draw(st.sampled_from(["t1", "t2"]))
        stints.append(
            Stint(
                StintKind.TELEPHONIST,
                cursor,
                end,
                StintOutcome.COMPLETED,
                telephonist=who,
                wrap_up_seconds=draw(st.integers(0, 60)),
            )
        )
        cursor = end
        for _ in range(draw(st.integers(0, 2))):
            ring = cursor + timedelta(seconds=draw(st.integers(1, 40)))
            stints.append(
                Stint(
                    StintKind.HANDOFF_ATTEMPT,
                    cursor,
                    ring,
                    draw(
                        st.sampled_from(
                            [
                                StintOutcome.ANSWERED,
                                StintOutcome.NO_ANSWER,
                                StintOutcome.BUSY,
                                StintOutcome.ABANDONED,
                            ]
                        )
                    ),
                    target_person=draw(st.sampled_from(["p1", "p2", None])),
                    target_unit=draw(st.sampled_from(["u1", "u2"])),
                    target_department="d1",
                )
            )
            cursor = ring
            if draw(st.booleans()):
                cursor = ring + timedelta(seconds=10)
                stints.append(
                    Stint(StintKind.RETURN, ring, cursor, StintOutcome.COMPLETED, telephonist=who)
                )
    if draw(st.booleans()):
        done = draw(st.sampled_from([StintOutcome.COMPLETED, StintOutcome.FAILED]))
        end = cursor + timedelta(seconds=draw(st.integers(0, 7200)))
        stints.append(
            Stint(StintKind.CALLBACK, cursor, end if done is StintOutcome.COMPLETED else None, done)
        )
    if draw(st.booleans()):
        handled = cursor + timedelta(seconds=draw(st.integers(0, 200000)))
        stints.append(
            Stint(
                StintKind.MESSAGE,
                cursor,
                draw(st.sampled_from([handled, None])),
                None,
                deadline=cursor + timedelta(days=1),
            )
        )
    return Contact(
        contact_id=f"{int(started.timestamp())}.{draw(st.integers(0, 999))}",
        started_at=started,
        number_dialled=number,
        number_kind=NUMBERS[number],
        opening=opening,
        wrap_up=draw(st.none() | st.sampled_from(WrapUp)),
        stints=tuple(stints),
    )


def nearest_rank(values: list[int], pct: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[rank - 1]


def reference(contacts: list[Contact], short_abandon_s: int = 5) -> dict:
    """The accessibility figures straight from the contacts, without histograms."""
    offered = closed = short = 0
    answered: list[int] = []
    abandoned: list[int] = []
    direct: list[int] = []
    waits: list[int] = []
    for c in contacts:
        s = summarise(c)
        if not s.reached_service:
            closed += c.opening is OpeningState.CLOSED
            continue
        if s.abandoned and s.wait is not None and s.wait < short_abandon_s:
            short += 1
            continue
        offered += 1
        if s.wait is not None:
            waits.append(s.wait)
        if s.answered and s.wait is not None:
            answered.append(s.wait)
            if c.wrap_up is WrapUp.ANSWERED_DIRECTLY:
                direct.append(s.wait)
        elif s.abandoned and s.wait is not None:
            abandoned.append(s.wait)

    def rate(n: int) -> float | None:
        return n / offered if offered else None

    return {
        "offered": offered,
        "closed": closed,
        "short_abandons": short,
        "answered": len(answered),
        "abandoned": len(abandoned),
        "service_level": {t: rate(sum(w <= t for w in answered)) for t in THRESHOLDS},
        "sl2": {
            t: rate(sum(w <= t for w in answered) + sum(w <= t for w in abandoned))
            for t in THRESHOLDS
        },
        "direct_answer": {t: rate(sum(w <= t for w in direct)) for t in THRESHOLDS},
        "asa": sum(answered) / len(answered) if answered else None,
        "median_wait": nearest_rank(answered, 50),
        "p90_wait": nearest_rank(answered, 90),
        "longest_wait": max(waits) if waits else None,
    }


def figures_of(agg: Aggregate) -> dict:
    figures = accessibility(agg, THRESHOLDS)
    return {key: getattr(figures, key) for key in reference([])}


@settings(max_examples=40, deadline=None)
@given(st.lists(contacts(), max_size=60))
def test_summed_daily_rollups_equal_the_raw_computation(sample: list[Contact]):
    daily = daily_rollups(sample)
    total = reduce(add, daily.values(), Aggregate())
    assert total == aggregate(sample)
    assert figures_of(total) == reference(sample)


@settings(max_examples=40, deadline=None)
@given(st.lists(contacts(), max_size=60), st.sampled_from(Period), st.booleans())
def test_every_period_from_rollups_equals_the_raw_computation_for_that_period(
    sample: list[Contact], period: Period, by_number: bool
):
    grouped = rollup(daily_rollups(sample), period, by_number=by_number)
    raw: dict[tuple[str, str | None], list[Contact]] = defaultdict(list)
    for c in sample:
        label = period_label(c.started_at.astimezone(STOCKHOLM).date(), period)
        raw[(label, c.number_dialled if by_number else None)].append(c)
    assert set(grouped) == set(raw)
    for key, members in raw.items():
        assert grouped[key] == aggregate(members)
        assert figures_of(grouped[key]) == reference(members)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(contacts(), max_size=30),
    st.lists(contacts(), max_size=30),
    st.lists(contacts(), max_size=30),
)
def test_merging_is_associative_and_commutative(a, b, c):
    x, y, z = aggregate(a), aggregate(b), aggregate(c)
    assert (x + y) + z == x + (y + z) == aggregate(a + b + c)
    assert x + y == y + x


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 400))
def test_synthetic_year_rolls_up_exactly(seed: int, n: int):
    sample = list(generate(n, date(2024, 12, 16), 30, seed))
    months = group(sample, Period.MONTH)
    assert reduce(add, months.values(), Aggregate()) == aggregate(sample)
    assert figures_of(aggregate(sample)) == reference(sample)
