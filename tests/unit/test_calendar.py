from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from vaxel.calendar import BusinessCalendar, CalendarError, midsummer_eve

TZ = ZoneInfo("Europe/Stockholm")

# Written by hand from Lag (1989:253) om allmänna helgdagar, not derived from the library.
# Easter Sunday: 2026-04-05, 2027-03-28. Ascension = Easter + 39 days, Pentecost = + 49.
LAW_2026 = {
    date(2026, 1, 1): "Nyårsdagen",
    date(2026, 1, 6): "Trettondedag jul",
    date(2026, 4, 3): "Långfredagen",
    date(2026, 4, 5): "Påskdagen",
    date(2026, 4, 6): "Annandag påsk",
    date(2026, 5, 1): "Första maj",
    date(2026, 5, 14): "Kristi himmelsfärdsdag",
    date(2026, 5, 24): "Pingstdagen",
    date(2026, 6, 6): "Nationaldagen",
    date(2026, 6, 20): "Midsommardagen",  # the Saturday 20-26 June
    date(2026, 10, 31): "Alla helgons dag",  # the Saturday 31 October - 6 November
    date(2026, 12, 25): "Juldagen",
    date(2026, 12, 26): "Annandag jul",
}
LAW_2027 = {
    date(2027, 1, 1): "Nyårsdagen",
    date(2027, 1, 6): "Trettondedag jul",
    date(2027, 3, 26): "Långfredagen",
    date(2027, 3, 28): "Påskdagen",
    date(2027, 3, 29): "Annandag påsk",
    date(2027, 5, 1): "Första maj",
    date(2027, 5, 6): "Kristi himmelsfärdsdag",
    date(2027, 5, 16): "Pingstdagen",
    date(2027, 6, 6): "Nationaldagen",
    date(2027, 6, 26): "Midsommardagen",
    date(2027, 11, 6): "Alla helgons dag",
    date(2027, 12, 25): "Juldagen",
    date(2027, 12, 26): "Annandag jul",
}
EVES_2026 = {
    date(2026, 6, 19): "Midsommarafton",
    date(2026, 12, 24): "Julafton",
    date(2026, 12, 31): "Nyårsafton",
}
EVES_2027 = {
    date(2027, 6, 25): "Midsommarafton",
    date(2027, 12, 24): "Julafton",
    date(2027, 12, 31): "Nyårsafton",
}


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2026, LAW_2026 | EVES_2026), (2027, LAW_2027 | EVES_2027)],
)
def test_days_off_are_exactly_the_legal_holidays_and_the_three_eves(
    calendar: BusinessCalendar, year: int, expected: dict[date, str]
) -> None:
    assert calendar.holidays_in(year) == dict(sorted(expected.items()))


def test_midsummer_eve_is_the_friday_from_19_june() -> None:
    assert midsummer_eve(2026) == date(2026, 6, 19)
    assert midsummer_eve(2027) == date(2027, 6, 25)
    assert all(midsummer_eve(year).weekday() == 4 for year in range(2020, 2040))


def test_easter_moves_between_years(calendar: BusinessCalendar) -> None:
    assert calendar.is_holiday(date(2026, 4, 5)) == "Påskdagen"
    assert calendar.is_holiday(date(2027, 3, 28)) == "Påskdagen"
    assert calendar.is_holiday(date(2027, 4, 5)) is None


def test_an_ordinary_sunday_is_a_weekend_not_a_holiday(
    calendar: BusinessCalendar,
) -> None:
    sunday = date(2026, 3, 1)
    assert calendar.is_holiday(sunday) is None
    assert not calendar.is_working_day(sunday)


def test_holiday_names_in_english(calendar: BusinessCalendar) -> None:
    assert calendar.holiday_name(date(2026, 4, 3), "en") == "Good Friday"
    assert calendar.holiday_name(date(2026, 6, 19), "en") == "Midsummer Eve"
    assert calendar.holiday_name(date(2026, 3, 2), "en") is None


def test_working_days_exclude_weekends_holidays_and_eves(
    calendar: BusinessCalendar,
) -> None:
    assert calendar.is_working_day(date(2026, 3, 10))
    assert not calendar.is_working_day(date(2026, 3, 14))
    assert not calendar.is_working_day(date(2026, 6, 19))
    assert not calendar.is_working_day(date(2026, 12, 24))


def test_half_day_is_a_working_day_with_an_early_close() -> None:
    calendar = BusinessCalendar({date(2026, 4, 2): time(12, 0)})
    assert calendar.is_working_day(date(2026, 4, 2))
    assert calendar.half_day_closes(date(2026, 4, 2)) == time(12, 0)
    assert calendar.half_day_closes(date(2026, 4, 1)) is None


def test_half_days_as_plain_dates_close_at_noon() -> None:
    calendar = BusinessCalendar([date(2026, 1, 5)])
    assert calendar.half_day_closes(date(2026, 1, 5)) == time(12, 0)


def test_working_days_between_counts_days_after_start_up_to_end(
    calendar: BusinessCalendar,
) -> None:
    assert calendar.working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == 1
    assert calendar.working_days_between(date(2026, 3, 16), date(2026, 3, 16)) == 0
    # 28, 29, 30 December; 4, 5, 7 January (nyårsafton, nyårsdagen, trettondagen off).
    assert calendar.working_days_between(date(2026, 12, 23), date(2027, 1, 7)) == 6
    assert calendar.working_days_between(date(2026, 3, 16), date(2026, 3, 13)) == -1


def test_add_working_hours_skips_the_weekend(calendar: BusinessCalendar) -> None:
    assert calendar.add_working_hours(at(2026, 3, 13, 16), 2) == at(2026, 3, 16, 9)


def test_add_working_hours_skips_the_easter_holidays(
    calendar: BusinessCalendar,
) -> None:
    # Långfredagen, the weekend and annandag påsk are all off.
    assert calendar.add_working_hours(at(2026, 4, 2, 16), 3) == at(2026, 4, 7, 10)


def test_add_working_hours_stops_early_on_a_half_day() -> None:
    calendar = BusinessCalendar({date(2026, 4, 2): time(12, 0)})
    assert calendar.add_working_hours(at(2026, 4, 2, 11), 3) == at(2026, 4, 7, 10)


def test_add_working_hours_starts_counting_at_opening(
    calendar: BusinessCalendar,
) -> None:
    assert calendar.add_working_hours(at(2026, 3, 16, 6), 1) == at(2026, 3, 16, 9)
    assert calendar.add_working_hours(at(2026, 3, 16, 16), 1) == at(2026, 3, 16, 17)
    assert calendar.add_working_hours(at(2026, 3, 16, 12, 30), 0.5) == at(2026, 3, 16, 13)


def test_add_working_hours_across_the_spring_dst_change(
    calendar: BusinessCalendar,
) -> None:
    result = calendar.add_working_hours(at(2026, 3, 27, 16, 30), 1)
    assert result == at(2026, 3, 30, 8, 30)
    assert result.utcoffset() == timedelta(hours=2)


def test_add_working_hours_accepts_any_time_zone(calendar: BusinessCalendar) -> None:
    utc_start = datetime(2026, 3, 13, 15, 0, tzinfo=ZoneInfo("UTC"))  # 16:00 in Stockholm
    assert calendar.add_working_hours(utc_start, 2) == at(2026, 3, 16, 9)


def test_add_working_hours_needs_an_aware_datetime(calendar: BusinessCalendar) -> None:
    with pytest.raises(CalendarError):
        calendar.add_working_hours(datetime(2026, 3, 13, 16), 1)


def test_end_of_next_working_day_skips_midsummer(calendar: BusinessCalendar) -> None:
    assert calendar.end_of_next_working_day(at(2026, 6, 18, 10)) == at(2026, 6, 22, 17)


def test_end_of_next_working_day_skips_christmas(calendar: BusinessCalendar) -> None:
    assert calendar.end_of_next_working_day(at(2026, 12, 23, 16)) == at(2026, 12, 28, 17)


def test_end_of_next_working_day_on_a_half_day_is_its_close() -> None:
    calendar = BusinessCalendar({date(2026, 4, 30): time(13, 0)})
    assert calendar.end_of_next_working_day(at(2026, 4, 29, 9)) == at(2026, 4, 30, 13)
