from datetime import UTC, date, datetime, time, timedelta

import pytest

from vaxel.directory.model import (
    STOCKHOLM,
    PhoneHours,
    next_phone_hours_start,
    parse_period,
    parse_weekly,
    phone_hours_state,
)

# Building permits answer weekdays 10-12.
BYGGLOV = PhoneHours(
    parse_weekly({day: ["10:00-12:00"] for day in ("mon", "tue", "wed", "thu", "fri")})
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def test_inside_a_window_has_no_next_start():
    assert phone_hours_state(BYGGLOV, at(2025, 6, 10, 10, 30)) == (True, None)


def test_inside_a_window_the_next_phone_hours_are_the_next_window():
    # A caller referred while the person's phone hours are on is told the next ones.
    assert next_phone_hours_start(BYGGLOV, at(2025, 6, 10, 10, 30)) == at(2025, 6, 11, 10, 0)
    assert next_phone_hours_start(BYGGLOV, at(2025, 6, 10, 8, 0)) == at(2025, 6, 10, 10, 0)


def test_no_windows_means_no_next_phone_hours():
    assert next_phone_hours_start(PhoneHours({}), at(2025, 6, 10, 10, 30)) is None


def test_window_end_is_exclusive():
    assert phone_hours_state(BYGGLOV, at(2025, 6, 10, 12, 0)).inside is False


def test_before_a_window_the_next_start_is_today():
    state = phone_hours_state(BYGGLOV, at(2025, 6, 10, 8, 0))
    assert state == (False, at(2025, 6, 10, 10, 0))


def test_friday_afternoon_points_to_monday_morning():
    state = phone_hours_state(BYGGLOV, at(2025, 6, 13, 15, 0))
    assert state.next_start == at(2025, 6, 16, 10, 0)


def test_utc_input_is_read_in_stockholm_wall_time():
    # 08:30 UTC is 10:30 in Stockholm in summer.
    assert phone_hours_state(BYGGLOV, datetime(2025, 6, 10, 8, 30, tzinfo=UTC)).inside


def test_dated_exception_closes_a_day():
    closed = PhoneHours(BYGGLOV.weekly, {date(2025, 6, 11): ()})
    state = phone_hours_state(closed, at(2025, 6, 11, 10, 30))
    assert state == (False, at(2025, 6, 12, 10, 0))


def test_dated_exception_replaces_the_day_windows():
    shorter = PhoneHours(BYGGLOV.weekly, {date(2025, 6, 11): ((time(13), time(14)),)})
    assert not phone_hours_state(shorter, at(2025, 6, 11, 10, 30)).inside
    assert phone_hours_state(shorter, at(2025, 6, 11, 13, 30)).inside


def test_holidays_close_the_day_unless_an_exception_opens_it():
    national_day = date(2025, 6, 6)  # a Friday
    state = phone_hours_state(
        BYGGLOV, at(2025, 6, 6, 10, 30), is_holiday={national_day}.__contains__
    )
    assert state == (False, at(2025, 6, 9, 10, 0))
    opened = PhoneHours(BYGGLOV.weekly, {national_day: ((time(10), time(11)),)})
    assert phone_hours_state(
        opened, at(2025, 6, 6, 10, 30), is_holiday={national_day}.__contains__
    ).inside


def test_next_start_across_spring_forward_keeps_wall_time():
    # Sweden moves to summer time on Sunday 2025-03-30.
    state = phone_hours_state(BYGGLOV, at(2025, 3, 29, 12, 0))
    assert state.next_start == at(2025, 3, 31, 10, 0)
    assert state.next_start.astimezone(UTC) == datetime(2025, 3, 31, 8, 0, tzinfo=UTC)


def test_next_start_across_fall_back_keeps_wall_time():
    # Sweden returns to standard time on Sunday 2025-10-26.
    state = phone_hours_state(BYGGLOV, at(2025, 10, 24, 13, 0))
    assert state.next_start.astimezone(UTC) == datetime(2025, 10, 27, 9, 0, tzinfo=UTC)


def test_window_starting_in_the_spring_forward_gap_becomes_a_real_instant():
    early = PhoneHours(parse_weekly({"sun": ["02:30-04:00"]}))
    state = phone_hours_state(early, at(2025, 3, 30, 1, 0))
    assert state.next_start is not None
    assert state.next_start.astimezone(UTC) == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert state.next_start.utcoffset() == timedelta(hours=2)


def test_inside_during_the_repeated_fall_back_hour():
    night = PhoneHours(parse_weekly({"sun": ["02:00-03:00"]}))
    # 00:30 UTC and 01:30 UTC are both 02:30 local on 2025-10-26.
    for hour in (0, 1):
        now = datetime(2025, 10, 26, hour, 30, tzinfo=UTC)
        assert phone_hours_state(night, now).inside


def test_no_windows_at_all_has_no_next_start():
    assert phone_hours_state(PhoneHours({}), at(2025, 6, 10, 10, 0)) == (False, None)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        phone_hours_state(BYGGLOV, datetime(2025, 6, 10, 10, 0))


def test_periods_parse_like_the_site_file():
    assert parse_period("08:00-24:00") == (time(8), time.max)
    with pytest.raises(ValueError):
        parse_period("8-17")
    with pytest.raises(ValueError):
        parse_weekly({"monday": ["08:00-17:00"]})
    with pytest.raises(ValueError, match="ends before"):
        PhoneHours({0: ((time(12), time(10)),)})
