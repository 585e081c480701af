"""From the directory's answer to the handoff's verdict: what a transfer to a target does.

The directory decides (``route_for``: presence precedence, forwards); this module only
translates its routes into the handoff's ``Verdict`` and finds a free colleague in the
same unit to suggest if the target fails. Dial strings are built only from values the
directory validated (extensions, endpoints, E.164 mobiles re-checked against the policy).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from vaxel.directory.forwarding import (
    FollowForward,
    ReferToPhoneHours,
    ReportAbsent,
    ReportBusy,
    ReportClosed,
    RingDevices,
)
from vaxel.directory.model import Person, TargetKind, ValidTarget
from vaxel.handoff.inputs import (
    Absent,
    Busy,
    Closed,
    Forwarded,
    OutsidePhoneHours,
    Reachable,
    Verdict,
)
from vaxel.handoff.states import Advice, Colleague, Target
from vaxel.numbers import NumberPolicy, NumberRefused, check_number

EXTENSION = re.compile(r"[0-9]{3,6}")


class Targets:
    def __init__(self, *, directory: Any, policy: NumberPolicy, outside_dial: str,
                 ring_mobile: bool) -> None:  # fmt: skip
        self.directory, self.policy = directory, policy
        self.outside_dial, self.ring_mobile = outside_dial, ring_mobile

    def target_for(self, *, person_id: str | None = None, extension: str | None = None) -> Target:
        """The target a telephonist asked for, named as the directory knows it."""
        person: Person | None = None
        if person_id and self.directory is not None:
            person = self.directory.person(person_id)
        elif extension and self.directory is not None:
            person = self.directory.person_by_extension(extension)
        if person is not None:
            return self._of_person(person)
        if extension and EXTENSION.fullmatch(extension):
            return Target(name=f"anknytning {extension}", extension=extension)
        raise ValueError("give a person in the directory or an extension of 3-6 digits")

    def _of_person(self, person: Person) -> Target:
        unit = self.directory.unit(person.unit_id) if self.directory is not None else None
        return Target(
            name=person.name,
            person_id=person.id,
            extension=person.extension,
            unit=unit.name if unit is not None else person.unit_id,
            department=unit.department_id if unit is not None else None,
        )

    def resolve(self, target: Target) -> tuple[Verdict, str | None]:
        """The verdict for ``target`` and a free colleague's name, before anything rings."""
        if target.number is not None:
            return Reachable(self._mobile(target.number)), None
        person = self._person(target)
        group = self.directory.snapshot.groups.get(target.unit or "") if self.directory else None
        if person is None and group is not None and not target.extension:
            members = [p for p in self.directory.snapshot.people.values()
                       if p.group_id == group.id and p.active]  # fmt: skip
            return Reachable(tuple(d for p in members for d in self._devices(p))), None
        if person is None:
            if target.extension and EXTENSION.fullmatch(target.extension):
                return Reachable((f"PJSIP/{target.extension}",)), None
            return Reachable(()), None
        route = self.directory.route(person.id)
        colleague = self._free_colleague(person)
        match route:
            case RingDevices():
                return Reachable(
                    self._devices(person),
                    on_busy=self._forward_target(route.on_busy),
                    on_no_answer=self._forward_target(route.on_no_answer),
                ), colleague
            case FollowForward(target=to):
                forwarded = self._forward_target(to)
                if forwarded is None:
                    return Reachable(()), colleague
                return Forwarded(forwarded), colleague
            case ReportAbsent(until=until):
                return Absent(until), colleague
            case ReportClosed(breakthrough_allowed=allowed):
                return Closed(self._devices(person), allowed), colleague
            case ReferToPhoneHours(next_start=next_start):
                return OutsidePhoneHours(next_start), colleague
            case ReportBusy():
                return Busy(), colleague
        return Reachable(()), colleague

    def advice(self, target: Target) -> Advice:
        """The free colleagues and the next phone hours, for the telephonist if it fails."""
        person = self._person(target)
        if person is None:
            return Advice()  # not in the directory: nothing known either way
        free = self.directory.free_colleagues(person.id)
        colleagues = tuple(Colleague(p.name, p.id, p.extension) for p in free)
        next_start = self.directory.next_phone_hours(person.id)
        return Advice(colleagues, next_start, no_phone_hours=next_start is None)

    def next_phone_hours(self, target: Target) -> datetime | None:
        """When the target's next phone hours start; None if none or not in the directory."""
        person = self._person(target)
        if person is None:
            return None
        result: datetime | None = self.directory.next_phone_hours(person.id)
        return result

    def _person(self, target: Target) -> Person | None:
        if self.directory is None:
            return None
        if target.person_id:
            found = self.directory.snapshot.people.get(target.person_id)
            if found is not None and found.active:
                return found
        if target.extension:
            result: Person | None = self.directory.person_by_extension(target.extension)
            return result
        return None

    def _devices(self, person: Person) -> tuple[str, ...]:
        # Desk and mobile share the extension and ring together.
        devices = [person.desk_endpoint or f"PJSIP/{person.extension}"]
        if self.ring_mobile and person.mobile:
            devices.extend(self._mobile(person.mobile))
        return tuple(devices)

    def _mobile(self, number: str) -> tuple[str, ...]:
        try:
            checked = check_number(number, self.policy)  # the policy may have tightened
        except NumberRefused:
            return ()
        return (self.outside_dial.format(number=checked.e164),)

    def _forward_target(self, to: ValidTarget | None) -> Target | None:
        if to is None:
            return None
        if to.kind == TargetKind.EXTENSION:
            colleague = self.directory.person_by_extension(to.value)
            if colleague is not None:
                return self._of_person(colleague)
            return Target(name=f"anknytning {to.value}", extension=to.value)
        if to.kind == TargetKind.MOBILE:
            return Target(name="mobilnummer", number=to.value)
        if to.kind == TargetKind.GROUP:
            group = self.directory.snapshot.groups.get(to.value)
            name = group.name if group is not None else to.value
            return Target(name=f"gruppen {name}", unit=to.value)
        return None  # switchboard or message: nothing to ring, the call comes back

    def _free_colleague(self, person: Person) -> str | None:
        """The directory's first free colleague (the rule search shows telephonists too)."""
        free = self.directory.free_colleagues(person.id, limit=1)
        return f"{free[0].name}, anknytning {free[0].extension}" if free else None
