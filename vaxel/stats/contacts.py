"""From stored rows to caller-view contacts, and the header of a contact. Pure.

``ContactRow`` mirrors a ``stats_contacts`` row; ``build_contact`` folds its label records
into a ``model.Contact``. A telephonist's or a return stint has no end event of its own
(the telephonist talks until the call ends or a transfer starts), so stints still open when
the contact ended are closed at its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from vaxel.calendar import BusinessCalendar
from vaxel.config import SiteConfig
from vaxel.stats.events import LabelRecord, labelled
from vaxel.stats.model import (
    STOCKHOLM,
    Contact,
    LabelledEvent,
    NumberKind,
    OpeningState,
    StintKind,
    merge_stints,
)

_CLOSED_AT_END = (StintKind.TELEPHONIST, StintKind.RETURN, StintKind.IVR)


@dataclass(frozen=True)
class ContactRow:
    id: str
    started_at: datetime
    ended_at: datetime | None
    number_e164: str | None
    number_dialled: str
    number_kind: str
    opening: str
    caller: str | None
    wrap_up: str | None
    header_source: str = "label"


def local_day(t: datetime) -> date:
    return t.astimezone(STOCKHOLM).date()


def build_contact(row: ContactRow, records: Iterable[LabelRecord]) -> Contact:
    header = {
        "number_dialled": row.number_dialled,
        "number_kind": row.number_kind,
        "opening": row.opening,
        "caller": row.caller or "",
    }
    events = [LabelledEvent(row.id, row.started_at, "contact.start", header)]
    if row.wrap_up:
        events.append(
            LabelledEvent(row.id, row.started_at, "contact.wrap_up", {"code": row.wrap_up})
        )
    for record in records:
        events.extend(
            e if e.contact_id == row.id else replace(e, contact_id=row.id) for e in labelled(record)
        )
    contact = merge_stints(events)[0]
    if row.ended_at is None:
        return contact
    stints = tuple(
        replace(s, end=row.ended_at) if s.end is None and s.kind in _CLOSED_AT_END else s
        for s in contact.stints
    )
    return replace(contact, started_at=row.started_at, stints=stints)


@dataclass(frozen=True)
class NumberInfo:
    e164: str
    name: str
    kind: NumberKind
    schedule: str | None


class ContactHeaders:
    """Number dialled and opening state for a contact, from the site file: the controller
    decides the opening with its clock; the reconciler, for a contact whose label was lost,
    decides it the same way from the contact's start time."""

    def __init__(self, config: SiteConfig, calendar: BusinessCalendar) -> None:
        self.config, self.calendar = config, calendar
        queues = {q.name: q for q in config.queues}
        offices = {o.name: o for o in config.offices}
        self.numbers: dict[str, NumberInfo] = {}
        for n in config.numbers:
            schedule: str | None
            if n.office:
                kind, schedule = NumberKind.OFFICE, offices[n.office].schedule
            else:
                kind = NumberKind.SWITCHBOARD if n.name == "switchboard" else NumberKind.CENTRE
                schedule = queues[n.queue].schedule if n.queue else None
            self.numbers[n.e164] = NumberInfo(n.e164, n.name, kind, n.schedule or schedule)
        self._offices = {n.e164: offices[n.office] for n in config.numbers if n.office}

    def number(self, e164: str | None) -> NumberInfo:
        found = self.numbers.get(e164 or "")
        if found is None:
            return NumberInfo(e164 or "", e164 or "unknown", NumberKind.SWITCHBOARD, None)
        return found

    def opening(self, e164: str | None, at: datetime) -> OpeningState:
        from vaxel.ivr.model import decide, late_day_of

        info = self.number(e164)
        if info.schedule is None or info.schedule not in self.config.schedules:
            return OpeningState.OPEN
        office = self._offices.get(info.e164)
        decision = decide(
            self.config.schedules[info.schedule],
            self.calendar,
            at,
            late_day=late_day_of(office) if office else None,
        )
        return OpeningState.OPEN if decision.open else OpeningState.CLOSED
