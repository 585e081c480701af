from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from vaxel.calendar import BusinessCalendar
from vaxel.config import Schedule
from vaxel.ivr.model import Reason, decide
from vaxel.ivr.speech import (
    clock,
    closed_reason_sentence,
    day_phrase,
    minutes,
    next_opening_sentence,
    number,
    ordinal,
    position_announcement,
    weekday,
)

TZ = ZoneInfo("Europe/Stockholm")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "noll"),
        (1, "ett"),
        (2, "två"),
        (7, "sju"),
        (11, "elva"),
        (18, "arton"),
        (20, "tjugo"),
        (21, "tjugoett"),
        (35, "trettiofem"),
        (48, "fyrtioåtta"),
        (99, "nittionio"),
        (100, "hundra"),
        (101, "hundraett"),
        (118, "hundraarton"),
        (200, "tvåhundra"),
        (340, "trehundrafyrtio"),
        (999, "niohundranittionio"),
    ],
)
def test_swedish_numbers_in_words(n: int, words: str) -> None:
    assert number(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (1, "one"),
        (13, "thirteen"),
        (21, "twenty-one"),
        (100, "one hundred"),
        (105, "one hundred and five"),
        (999, "nine hundred and ninety-nine"),
    ],
)
def test_english_numbers_in_words(n: int, words: str) -> None:
    assert number(n, "en") == words


def test_one_is_en_only_for_a_single_common_gender_noun() -> None:
    assert number(1, gender="common") == "en"
    assert number(1) == "ett"
    assert minutes(1) == "en minut"
    assert minutes(3) == "tre minuter"
    assert minutes(21) == "tjugoett minuter"
    assert minutes(1, "en") == "one minute"


@pytest.mark.parametrize("n", [-1, 1000])
def test_numbers_outside_the_range_are_refused(n: int) -> None:
    with pytest.raises(ValueError):
        number(n)


@pytest.mark.parametrize(
    ("n", "sv", "en"),
    [
        (1, "första", "first"),
        (2, "andra", "second"),
        (20, "tjugonde", "twentieth"),
        (21, "tjugoförsta", "twenty-first"),
        (28, "tjugoåttonde", "twenty-eighth"),
        (30, "trettionde", "thirtieth"),
        (31, "trettioförsta", "thirty-first"),
    ],
)
def test_ordinals_for_dates(n: int, sv: str, en: str) -> None:
    assert (ordinal(n), ordinal(n, "en")) == (sv, en)


@pytest.mark.parametrize(
    ("hour", "minute", "sv", "en"),
    [
        (8, 0, "klockan åtta", "at eight o'clock in the morning"),
        (8, 30, "klockan åtta och trettio", "at eight thirty in the morning"),
        (13, 5, "klockan tretton och fem", "at one oh five in the afternoon"),
        (1, 0, "klockan ett", "at one o'clock in the morning"),
        (12, 0, "klockan tolv", "at noon"),
        (18, 0, "klockan arton", "at six o'clock in the evening"),
        (0, 0, "vid midnatt", "at midnight"),
    ],
)
def test_clock_times(hour: int, minute: int, sv: str, en: str) -> None:
    t = at(2026, 3, 10, hour, minute)
    assert (clock(t), clock(t, "en")) == (sv, en)


def test_weekdays_and_relative_days() -> None:
    now = at(2026, 3, 13, 17)  # a Friday
    assert weekday(now) == "fredag"
    assert weekday(now, "en") == "Friday"
    assert day_phrase(at(2026, 3, 13, 18), now) == "i dag"
    assert day_phrase(at(2026, 3, 14, 8), now) == "i morgon"
    assert day_phrase(at(2026, 3, 14, 8), now, "en") == "tomorrow"
    assert day_phrase(at(2026, 3, 16, 8), now) == "måndag"
    assert day_phrase(at(2026, 3, 16, 8), now, "en") == "on Monday"
    assert day_phrase(at(2026, 3, 23, 8), now) == "måndag den tjugotredje mars"
    assert day_phrase(at(2026, 3, 23, 8), now, "en") == "on Monday the twenty-third of March"


def test_position_announcement_with_estimate() -> None:
    assert position_announcement(2, timedelta(minutes=3)) == (
        "Du är nummer två i kön. Beräknad väntetid är ungefär tre minuter."
    )
    assert position_announcement(2, timedelta(minutes=3), "en") == (
        "You are number two in the queue. The expected waiting time is about three minutes."
    )


def test_position_one_and_a_short_wait() -> None:
    assert position_announcement(1, timedelta(seconds=40)) == (
        "Du är nummer ett i kön. Beräknad väntetid är ungefär en minut."
    )


@pytest.mark.parametrize("wait", [None, timedelta(0), timedelta(seconds=-5)])
def test_position_announcement_without_a_usable_estimate_says_only_the_position(
    wait: timedelta | None,
) -> None:
    assert position_announcement(3, wait) == "Du är nummer tre i kön."


def test_a_wait_over_an_hour_is_not_stated_in_minutes() -> None:
    assert position_announcement(40, timedelta(minutes=95)) == (
        "Du är nummer fyrtio i kön. Beräknad väntetid är mer än en timme."
    )


def test_a_position_beyond_words_is_not_given_as_a_number() -> None:
    assert position_announcement(1000) == "Du står i kö."


def test_position_zero_is_refused() -> None:
    with pytest.raises(ValueError):
        position_announcement(0)


def test_next_opening_sentence() -> None:
    friday_evening = at(2026, 3, 13, 17)
    assert next_opening_sentence(at(2026, 3, 16, 8), friday_evening) == (
        "Vi öppnar igen måndag klockan åtta."
    )
    assert next_opening_sentence(at(2026, 3, 16, 8), friday_evening, "en") == (
        "We open again on Monday at eight o'clock in the morning."
    )
    assert next_opening_sentence(at(2026, 3, 14, 10, 30), friday_evening) == (
        "Vi öppnar igen i morgon klockan tio och trettio."
    )


def test_next_opening_sentence_says_nothing_when_no_opening_is_known() -> None:
    assert next_opening_sentence(None, at(2026, 3, 13, 17)) == ""


def test_next_opening_uses_local_days_for_a_utc_now() -> None:
    # 23:30 UTC on Sunday is already Monday in Stockholm, so Monday 08:00 is "i dag".
    now = datetime(2026, 3, 15, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert next_opening_sentence(at(2026, 3, 16, 8), now) == "Vi öppnar igen i dag klockan åtta."


def test_closed_on_a_holiday_from_the_decision() -> None:
    calendar = BusinessCalendar()
    schedule = Schedule(weekly={"mon": ["08:00-17:00"], "tue": ["08:00-17:00"]})
    t = at(2026, 4, 3, 10)
    decision = decide(schedule, calendar, t)
    spoken = closed_reason_sentence(decision.reason, decision.detail)
    assert spoken == "I dag är det långfredagen och vi har stängt."
    english = calendar.holiday_name(date(2026, 4, 3), "en")
    assert closed_reason_sentence(decision.reason, english, "en") == (
        "Today is Good Friday and we are closed."
    )
    assert next_opening_sentence(decision.next_open, t) == "Vi öppnar igen tisdag klockan åtta."


@pytest.mark.parametrize(
    ("reason", "detail", "sv"),
    [
        (Reason.OUTSIDE_HOURS, None, "Vi har stängt just nu."),
        (Reason.HALF_DAY, None, "Vi har stängt tidigare i dag."),
        (Reason.OVERRIDE_CLOSED, None, "Vi har tillfälligt stängt."),
        (Reason.HOLIDAY, None, "Vi har stängt i dag för helgdag."),
        (
            Reason.EXCEPTION,
            "Personaldag",
            "I dag har vi ändrade öppettider och just nu har vi stängt. Personaldag.",
        ),
        (Reason.WEEKLY, None, ""),
        (Reason.OVERRIDE_OPEN, None, ""),
    ],
)
def test_closed_reason_sentences(reason: Reason, detail: str | None, sv: str) -> None:
    assert closed_reason_sentence(reason, detail) == sv


def test_english_closed_sentence_leaves_out_swedish_exception_text() -> None:
    spoken = closed_reason_sentence(Reason.EXCEPTION, "Personaldag", "en")
    assert "Personaldag" not in spoken
    assert spoken == "Our opening hours are different today, and we are closed right now."
