from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from vaxel.calendar import BusinessCalendar
from vaxel.config import DatedException, Office, Schedule
from vaxel.ivr.model import (
    LateDay,
    Override,
    OverrideMode,
    Reason,
    ScheduleError,
    decide,
    guide_on_duty,
    late_day_of,
)

TZ = ZoneInfo("Europe/Stockholm")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_ONLY: dict[Day, list[str]] = {
    "mon": ["08:00-17:00"],
    "tue": ["08:00-17:00"],
    "wed": ["08:00-17:00"],
    "thu": ["08:00-17:00"],
    "fri": ["08:00-16:00"],
}
EVERY_DAY: dict[Day, list[str]] = {day: ["08:00-17:00"] for day in DAYS}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar({date(2026, 4, 2): time(12, 0)})


@pytest.fixture
def office_hours() -> Schedule:
    return Schedule(weekly=WEEKDAYS_ONLY)


def test_open_on_a_weekday_until_the_weekly_close(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    decision = decide(office_hours, calendar, at(2026, 3, 10, 10))
    assert decision.open
    assert decision.reason is Reason.WEEKLY
    assert decision.destination is None
    assert decision.closes_at == at(2026, 3, 10, 17)
    assert decision.next_open is None


def test_closed_after_friday_close_opens_monday_morning(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    decision = decide(office_hours, calendar, at(2026, 3, 13, 16, 30))
    assert not decision.open
    assert decision.reason is Reason.OUTSIDE_HOURS
    assert decision.next_open == at(2026, 3, 16, 8)
    assert decision.closes_at is None


def test_any_time_zone_gives_the_same_decision(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    utc = datetime(2026, 3, 10, 15, 59, tzinfo=UTC)  # 16:59 local
    assert decide(office_hours, calendar, utc).open
    assert not decide(office_hours, calendar, utc + timedelta(minutes=1)).open


def test_a_naive_instant_is_refused(office_hours: Schedule, calendar: BusinessCalendar) -> None:
    with pytest.raises(ScheduleError):
        decide(office_hours, calendar, datetime(2026, 3, 10, 10))


# --- DST ---------------------------------------------------------------------------------


def test_spring_dst_sunday_keeps_local_opening_hours(
    calendar: BusinessCalendar,
) -> None:
    schedule = Schedule(weekly=EVERY_DAY, closed_on_holidays=False)
    # 2026-03-29: clocks go from 02:00 CET to 03:00 CEST, so 08:00 local is 06:00 UTC.
    assert not decide(schedule, calendar, datetime(2026, 3, 29, 5, 59, tzinfo=UTC)).open
    opened = decide(schedule, calendar, datetime(2026, 3, 29, 6, 0, tzinfo=UTC))
    assert opened.open
    assert opened.closes_at == datetime(2026, 3, 29, 15, 0, tzinfo=UTC)
    assert opened.closes_at is not None and opened.closes_at.hour == 17


def test_autumn_dst_sunday_keeps_local_opening_hours(
    calendar: BusinessCalendar,
) -> None:
    schedule = Schedule(weekly=EVERY_DAY, closed_on_holidays=False)
    # 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET, so 08:00 local is 07:00 UTC.
    closed = decide(schedule, calendar, datetime(2026, 10, 25, 6, 30, tzinfo=UTC))
    assert not closed.open
    assert closed.next_open == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)
    assert decide(schedule, calendar, datetime(2026, 10, 25, 15, 59, tzinfo=UTC)).open
    assert not decide(schedule, calendar, datetime(2026, 10, 25, 16, 0, tzinfo=UTC)).open


@pytest.mark.parametrize(
    ("friday_evening", "monday_opening_utc"),
    [
        (at(2026, 3, 27, 18), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        (at(2026, 10, 23, 18), datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_open_across_a_dst_weekend_is_eight_local(
    office_hours: Schedule,
    calendar: BusinessCalendar,
    friday_evening: datetime,
    monday_opening_utc: datetime,
) -> None:
    decision = decide(office_hours, calendar, friday_evening)
    assert decision.next_open == monday_opening_utc
    assert decision.next_open is not None and decision.next_open.hour == 8


def test_a_whole_day_period_lasts_25_hours_when_clocks_go_back(
    calendar: BusinessCalendar,
) -> None:
    schedule = Schedule(weekly={"sun": ["00:00-24:00"]}, closed_on_holidays=False)
    decision = decide(schedule, calendar, at(2026, 10, 25, 12))
    assert decision.closes_at == at(2026, 10, 26, 0)
    # Same-zone datetimes subtract as wall-clock times, so measure the real length in UTC.
    assert decision.closes_at is not None
    length = decision.closes_at.astimezone(UTC) - at(2026, 10, 25, 0).astimezone(UTC)
    assert length == timedelta(hours=25)


# --- holidays and half days ---------------------------------------------------------------


def test_good_friday_is_closed_and_opens_after_the_easter_weekend(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    decision = decide(office_hours, calendar, at(2026, 4, 3, 10))
    assert not decision.open
    assert decision.reason is Reason.HOLIDAY
    assert decision.detail == "Långfredagen"
    # Saturday, påskdagen and annandag påsk follow.
    assert decision.next_open == at(2026, 4, 7, 8)


def test_midsummer_eve_is_closed(office_hours: Schedule, calendar: BusinessCalendar) -> None:
    decision = decide(office_hours, calendar, at(2026, 6, 19, 9))
    assert (decision.open, decision.reason) == (False, Reason.HOLIDAY)
    assert decision.next_open == at(2026, 6, 22, 8)


def test_a_schedule_can_stay_open_on_holidays(calendar: BusinessCalendar) -> None:
    schedule = Schedule(weekly=WEEKDAYS_ONLY, closed_on_holidays=False)
    assert decide(schedule, calendar, at(2026, 4, 3, 10)).open


def test_half_day_closes_at_its_local_time(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    morning = decide(office_hours, calendar, at(2026, 4, 2, 11))
    assert morning.open
    assert morning.reason is Reason.HALF_DAY
    assert morning.closes_at == at(2026, 4, 2, 12)
    afternoon = decide(office_hours, calendar, at(2026, 4, 2, 13))
    assert (afternoon.open, afternoon.reason) == (False, Reason.HALF_DAY)
    assert afternoon.next_open == at(2026, 4, 7, 8)
    evening = decide(office_hours, calendar, at(2026, 4, 2, 18))
    assert evening.reason is Reason.OUTSIDE_HOURS


# --- dated exceptions ---------------------------------------------------------------------


def test_a_dated_exception_shortens_the_day(calendar: BusinessCalendar) -> None:
    schedule = Schedule(
        weekly=WEEKDAYS_ONLY,
        exceptions=[
            DatedException(
                date=date(2026, 12, 23),
                periods=["08:00-15:00"],
                reason="Dagen före julafton",
            )
        ],
    )
    open_ = decide(schedule, calendar, at(2026, 12, 23, 14))
    assert (open_.open, open_.reason, open_.closes_at) == (
        True,
        Reason.EXCEPTION,
        at(2026, 12, 23, 15),
    )
    closed = decide(schedule, calendar, at(2026, 12, 23, 15, 30))
    assert (closed.open, closed.reason) == (False, Reason.EXCEPTION)
    assert closed.detail == "Dagen före julafton"
    assert closed.next_open == at(2026, 12, 28, 8)
    assert decide(schedule, calendar, at(2026, 12, 23, 18)).reason is Reason.OUTSIDE_HOURS


def test_a_dated_exception_routes_to_its_own_destination(
    calendar: BusinessCalendar,
) -> None:
    schedule = Schedule(
        weekly=WEEKDAYS_ONLY,
        exceptions=[
            DatedException(
                date=date(2026, 3, 10),
                periods=["08:00-12:00"],
                destination="queue:bygglov",
            ),
            DatedException(date=date(2026, 3, 11), reason="Personaldag", destination="message"),
        ],
    )
    assert decide(schedule, calendar, at(2026, 3, 10, 9)).destination == "queue:bygglov"
    closed_day = decide(schedule, calendar, at(2026, 3, 11, 9))
    assert (closed_day.open, closed_day.reason) == (False, Reason.EXCEPTION)
    assert closed_day.destination == "message"
    assert closed_day.next_open == at(2026, 3, 12, 8)


def test_a_dated_exception_can_open_on_a_holiday(calendar: BusinessCalendar) -> None:
    schedule = Schedule(
        weekly=WEEKDAYS_ONLY,
        exceptions=[DatedException(date=date(2026, 5, 1), periods=["10:00-14:00"])],
    )
    assert decide(schedule, calendar, at(2026, 5, 1, 11)).reason is Reason.EXCEPTION
    assert decide(schedule, calendar, at(2026, 4, 30, 18)).next_open == at(2026, 5, 1, 10)


# --- manual override ----------------------------------------------------------------------


def test_open_now_override_holds_until_it_expires(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    override = Override(OverrideMode.OPEN_NOW, until=at(2026, 3, 10, 19), destination="queue:x")
    during = decide(office_hours, calendar, at(2026, 3, 10, 18), override=override)
    assert (during.open, during.reason, during.destination) == (
        True,
        Reason.OVERRIDE_OPEN,
        "queue:x",
    )
    assert during.closes_at == at(2026, 3, 10, 19)
    after = decide(office_hours, calendar, at(2026, 3, 10, 19), override=override)
    assert (after.open, after.reason) == (False, Reason.OUTSIDE_HOURS)


def test_open_now_before_opening_runs_into_the_weekly_hours(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    override = Override(OverrideMode.OPEN_NOW, until=at(2026, 3, 10, 9))
    decision = decide(office_hours, calendar, at(2026, 3, 10, 7), override=override)
    assert decision.closes_at == at(2026, 3, 10, 17)


def test_closed_until_override_reopens_when_it_expires(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    override = Override(OverrideMode.CLOSED_UNTIL, until=at(2026, 3, 10, 13))
    during = decide(office_hours, calendar, at(2026, 3, 10, 10), override=override)
    assert (during.open, during.reason) == (False, Reason.OVERRIDE_CLOSED)
    assert during.next_open == at(2026, 3, 10, 13)
    assert decide(office_hours, calendar, at(2026, 3, 10, 13), override=override).open


def test_closed_until_after_hours_reopens_at_the_next_weekly_opening(
    office_hours: Schedule, calendar: BusinessCalendar
) -> None:
    override = Override(OverrideMode.CLOSED_UNTIL, until=at(2026, 4, 2, 18))
    decision = decide(office_hours, calendar, at(2026, 4, 1, 10), override=override)
    assert decision.next_open == at(2026, 4, 7, 8)


def test_an_expired_override_is_ignored(office_hours: Schedule, calendar: BusinessCalendar) -> None:
    override = Override(OverrideMode.CLOSED_UNTIL, until=at(2026, 3, 9, 12))
    decision = decide(office_hours, calendar, at(2026, 3, 10, 10), override=override)
    assert (decision.open, decision.reason) == (True, Reason.WEEKLY)


# --- edges of the timeline ----------------------------------------------------------------


def test_periods_that_meet_at_midnight_close_once(calendar: BusinessCalendar) -> None:
    schedule = Schedule(
        weekly={"fri": ["20:00-24:00"], "sat": ["00:00-02:00"]},
        closed_on_holidays=False,
    )
    assert decide(schedule, calendar, at(2026, 3, 13, 21)).closes_at == at(2026, 3, 14, 2)


def test_no_opening_within_the_horizon_gives_no_next_open(
    calendar: BusinessCalendar,
) -> None:
    never = Schedule(weekly={})
    decision = decide(never, calendar, at(2026, 3, 10, 10))
    assert (decision.open, decision.next_open) == (False, None)


def test_always_open_has_no_closing_within_the_horizon(
    calendar: BusinessCalendar,
) -> None:
    always = Schedule(weekly={day: ["00:00-24:00"] for day in DAYS}, closed_on_holidays=False)
    assert decide(always, calendar, at(2026, 3, 10, 10)).closes_at is None


# --- citizen offices ----------------------------------------------------------------------


@pytest.fixture
def dalby() -> Office:
    return Office(
        name="dalby",
        label="Medborgarkontor Dalby",
        schedule="office",
        late_day="tue",
        late_until="18:00",
        roster={"mon": "+46701740605", "tue": "+46701740606", "fri": "+46701740607"},
        ring_timeout_s=20,
    )


def test_office_late_day_answers_until_its_late_time(
    office_hours: Schedule, calendar: BusinessCalendar, dalby: Office
) -> None:
    late = late_day_of(dalby)
    assert late == LateDay(weekday=1, until=time(18, 0))
    tuesday = decide(office_hours, calendar, at(2026, 3, 10, 16), late_day=late)
    assert tuesday.closes_at == at(2026, 3, 10, 18)
    assert decide(office_hours, calendar, at(2026, 3, 10, 17, 30), late_day=late).open
    assert not decide(office_hours, calendar, at(2026, 3, 11, 17, 30), late_day=late).open


def test_office_late_day_does_not_open_a_holiday(
    office_hours: Schedule, calendar: BusinessCalendar, dalby: Office
) -> None:
    # Trettondedag jul 2026 is a Tuesday.
    decision = decide(office_hours, calendar, at(2026, 1, 6, 17, 30), late_day=late_day_of(dalby))
    assert (decision.open, decision.reason) == (False, Reason.HOLIDAY)


def test_office_without_late_day() -> None:
    office = Office(name="x", label="X", schedule="office", roster={}, ring_timeout_s=20)
    assert late_day_of(office) is None


def test_guide_on_duty_follows_the_local_weekday(calendar: BusinessCalendar, dalby: Office) -> None:
    assert guide_on_duty(dalby, at(2026, 3, 10, 10), calendar) == "+46701740606"
    # 23:30 UTC on Monday is already Tuesday in Stockholm.
    monday_night_utc = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert guide_on_duty(dalby, monday_night_utc, calendar) == "+46701740606"
    assert guide_on_duty(dalby, at(2026, 3, 11, 10), calendar) is None
    assert guide_on_duty(dalby, at(2026, 3, 14, 10), calendar) is None
