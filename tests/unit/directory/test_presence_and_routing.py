from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxel.directory.forwarding import (
    FollowForward,
    ReferToPhoneHours,
    ReportAbsent,
    ReportBusy,
    ReportClosed,
    RingDevices,
    route_for,
)
from vaxel.directory.model import (
    STOCKHOLM,
    Absence,
    Absent,
    ClosedExtension,
    DeviceState,
    Forward,
    ForwardKind,
    Person,
    PersonSettings,
    PhoneHours,
    StatusKind,
    TargetKind,
    ValidTarget,
    combine_presence,
    parse_weekly,
)

NOW = datetime(2025, 6, 10, 14, 0, tzinfo=STOCKHOLM)  # a Tuesday afternoon
MORNINGS = PhoneHours(parse_weekly({"tue": ["10:00-12:00"], "wed": ["10:00-12:00"]}))
AFTERNOONS = PhoneHours(parse_weekly({"tue": ["13:00-16:00"]}))
COLLEAGUE = ValidTarget(TargetKind.EXTENSION, "2006")
MOBILE = ValidTarget(TargetKind.MOBILE, "+46701740604")
SWITCHBOARD = ValidTarget(TargetKind.SWITCHBOARD)
OFF_SICK = ClosedExtension(NOW - timedelta(hours=2), by="2001", reason="sjuk")
HOLIDAY = Absence(NOW - timedelta(days=1), NOW + timedelta(days=6), "semester", "Tillbaka 17 juni")
KARIN = Person(
    "E10005", "Karin Östberg", "Torghandelsansvarig", "torg", "2005",
    desk_endpoint="PJSIP/2005", mobile="+46701740604",
)  # fmt: skip


def settings(**kwargs) -> PersonSettings:
    return PersonSettings(**kwargs)


def kind(device: DeviceState, s: PersonSettings) -> StatusKind:
    return combine_presence(device, s, NOW).status.kind


def test_closed_extension_outranks_everything():
    s = settings(
        closed=OFF_SICK,
        absences=(HOLIDAY,),
        forwards=(Forward(ForwardKind.UNCONDITIONAL, COLLEAGUE),),
        phone_hours=MORNINGS,
    )
    assert kind(DeviceState.INUSE, s) == StatusKind.CLOSED


def test_absence_outranks_an_unconditional_forward_but_carries_it():
    s = settings(absences=(HOLIDAY,), forwards=(Forward(ForwardKind.UNCONDITIONAL, COLLEAGUE),))
    status = combine_presence(DeviceState.NOT_INUSE, s, NOW).status
    assert status == Absent(HOLIDAY.end, "semester", "Tillbaka 17 juni", COLLEAGUE)


def test_unconditional_forward_outranks_phone_hours_and_device():
    s = settings(forwards=(Forward(ForwardKind.UNCONDITIONAL, MOBILE),), phone_hours=MORNINGS)
    assert kind(DeviceState.INUSE, s) == StatusKind.FORWARDED


def test_outside_phone_hours_outranks_being_on_a_call():
    status = combine_presence(DeviceState.INUSE, settings(phone_hours=MORNINGS), NOW).status
    assert status.kind == StatusKind.OUTSIDE_PHONE_HOURS
    assert status.next_start == datetime(2025, 6, 11, 10, 0, tzinfo=STOCKHOLM)


def test_outside_phone_hours_with_its_own_forward_is_forwarded():
    s = settings(
        phone_hours=MORNINGS, forwards=(Forward(ForwardKind.OUTSIDE_PHONE_HOURS, SWITCHBOARD),)
    )
    status = combine_presence(DeviceState.NOT_INUSE, s, NOW).status
    assert status.kind == StatusKind.FORWARDED
    assert status.because == ForwardKind.OUTSIDE_PHONE_HOURS


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (DeviceState.NOT_INUSE, StatusKind.AVAILABLE),
        (DeviceState.INUSE, StatusKind.ON_CALL),
        (DeviceState.BUSY, StatusKind.ON_CALL),
        (DeviceState.ONHOLD, StatusKind.ON_CALL),
        (DeviceState.RINGINUSE, StatusKind.ON_CALL),
        (DeviceState.RINGING, StatusKind.RINGING),
        (DeviceState.UNAVAILABLE, StatusKind.AVAILABLE),
        (DeviceState.UNKNOWN, StatusKind.AVAILABLE),
        (DeviceState.INVALID, StatusKind.AVAILABLE),
    ],
)
def test_device_state_decides_inside_phone_hours(device, expected):
    assert kind(device, settings(phone_hours=AFTERNOONS)) == expected


def test_device_state_is_kept_for_the_ui():
    assert (
        combine_presence(DeviceState.UNAVAILABLE, settings(), NOW).device == DeviceState.UNAVAILABLE
    )


def test_absence_only_counts_while_it_covers_now():
    past = Absence(NOW - timedelta(days=3), NOW - timedelta(seconds=1))
    future = Absence(NOW + timedelta(seconds=1), None)
    assert kind(DeviceState.NOT_INUSE, settings(absences=(past, future))) == StatusKind.AVAILABLE
    open_ended = Absence(NOW - timedelta(days=1), None, "föräldraledig")
    assert kind(DeviceState.NOT_INUSE, settings(absences=(open_ended,))) == StatusKind.ABSENT


def test_only_one_forward_per_kind():
    with pytest.raises(ValueError):
        settings(forwards=(Forward(ForwardKind.BUSY, MOBILE), Forward(ForwardKind.BUSY, COLLEAGUE)))


PRECEDENCE = [
    StatusKind.CLOSED,
    StatusKind.ABSENT,
    StatusKind.FORWARDED,
    StatusKind.OUTSIDE_PHONE_HOURS,
    StatusKind.ON_CALL,
    StatusKind.RINGING,
    StatusKind.AVAILABLE,
]


@given(
    device=st.sampled_from(DeviceState),
    closed=st.booleans(),
    absent=st.booleans(),
    unconditional=st.booleans(),
    hours=st.sampled_from([None, MORNINGS, AFTERNOONS]),
)
def test_status_is_the_highest_applicable_in_the_documented_precedence(
    device, closed, absent, unconditional, hours
):
    s = settings(
        closed=OFF_SICK if closed else None,
        absences=(HOLIDAY,) if absent else (),
        forwards=(Forward(ForwardKind.UNCONDITIONAL, COLLEAGUE),) if unconditional else (),
        phone_hours=hours,
    )
    applicable = {
        StatusKind.CLOSED: closed,
        StatusKind.ABSENT: absent,
        StatusKind.FORWARDED: unconditional,
        StatusKind.OUTSIDE_PHONE_HOURS: hours is MORNINGS,
        StatusKind.ON_CALL: device
        in {DeviceState.INUSE, DeviceState.BUSY, DeviceState.ONHOLD, DeviceState.RINGINUSE},
        StatusKind.RINGING: device == DeviceState.RINGING,
        StatusKind.AVAILABLE: True,
    }
    expected = next(k for k in PRECEDENCE if applicable[k])
    assert kind(device, s) == expected


# --- route_for ---------------------------------------------------------------------------


def route(device: DeviceState, s: PersonSettings):
    return route_for(KARIN, combine_presence(device, s, NOW), NOW)


def test_available_person_rings_desk_and_mobile_with_fallbacks():
    s = settings(
        forwards=(Forward(ForwardKind.NO_ANSWER, SWITCHBOARD), Forward(ForwardKind.BUSY, COLLEAGUE))
    )
    assert route(DeviceState.NOT_INUSE, s) == RingDevices(
        "2005", "PJSIP/2005", "+46701740604", on_busy=COLLEAGUE, on_no_answer=SWITCHBOARD
    )


def test_closed_extension_reports_closed_with_breakthrough_agreement():
    agreed = ClosedExtension(NOW, by="2001", reason="sjuk", breakthrough_allowed=True)
    assert route(DeviceState.NOT_INUSE, settings(closed=agreed)) == ReportClosed("sjuk", True)


def test_absent_person_is_reported_or_followed_to_their_forward():
    assert route(DeviceState.NOT_INUSE, settings(absences=(HOLIDAY,))) == ReportAbsent(
        HOLIDAY.end, "Tillbaka 17 juni"
    )
    s = settings(absences=(HOLIDAY,), forwards=(Forward(ForwardKind.UNCONDITIONAL, COLLEAGUE),))
    assert route(DeviceState.NOT_INUSE, s) == FollowForward(COLLEAGUE, None)


def test_unconditional_forward_is_followed():
    s = settings(forwards=(Forward(ForwardKind.UNCONDITIONAL, MOBILE),))
    assert route(DeviceState.NOT_INUSE, s) == FollowForward(MOBILE, ForwardKind.UNCONDITIONAL)


def test_outside_phone_hours_refers_to_the_next_start():
    assert route(DeviceState.INUSE, settings(phone_hours=MORNINGS)) == ReferToPhoneHours(
        datetime(2025, 6, 11, 10, 0, tzinfo=STOCKHOLM)
    )


def test_busy_person_follows_busy_forward_or_is_reported_busy():
    s = settings(forwards=(Forward(ForwardKind.BUSY, COLLEAGUE),))
    assert route(DeviceState.INUSE, s) == FollowForward(COLLEAGUE, ForwardKind.BUSY)
    s = settings(forwards=(Forward(ForwardKind.NO_ANSWER, SWITCHBOARD),))
    assert route(DeviceState.ONHOLD, s) == ReportBusy(SWITCHBOARD)


def test_unsafe_person_values_cannot_reach_a_dial_string():
    with pytest.raises(ValueError):
        Person("x", "X", "", "u", "123&PJSIP/evil")
    with pytest.raises(ValueError):
        Person("x", "X", "", "u", "2001", desk_endpoint="PJSIP/2001&PJSIP/evil")
    with pytest.raises(ValueError):
        Person("x", "X", "", "u", "2001", mobile="0701740600")
