"""Where a call goes: queue, the duty guide, or closed; overrides, late day, notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.controller import EXAMPLE
from vaxel.calendar import BusinessCalendar
from vaxel.config import load_site_config
from vaxel.ivr.model import Override, OverrideMode, Reason
from vaxel.ivr.routing import (
    Closed,
    Notice,
    RoutingError,
    ToGuide,
    ToQueue,
    check_target,
    notices_for,
    route,
)
from vaxel.ivr.texts import closed_message, spoken_digits

TZ = ZoneInfo("Europe/Stockholm")
CONFIG = load_site_config(EXAMPLE)
CALENDAR = BusinessCalendar(CONFIG.site.half_days, half_day_closes=CONFIG.site.half_day_closes)


def number(name: str):
    return next(n for n in CONFIG.numbers if n.name == name)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_switchboard_in_open_hours_goes_to_the_centre_queue_labelled_with_the_number() -> None:
    where = route(CONFIG, CALENDAR, number("switchboard"), at(2026, 11, 23, 10))
    assert where == ToQueue("centre", {"number": "switchboard"})


def test_office_number_in_phone_hours_rings_todays_guide_with_the_centre_as_fallback() -> None:
    where = route(CONFIG, CALENDAR, number("office-dalby"), at(2026, 11, 23, 10))
    assert isinstance(where, ToGuide)
    assert where.mobile == "+46701740605"  # Monday's guide
    assert where.fallback == ToQueue("centre", {"number": "office-dalby", "office": "dalby"})


def test_office_late_day_is_answered_until_six_and_other_offices_are_closed() -> None:
    tuesday_evening = at(2026, 11, 24, 17, 30)
    assert isinstance(route(CONFIG, CALENDAR, number("office-dalby"), tuesday_evening), ToGuide)
    closed = route(CONFIG, CALENDAR, number("office-genarp"), tuesday_evening)
    assert isinstance(closed, Closed) and closed.callback_queue == "centre"


def test_closed_on_christmas_eve_says_why_and_when_we_open() -> None:
    t = at(2026, 12, 24, 10)
    where = route(CONFIG, CALENDAR, number("centre"), t)
    assert isinstance(where, Closed) and where.decision.reason is Reason.HOLIDAY
    text = closed_message(where.decision, t, "sv", CALENDAR)
    assert text == "I dag är det julafton och vi har stängt. Vi öppnar igen måndag klockan åtta."


def test_closed_message_after_friday_close_names_monday_eight() -> None:
    t = at(2026, 11, 27, 16, 30)
    where = route(CONFIG, CALENDAR, number("switchboard"), t)
    assert isinstance(where, Closed)
    assert closed_message(where.decision, t, "sv", CALENDAR) == (
        "Vi har stängt just nu. Vi öppnar igen måndag klockan åtta."
    )
    assert closed_message(where.decision, t, "en", CALENDAR) == (
        "We are closed right now. We open again on Monday at eight o'clock in the morning."
    )


def test_the_most_specific_override_wins_and_expires_by_itself() -> None:
    t = at(2026, 11, 23, 10)
    overrides = {
        "queue:centre": Override(OverrideMode.CLOSED_UNTIL, t + timedelta(hours=1)),
        "number:centre": Override(OverrideMode.OPEN_NOW, t + timedelta(minutes=30)),
    }
    assert isinstance(route(CONFIG, CALENDAR, number("centre"), t, overrides), ToQueue)
    closed = route(CONFIG, CALENDAR, number("switchboard"), t, overrides)
    assert isinstance(closed, Closed) and closed.decision.reason is Reason.OVERRIDE_CLOSED
    later = t + timedelta(hours=2)
    assert isinstance(route(CONFIG, CALENDAR, number("switchboard"), later, overrides), ToQueue)


def test_open_now_override_with_a_destination_routes_to_that_queue() -> None:
    t = at(2026, 11, 23, 20)
    overrides = {
        "office:dalby": Override(OverrideMode.OPEN_NOW, t + timedelta(hours=1), "queue:centre")
    }
    where = route(CONFIG, CALENDAR, number("office-dalby"), t, overrides)
    assert where == ToQueue("centre", {"number": "office-dalby"})


def test_callback_in_closed_can_be_switched_off_per_number() -> None:
    config = CONFIG.model_copy(
        update={
            "numbers": [n.model_copy(update={"callback_in_closed": False}) for n in CONFIG.numbers]
        }
    )
    where = route(config, CALENDAR, config.numbers[0], at(2026, 11, 23, 20))
    assert isinstance(where, Closed) and where.callback_queue is None


def test_override_targets_are_checked_against_the_site_file() -> None:
    assert check_target(CONFIG, "office:dalby") == "office:dalby"
    with pytest.raises(RoutingError, match="no queue 'nope'"):
        check_target(CONFIG, "queue:nope")
    with pytest.raises(RoutingError):
        check_target(CONFIG, "centre")


def test_notices_apply_to_their_numbers_until_they_end() -> None:
    t = at(2026, 11, 23, 10)
    water = Notice(
        1,
        "Vattenläcka i Dalby.",
        None,
        None,
        frozenset({"office-dalby"}),
        t,
        t + timedelta(hours=1),
    )
    storm = Notice(
        2, "Storm.", None, None, frozenset(), t - timedelta(hours=1), t + timedelta(minutes=5)
    )
    assert notices_for([water, storm], "office-dalby", t) == [storm, water]
    assert notices_for([water, storm], "switchboard", t) == [storm]
    assert notices_for([water, storm], "office-dalby", t + timedelta(minutes=5)) == [water]
    assert notices_for([water, storm], "office-dalby", t + timedelta(hours=1)) == []


def test_a_callback_number_is_read_back_as_the_caller_knows_it() -> None:
    assert spoken_digits("+46701740650") == [f"digit-{d}" for d in "0701740650"]
