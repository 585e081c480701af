from datetime import UTC, date, datetime, timedelta

import pytest
from stats_builders import (
    T0,
    answered,
    at,
    attempt,
    back,
    callback,
    contact,
    ivr,
    message,
    queue,
    talk,
)

from vaxel.stats.aggregates import Aggregate, Period, aggregate, daily_rollups, group, period_label
from vaxel.stats.figures import (
    accessibility,
    heatmap,
    percentile,
    telephonist_figures,
    transfer_figures,
)
from vaxel.stats.model import STOCKHOLM, OpeningState, Pause, StintOutcome, WrapUp

ANSWERED = StintOutcome.ANSWERED
ABANDONED = StintOutcome.ABANDONED


def sample() -> list:
    """Answered after 10, 30, 70 and 130 s; abandoned after 3 (short), 50 and 200 s; one
    left the queue after 100 s for a callback; one hung up in the IVR; one came while closed."""
    return [
        answered(10, WrapUp.ANSWERED_DIRECTLY),
        answered(30, WrapUp.TRANSFERRED),
        answered(70, WrapUp.ANSWERED_DIRECTLY),
        answered(130, WrapUp.ANSWERED_DIRECTLY),
        contact(queue(0, 3, ABANDONED)),
        contact(queue(0, 50, ABANDONED)),
        contact(queue(0, 200, ABANDONED)),
        contact(queue(0, 100, StintOutcome.LEFT), callback(100, 700, StintOutcome.COMPLETED)),
        contact(ivr(0, 5, ABANDONED)),
        contact(ivr(0, 10), opening=OpeningState.CLOSED),
    ]


def test_counts_follow_the_definitions():
    figures = accessibility(aggregate(sample()))
    assert figures.offered == 7
    assert figures.short_abandons == 1
    assert figures.closed == 1
    assert figures.answered == 4
    assert figures.abandoned == 2
    assert figures.answer_rate == pytest.approx(4 / 7)


def test_service_level_counts_answers_within_the_threshold_over_offered():
    figures = accessibility(aggregate(sample()))
    assert figures.service_level == {60: pytest.approx(2 / 7), 120: pytest.approx(3 / 7)}


def test_service_level_threshold_is_inclusive_and_configurable():
    figures = accessibility(aggregate(sample()), thresholds=(30, 29))
    assert figures.service_level == {30: pytest.approx(2 / 7), 29: pytest.approx(1 / 7)}


def test_sl2_also_counts_abandons_within_the_threshold():
    figures = accessibility(aggregate(sample()))
    assert figures.sl2 == {60: pytest.approx(3 / 7), 120: pytest.approx(4 / 7)}


def test_asterisk_sl2_divides_by_answered_plus_every_abandon_short_ones_included():
    figures = accessibility(aggregate(sample()), thresholds=(60, 120, 3, 2))
    assert figures.asterisk_sl2 == {
        60: pytest.approx(4 / 7),
        120: pytest.approx(5 / 7),
        3: pytest.approx(1 / 7),
        2: 0.0,
    }


def test_asa_median_p90_and_longest_wait():
    figures = accessibility(aggregate(sample()))
    assert figures.asa == pytest.approx(60.0)
    assert figures.median_wait == 30
    assert figures.p90_wait == 130
    assert figures.longest_wait == 200


def test_direct_answer_needs_the_answered_directly_wrap_up_and_an_answer_within_t():
    figures = accessibility(aggregate(sample()))
    assert figures.direct_answer == {60: pytest.approx(1 / 7), 120: pytest.approx(2 / 7)}


def test_percentile_is_nearest_rank():
    assert percentile({}, 50) is None
    assert percentile({7: 1}, 90) == 7
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1}, 50) == 2
    assert percentile({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, 50) == 3
    assert percentile({1: 9, 100: 1}, 90) == 1
    assert percentile({1: 9, 100: 1}, 91) == 100


def test_empty_period_gives_no_ratios():
    figures = accessibility(Aggregate())
    assert figures.offered == 0
    assert figures.answer_rate is None and figures.asa is None
    assert figures.service_level == {60: None, 120: None}
    assert figures.median_wait is None and figures.longest_wait is None


def test_callbacks_requested_completed_and_time_to_callback():
    contacts = [
        *sample(),
        contact(queue(0, 95, StintOutcome.LEFT), callback(95, None, StintOutcome.FAILED)),
        contact(queue(0, 90, StintOutcome.LEFT), callback(90, 390, StintOutcome.COMPLETED)),
    ]
    figures = accessibility(aggregate(contacts))
    assert (figures.callbacks_requested, figures.callbacks_completed) == (3, 2)
    assert figures.mean_time_to_callback == pytest.approx(450.0)
    assert figures.median_time_to_callback == 300


def test_messages_taken_handled_and_handled_within_deadline():
    contacts = [
        contact(talk(0, 30), message(30, 600, 3600)),
        contact(talk(0, 30), message(30, 7200, 3600)),
        contact(talk(0, 30), message(30, None, 3600)),
        contact(talk(0, 30), message(30, 99999)),
    ]
    figures = accessibility(aggregate(contacts))
    assert figures.messages_taken == 4
    assert figures.messages_handled == 3
    assert figures.messages_within_deadline == 2
    assert figures.messages_within_deadline_rate == pytest.approx(0.5)


def transfers() -> list:
    return [
        contact(queue(0, 5, ANSWERED), talk(5, 20), attempt(20, 30, ANSWERED, "p1", "u1", "d1")),
        contact(
            queue(0, 5, ANSWERED),
            talk(5, 20),
            attempt(20, 40, StintOutcome.NO_ANSWER, "p2", "u1", "d1"),
            back(40, 50),
            attempt(50, 60, StintOutcome.BUSY, "p1", "u1", "d1"),
            back(60, 70),
        ),
        contact(
            queue(0, 5, ANSWERED),
            talk(5, 20),
            attempt(20, 40, StintOutcome.NO_ANSWER, "p3", "u2", "d1"),
        ),
    ]


def test_transfer_reach_and_returns_per_department():
    (department,) = transfer_figures(aggregate(transfers()), "department")
    assert (department.target, department.attempted, department.answered) == ("d1", 4, 1)
    assert department.returned == 2
    assert department.reach == pytest.approx(0.25)
    assert department.returned_rate == pytest.approx(0.5)
    assert department.reasons == {"no_answer": 2, "busy": 1}


def test_transfer_reach_per_person_and_unit():
    agg = aggregate(transfers())
    people = {row.target: row for row in transfer_figures(agg, "person")}
    assert (people["p1"].attempted, people["p1"].answered, people["p1"].returned) == (2, 1, 1)
    assert people["p1"].reasons == {"busy": 1}
    assert (people["p3"].attempted, people["p3"].returned) == (1, 0)
    units = {row.target: row for row in transfer_figures(agg, "unit")}
    assert (units["u1"].attempted, units["u1"].answered, units["u1"].returned) == (3, 1, 2)
    assert units["u2"].reach == 0.0


def test_telephonist_calls_talk_wrap_up_and_pause():
    contacts = [
        contact(queue(0, 5, ANSWERED), talk(5, 65, "t1", wrap_up_s=20)),
        contact(
            queue(0, 5, ANSWERED),
            talk(5, 35, "t1", wrap_up_s=10),
            attempt(35, 50, StintOutcome.NO_ANSWER),
            back(50, 80, "t1"),
        ),
        contact(queue(0, 5, ANSWERED), talk(5, 15, "t2")),
    ]
    pauses = [Pause("t1", at(1000), at(1600), "lunch"), Pause("t3", at(0), at(90))]
    rows = {row.telephonist: row for row in telephonist_figures(aggregate(contacts, pauses))}
    assert (rows["t1"].calls, rows["t1"].talk_s, rows["t1"].wrap_up_s, rows["t1"].pause_s) == (
        2,
        120,
        30,
        600,
    )
    assert (rows["t2"].calls, rows["t2"].talk_s) == (1, 10)
    assert (rows["t3"].calls, rows["t3"].pause_s) == (0, 90)


def test_heatmap_counts_offered_and_answer_rate_by_local_weekday_and_hour():
    friday_afternoon = datetime(2024, 3, 8, 15, 30, tzinfo=STOCKHOLM)
    contacts = [
        answered(10, WrapUp.ANSWERED_DIRECTLY),
        contact(queue(0, 50, ABANDONED)),
        contact(queue(0, 50, ABANDONED), started=friday_afternoon),
    ]
    cells = {(c.weekday, c.hour): c for c in heatmap(aggregate(contacts))}
    assert len(cells) == 7 * 24
    assert (cells[(0, 9)].offered, cells[(0, 9)].answered) == (2, 1)
    assert cells[(0, 9)].answer_rate == pytest.approx(0.5)
    assert (cells[(4, 15)].offered, cells[(4, 15)].answer_rate) == (1, 0.0)
    assert cells[(2, 12)].answer_rate is None


def test_heatmap_uses_stockholm_time_for_utc_stamped_contacts():
    sunday_late_utc = datetime(2024, 6, 30, 22, 15, tzinfo=UTC)
    call = contact(queue(0, 10, ANSWERED), talk(10, 20), started=sunday_late_utc)
    cells = {(c.weekday, c.hour): c for c in heatmap(aggregate([call]))}
    assert cells[(0, 0)].offered == 1


def test_period_labels_use_iso_weeks_and_calendar_months():
    assert period_label(date(2024, 12, 30), Period.WEEK) == "2025-W01"
    assert period_label(date(2021, 1, 3), Period.WEEK) == "2020-W53"
    assert period_label(date(2024, 12, 30), Period.MONTH) == "2024-12"
    assert period_label(date(2024, 12, 30), Period.DAY) == "2024-12-30"


def test_grouping_per_week_and_number_dialled():
    monday, sunday, next_monday = T0, T0 + timedelta(days=6), T0 + timedelta(days=7)
    contacts = [
        contact(queue(0, 5, ANSWERED), talk(5, 9), started=monday),
        contact(queue(0, 5, ANSWERED), talk(5, 9), started=sunday, number="centre"),
        contact(queue(0, 50, ABANDONED), started=next_monday),
    ]
    weeks = group(contacts, Period.WEEK)
    assert sorted(weeks) == [("2024-W10", None), ("2024-W11", None)]
    assert accessibility(weeks[("2024-W10", None)]).answered == 2
    assert accessibility(weeks[("2024-W11", None)]).abandoned == 1
    by_number = group(contacts, Period.WEEK, by_number=True)
    assert accessibility(by_number[("2024-W10", "centre")]).answered == 1
    assert accessibility(by_number[("2024-W10", "switchboard")]).answered == 1


def test_a_late_evening_call_belongs_to_its_stockholm_day():
    late = datetime(2024, 6, 3, 23, 30, tzinfo=STOCKHOLM)
    call = contact(queue(0, 5, ANSWERED), talk(5, 9), started=late)
    assert list(daily_rollups([call])) == [(date(2024, 6, 3), "switchboard")]


def test_aggregates_merge_with_the_empty_aggregate_as_identity():
    agg = aggregate(sample())
    assert agg + Aggregate() == agg == Aggregate() + agg


def test_aggregates_with_different_short_abandon_limits_do_not_merge():
    with pytest.raises(ValueError):
        aggregate(sample()) + aggregate(sample(), short_abandon_s=10)


def test_short_abandon_limit_is_configurable():
    figures = accessibility(aggregate(sample(), short_abandon_s=60))
    assert (figures.short_abandons, figures.offered, figures.abandoned) == (2, 6, 1)
