"""The directory service: the live index, reading and search, edits, and presence.

The model decides (presence precedence, routes, target validation) and ``edit_rules`` says
who may change what; this module keeps the current directory in memory (an immutable
``DirectoryIndex`` swapped after every change), enforces those rules, writes through the
store, audits, and publishes presence changes on the bus.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock
from vaxel.directory import edit_rules
from vaxel.directory.forwarding import (
    Route,
    TargetRefused,
    is_free_colleague,
    route_for,
    validate_forward_target,
)
from vaxel.directory.importer import Directory
from vaxel.directory.model import (
    Absence,
    ClosedExtension,
    DeviceState,
    ForwardKind,
    Group,
    Person,
    PersonSettings,
    Presence,
    Unit,
    ValidTarget,
    combine_presence,
    next_phone_hours_start,
)
from vaxel.directory.search import DEFAULT_LIMIT, DirectoryIndex, SearchHit
from vaxel.directory.store import DirectoryStore, HoursText
from vaxel.errors import NotFound
from vaxel.numbers import NumberPolicy
from vaxel.web.auth import AuthService, Principal

log = structlog.get_logger("vaxel.directory")
PRESENCE_TOPIC = "presence"
MAX_FREE_COLLEAGUES = 3
# Enough colleagues to find a few free ones without making a big unit slow a search.
COLLEAGUES_EXAMINED = 60


@dataclass(frozen=True)
class Snapshot:
    """One consistent view of the directory; replaced whole, never mutated."""

    version: int
    index: DirectoryIndex
    people: dict[str, Person]  # every person, deactivated ones included
    by_extension: dict[str, Person]  # active people only
    units: dict[str, Unit]
    groups: dict[str, Group]
    settings: dict[str, PersonSettings]


@dataclass(frozen=True)
class Found:
    """A search hit with what a telephonist needs to decide."""

    hit: SearchHit
    person: Person
    presence: Presence
    free_colleagues: tuple[Person, ...]


class DirectoryService:
    def __init__(
        self,
        *,
        store: DirectoryStore,
        auth: AuthService,
        clock: Clock,
        calendar: BusinessCalendar,
        policy: NumberPolicy,
        mobiles_ring: bool = True,
    ) -> None:
        self.store, self.auth, self.clock = store, auth, clock
        self.mobiles_ring = mobiles_ring  # a transfer rings the mobile too (handoff.ring_mobile)
        self.calendar, self.policy = calendar, policy
        self.devices: dict[str, DeviceState] = {}  # by extension
        self._published: dict[str, tuple[Any, ...]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reload_lock = threading.Lock()
        self.snapshot = self._build(Directory((), (), (), (), ()), {}, -1)
        # Called on the event loop with every published change (e.g. the bus publisher).
        self.listeners: list[Callable[[Person, Presence], None]] = []

    # --- the in-memory directory ------------------------------------------------------
    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Edits run in worker threads; bus queues must only be touched from the loop."""
        self._loop = loop

    def reload(self) -> None:
        with self._reload_lock:
            version = self.store.version()
            self.snapshot = self._build(self.store.load(), self.store.settings(), version)
        self.recompute()

    def reload_if_changed(self) -> bool:
        """Another process (e.g. `vaxel directory import`) may have changed the store."""
        if self.store.version() == self.snapshot.version:
            return False
        self.reload()
        return True

    def _build(
        self, directory: Directory, settings: dict[str, PersonSettings], version: int
    ) -> Snapshot:
        people = {p.id: p for p in directory.people}
        return Snapshot(
            version=version,
            index=DirectoryIndex(
                directory.people,
                directory.units,
                directory.departments,
                directory.groups,
                directory.keywords,
            ),
            people=people,
            by_extension={p.extension: p for p in directory.people if p.active},
            units={u.id: u for u in directory.units},
            groups={g.id: g for g in directory.groups},
            settings=settings,
        )

    def _refresh_settings(self, person_id: str) -> None:
        with self._reload_lock:
            fresh = self.store.settings([person_id])
            snapshot = self.snapshot
            settings = {**snapshot.settings, **fresh}
            self.snapshot = Snapshot(
                self.store.version(), snapshot.index, snapshot.people, snapshot.by_extension,
                snapshot.units, snapshot.groups, settings,
            )  # fmt: skip
        self.recompute([person_id])

    # --- reading ----------------------------------------------------------------------
    def person(self, person_id: str) -> Person:
        person = self.snapshot.people.get(person_id)
        if person is None:
            raise NotFound(f"there is no person {person_id!r} in the directory")
        return person

    def person_by_extension(self, extension: str) -> Person | None:
        return self.snapshot.by_extension.get(extension)

    def settings(self, person_id: str) -> PersonSettings:
        return self.snapshot.settings.get(person_id, PersonSettings())

    def presence(self, person_id: str, now: datetime | None = None) -> Presence:
        person = self.person(person_id)
        device = self.devices.get(person.extension, DeviceState.UNKNOWN)
        return combine_presence(
            device, self.settings(person_id), now or self.clock.now(), self.calendar.is_holiday
        )

    def route(self, person_id: str) -> Route:
        """What a transfer or an internal call to this person will do, before anything rings."""
        now = self.clock.now()
        return route_for(self.person(person_id), self.presence(person_id, now), now)

    def next_phone_hours(self, person_id: str, now: datetime | None = None) -> datetime | None:
        """When the person's next phone hours start after ``now``; None if they have none
        set or none ahead (a caller can be referred to them only if not None)."""
        hours = self.settings(person_id).phone_hours
        if hours is None:
            return None
        return next_phone_hours_start(hours, now or self.clock.now(), self.calendar.is_holiday)

    def unit(self, unit_id: str) -> Unit | None:
        return self.snapshot.units.get(unit_id)

    def unit_members(self, unit_id: str) -> list[Person]:
        people = self.snapshot.people.values()
        return sorted(
            (p for p in people if p.unit_id == unit_id and p.active), key=lambda p: p.name
        )

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Found]:
        snapshot = self.snapshot
        now = self.clock.now()
        found = []
        for hit in snapshot.index.search(query, limit=limit):
            person = snapshot.people[hit.person_id]
            free = self.free_colleagues(person.id, now)
            found.append(Found(hit, person, self.presence(person.id, now), free))
        return found

    def free_colleagues(
        self, person_id: str, now: datetime | None = None, limit: int = MAX_FREE_COLLEAGUES
    ) -> tuple[Person, ...]:
        """Colleagues in the same unit a call to could be answered now (``is_free_colleague``),
        those at an idle desk phone first: a mobile may be in a pocket on the bus."""
        snapshot = self.snapshot
        now = now or self.clock.now()
        at_desk: list[Person] = []
        mobile: list[Person] = []
        for colleague_id in snapshot.index.colleagues(person_id)[:COLLEAGUES_EXAMINED]:
            colleague = snapshot.people[colleague_id]
            presence = self.presence(colleague_id, now)
            if is_free_colleague(colleague, presence, mobiles_ring=self.mobiles_ring):
                idle = presence.device is DeviceState.NOT_INUSE
                (at_desk if idle else mobile).append(colleague)
                if len(at_desk) == limit:
                    break
        return tuple([*at_desk, *mobile][:limit])

    # --- who may change what ----------------------------------------------------------
    def may_edit(self, actor: Principal, person: Person, *, closing: bool = False) -> bool:
        return edit_rules.may_edit(actor, person, self._own_person(actor), closing=closing)

    def may_read(self, actor: Principal, person: Person) -> bool:
        return edit_rules.may_read_settings(actor, person, self._own_person(actor))

    def readable(self, actor: Principal, person_id: str) -> Person:
        """The person whose settings ``actor`` asks to see, or NotFound."""
        person = self.person(person_id)
        edit_rules.check_may_read_settings(actor, person, self._own_person(actor))
        return person

    def _editable(self, actor: Principal, person_id: str, *, closing: bool = False) -> Person:
        person = self.person(person_id)
        edit_rules.check_may_edit(actor, person, self._own_person(actor), closing=closing)
        return person

    def _own_person(self, actor: Principal) -> Person | None:
        return self.snapshot.people.get(actor.person_id or "")

    # --- edits (sync: they run in worker threads) ---------------------------------------
    def set_phone_hours(self, actor: Principal, person_id: str, hours: HoursText | None) -> None:
        self._editable(actor, person_id)
        edit_rules.check_hours(hours)
        self.store.set_own_hours(person_id, hours)
        detail = None if hours is None else edit_rules.hours_detail(hours)
        self.auth.audit(
            actor, "directory.phone_hours.set", f"person:{person_id}", {"hours": detail}
        )
        self._refresh_settings(person_id)

    def set_unit_phone_hours(self, actor: Principal, unit_id: str, hours: HoursText | None) -> None:
        if self.unit(unit_id) is None:
            raise NotFound(f"there is no unit {unit_id!r}")
        edit_rules.check_may_set_unit_hours(actor, unit_id)
        edit_rules.check_hours(hours)
        self.store.set_shared_hours("unit", unit_id, hours)
        detail = None if hours is None else edit_rules.hours_detail(hours)
        self.auth.audit(
            actor, "directory.unit_phone_hours.set", f"unit:{unit_id}", {"hours": detail}
        )
        self.reload()

    def set_forward(
        self,
        actor: Principal,
        person_id: str,
        kind: ForwardKind | str,
        target_kind: str,
        value: str,
    ) -> None:
        person = self._editable(actor, person_id)
        kind = edit_rules.forward_kind(kind)
        target = self._valid_target(person, target_kind, value)
        self.store.set_forward(person_id, kind, target)
        self.auth.audit(actor, "directory.forward.set", f"person:{person_id}",
                        {"kind": kind.value, "target_kind": target.kind.value,
                         "target": target.value})  # fmt: skip
        self._refresh_settings(person_id)

    def clear_forward(self, actor: Principal, person_id: str, kind: ForwardKind | str) -> None:
        self._editable(actor, person_id)
        kind = edit_rules.forward_kind(kind)
        self.store.set_forward(person_id, kind, None)
        self.auth.audit(
            actor, "directory.forward.clear", f"person:{person_id}", {"kind": kind.value}
        )
        self._refresh_settings(person_id)

    def set_absence(
        self,
        actor: Principal,
        person_id: str,
        start: datetime | None,
        end: datetime | None,
        reason: str = "",
        return_message: str = "",
    ) -> None:
        self._editable(actor, person_id)
        absence = self._absence(start, end, reason, return_message)
        self.store.set_absence(person_id, absence)
        self.auth.audit(actor, "directory.absence.set", f"person:{person_id}",
                        {"start": absence.start.isoformat(),
                         "end": absence.end.isoformat() if absence.end else None,
                         "reason": absence.reason})  # fmt: skip
        self._refresh_settings(person_id)

    def clear_absence(self, actor: Principal, person_id: str) -> None:
        self._editable(actor, person_id)
        self.store.set_absence(person_id, None)
        self.auth.audit(actor, "directory.absence.clear", f"person:{person_id}")
        self._refresh_settings(person_id)

    def close_extension(
        self, actor: Principal, person_id: str, reason: str = "", breakthrough_allowed: bool = False
    ) -> None:
        self._editable(actor, person_id, closing=True)
        closed = ClosedExtension(self.clock.now(), actor.username, edit_rules.clean(reason)[:200],
                                 breakthrough_allowed)  # fmt: skip
        self.store.set_closed(person_id, closed)
        self.auth.audit(actor, "directory.extension.close", f"person:{person_id}",
                        {"reason": closed.reason, "breakthrough_allowed": breakthrough_allowed})  # fmt: skip
        self._refresh_settings(person_id)

    def open_extension(self, actor: Principal, person_id: str) -> None:
        self._editable(actor, person_id, closing=True)
        self.store.set_closed(person_id, None)
        self.auth.audit(actor, "directory.extension.open", f"person:{person_id}")
        self._refresh_settings(person_id)

    def replace_settings(
        self,
        actor: Principal,
        person_id: str,
        *,
        hours: HoursText | None,
        forwards: Mapping[ForwardKind | str, tuple[str, str]],
        absence: tuple[datetime | None, datetime | None, str, str] | None,
        closed: tuple[str, bool] | None,
    ) -> None:
        """Everything at once (PUT .../settings): every part is checked before anything is
        stored, and all of it is stored in one transaction, so a refusal changes nothing."""
        person = self._editable(actor, person_id)
        edit_rules.check_hours(hours)
        targets = {}
        for kind, (target_kind, value) in forwards.items():
            targets[edit_rules.forward_kind(kind)] = self._valid_target(person, target_kind, value)
        away = None if absence is None else self._absence(*absence)
        shut = None
        if closed is not None:
            reason, breakthrough = closed
            shut = ClosedExtension(self.clock.now(), actor.username,
                                   edit_rules.clean(reason)[:200], breakthrough)  # fmt: skip
        self.store.replace_settings(
            person_id, hours=hours, forwards=targets, absence=away, closed=shut
        )
        self.auth.audit(actor, "directory.settings.set", f"person:{person_id}", {
            "hours": None if hours is None else edit_rules.hours_detail(hours),
            "forwards": {k.value: {"target_kind": t.kind.value, "target": t.value}
                         for k, t in targets.items()},
            "absence": None if away is None else {"start": away.start.isoformat(),
                "end": away.end.isoformat() if away.end else None, "reason": away.reason},
            "closed": None if shut is None else {"reason": shut.reason,
                                                 "breakthrough_allowed": shut.breakthrough_allowed},
        })  # fmt: skip
        self._refresh_settings(person_id)

    def _valid_target(self, person: Person, target_kind: str, value: str) -> ValidTarget:
        snapshot = self.snapshot
        try:
            return validate_forward_target(
                target_kind, value, snapshot.by_extension.keys(), self.policy,
                snapshot.groups.keys(), own_extension=person.extension,
            )  # fmt: skip
        except TargetRefused as refused:
            raise edit_rules.Refused(
                f"forward target refused: {refused.reason}", code="target_refused"
            ) from None

    def _absence(
        self, start: datetime | None, end: datetime | None, reason: str, return_message: str
    ) -> Absence:
        try:
            return Absence(
                edit_rules.as_utc(start) if start else self.clock.now(),
                edit_rules.as_utc(end) if end else None,
                edit_rules.clean(reason)[:200],
                edit_rules.clean(return_message)[:500],
            )
        except (ValueError, OverflowError) as exc:
            raise edit_rules.Refused(str(exc), code="invalid_absence") from None

    # --- presence ---------------------------------------------------------------------
    def device_changed(self, extension: str, state: DeviceState) -> None:
        if self.devices.get(extension) == state:
            return
        self.devices[extension] = state
        person = self.person_by_extension(extension)
        if person is not None:
            self.recompute([person.id])

    def set_devices(self, states: dict[str, DeviceState]) -> None:
        """After a (re)connect: the whole picture at once, then one recompute."""
        self.devices = dict(states)
        self.recompute()

    def recompute(self, person_ids: list[str] | None = None) -> int:
        """Publish presence that changed since it was last published; returns how many.

        Runs after edits, device events, and every few seconds, because time alone moves a
        person in and out of phone hours and absences.
        """
        snapshot = self.snapshot
        now = self.clock.now()
        ids = person_ids if person_ids is not None else list(snapshot.by_extension.values())
        changed = 0
        for item in ids:
            person = item if isinstance(item, Person) else snapshot.people.get(item)
            if person is None or not person.active:
                continue
            presence = self.presence(person.id, now)
            key = (presence.status, presence.device)
            if self._published.get(person.id) == key:
                continue
            self._published[person.id] = key
            changed += 1
            for listener in self.listeners:
                self._on_loop(listener, person, presence)
        return changed

    def _on_loop(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            asyncio.get_running_loop()
            fn(*args)
        except RuntimeError:
            if self._loop is not None and self._loop.is_running():
                self._loop.call_soon_threadsafe(fn, *args)
            else:
                fn(*args)
