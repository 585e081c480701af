from collections import Counter
from datetime import date

import pytest

from vaxel.stats.aggregates import aggregate
from vaxel.stats.figures import accessibility, transfer_figures
from vaxel.stats.model import STOCKHOLM, OpeningState, Outcome, classify
from vaxel.stats.synth import NUMBERS, generate


@pytest.fixture(scope="module")
def spring() -> list:
    return list(generate(10_000, date(2024, 4, 1), 28, seed=7))


@pytest.fixture(scope="module")
def spring_totals(spring):
    return aggregate(spring)


def test_same_seed_gives_the_same_contacts():
    assert list(generate(300, date(2024, 4, 1), 7, seed=1)) == list(
        generate(300, date(2024, 4, 1), 7, seed=1)
    )
    assert list(generate(300, date(2024, 4, 1), 7, seed=1)) != list(
        generate(300, date(2024, 4, 1), 7, seed=2)
    )


def test_exactly_n_contacts_in_time_order_inside_the_period(spring):
    assert len(spring) == 10_000
    starts = [c.started_at for c in spring]
    assert starts == sorted(starts)
    days = {s.astimezone(STOCKHOLM).date() for s in starts}
    assert min(days) >= date(2024, 4, 1) and max(days) <= date(2024, 4, 28)
    assert all(s.tzinfo is not None for s in starts)
    assert len({c.contact_id for c in spring}) == len(spring)


def test_weekends_are_closed_and_quiet(spring):
    weekend = [c for c in spring if c.started_at.weekday() >= 5]
    assert weekend and all(c.opening is OpeningState.CLOSED for c in weekend)
    assert len(weekend) < 0.05 * len(spring)


def test_a_holiday_from_the_calendar_is_closed():
    easter_monday = date(2024, 4, 1)
    contacts = list(
        generate(2_000, date(2024, 4, 1), 2, seed=3, is_working_day=lambda d: d != easter_monday)
    )
    monday = [c for c in contacts if c.started_at.date() == easter_monday]
    tuesday = [c for c in contacts if c.started_at.date() != easter_monday]
    assert all(c.opening is OpeningState.CLOSED for c in monday)
    assert len(monday) < len(tuesday) / 5


def test_monday_morning_peaks_lunch_dips_and_friday_afternoon_is_low(spring):
    per_slot = Counter((c.started_at.weekday(), c.started_at.hour) for c in spring)
    assert per_slot[(0, 9)] > per_slot[(2, 9)] > per_slot[(2, 12)]
    assert per_slot[(4, 14)] < per_slot[(1, 14)]
    assert per_slot[(1, 3)] < per_slot[(1, 9)] / 20


def test_opening_follows_weekday_hours(spring):
    for c in spring:
        local = c.started_at.astimezone(STOCKHOLM)
        closes = 16 if local.weekday() == 4 else 17
        expected = local.weekday() < 5 and 8 <= local.hour < closes
        assert (c.opening is OpeningState.OPEN) == expected


def test_every_outcome_and_number_appears(spring):
    outcomes = Counter(classify(c) for c in spring)
    assert set(outcomes) == set(Outcome)
    assert {c.number_dialled for c in spring} == {n.name for n in NUMBERS}


def test_transfer_reach_lies_between_42_and_60_percent(spring_totals):
    (overall,) = transfer_figures(spring_totals, "all")
    assert overall.reach is not None and 0.42 <= overall.reach <= 0.60
    for department in transfer_figures(spring_totals, "department"):
        assert department.attempted > 50


def test_figures_are_plausible_for_a_municipality(spring_totals):
    figures = accessibility(spring_totals)
    assert figures.answer_rate is not None and 0.7 < figures.answer_rate < 0.95
    assert figures.median_wait is not None and 10 < figures.median_wait < 120
    assert figures.callbacks_requested > 0 and figures.messages_taken > 0
    assert 0 < figures.short_abandons < figures.abandoned


def test_repeat_callers_exist(spring):
    callers = Counter(c.caller for c in spring)
    assert max(callers.values()) > 2
