"""Which colleague is suggested when the target fails: one rule (``is_free_colleague``) for
the handoff's whisper and the directory search, so the telephonist never sees two answers."""

from __future__ import annotations

from vaxel.directory.forwarding import is_free_colleague
from vaxel.directory.model import (
    Absent,
    Available,
    DeviceState,
    OnCall,
    OutsidePhoneHours,
    Person,
    Presence,
)

DESK = Person("p-mikael", "Mikael Löfgren", "LSS-handläggare", "lss", "2015")
MOBILE = Person("p-asa", "Åsa Nyström", "LSS-handläggare", "lss", "2014", mobile="+46701740690")


def free(person: Person, device: DeviceState, status=None, mobiles_ring: bool = True) -> bool:  # type: ignore[no-untyped-def]
    presence = Presence(status or Available(), device, None)
    return is_free_colleague(person, presence, mobiles_ring=mobiles_ring)


def test_an_idle_registered_phone_is_free():
    assert free(DESK, DeviceState.NOT_INUSE)


def test_a_phone_asterisk_knows_nothing_of_sends_the_caller_nowhere():
    for device in (DeviceState.UNKNOWN, DeviceState.UNAVAILABLE, DeviceState.INVALID):
        assert not free(DESK, device)


def test_someone_with_a_mobile_a_transfer_rings_is_free_without_a_registered_desk_phone():
    assert free(MOBILE, DeviceState.UNAVAILABLE)
    assert not free(MOBILE, DeviceState.UNAVAILABLE, mobiles_ring=False)


def test_their_own_settings_and_a_call_in_progress_come_first():
    assert not free(MOBILE, DeviceState.INUSE, OnCall())
    assert not free(DESK, DeviceState.NOT_INUSE, OutsidePhoneHours(None))
    assert not free(DESK, DeviceState.NOT_INUSE, Absent(None, "semester", ""))
