"""Which colleague the handoff suggests when the target fails (``Targets``), over a small
stand-in for the directory service: only its presence answers matter here."""

from __future__ import annotations

from types import SimpleNamespace

from vaxel.directory.model import Available, DeviceState, OnCall, Person, Presence
from vaxel.handoff.targets import Targets
from vaxel.numbers import NumberPolicy

ASA = Person("p-asa", "Åsa Nyström", "LSS-handläggare", "lss", "2014")
GONE = Person("p-agneta", "Agneta Sjödén", "LSS-handläggare", "lss", "6217")
BUSY = Person("p-karl", "Karl Magnusson", "LSS-handläggare", "lss", "6220")
FREE = Person("p-mikael", "Mikael Löfgren", "LSS-handläggare", "lss", "2015")


def targets(devices: dict[str, DeviceState]) -> Targets:
    people = {p.id: p for p in (ASA, GONE, BUSY, FREE)}

    def presence(person_id: str) -> Presence:
        device = devices[people[person_id].extension]
        status = OnCall() if device is DeviceState.INUSE else Available()
        return Presence(status, device, None)

    index = SimpleNamespace(colleagues=lambda pid: ("p-agneta", "p-karl", "p-mikael"))
    directory = SimpleNamespace(snapshot=SimpleNamespace(index=index, people=people),
                                presence=presence)  # fmt: skip
    return Targets(directory=directory, policy=NumberPolicy(), outside_dial="PJSIP/{number}@trunk",
                   ring_mobile=False)  # fmt: skip


def test_the_suggested_colleague_has_a_phone_asterisk_reports_idle():
    found = targets({"6217": DeviceState.UNKNOWN, "6220": DeviceState.INUSE,
                     "2015": DeviceState.NOT_INUSE})._free_colleague(ASA)  # fmt: skip
    assert found == "Mikael Löfgren, anknytning 2015"


def test_no_colleague_is_suggested_when_no_phone_is_known_to_be_idle():
    found = targets({"6217": DeviceState.INVALID, "6220": DeviceState.INUSE,
                     "2015": DeviceState.UNAVAILABLE})._free_colleague(ASA)  # fmt: skip
    assert found is None
