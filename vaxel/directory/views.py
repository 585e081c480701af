"""How presence and settings read to people: labels in Swedish and English, JSON shapes,
and the sentences spoken to an internal caller. One place, shared by API, pages and calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vaxel.clock import STOCKHOLM
from vaxel.directory.model import (
    Absent,
    Closed,
    Forwarded,
    OutsidePhoneHours,
    Person,
    Presence,
    TargetKind,
    ValidTarget,
)
from vaxel.ivr import speech

LANGS = ("sv", "en")
STATUS_LABELS = {
    "sv": {
        "available": "Ledig",
        "ringing": "Ringer",
        "on_call": "I samtal",
        "absent": "Frånvarande",
        "closed": "Stängd",
        "outside_phone_hours": "Utanför telefontid",
        "forwarded": "Vidarekopplad",
    },
    "en": {
        "available": "Available",
        "ringing": "Ringing",
        "on_call": "On a call",
        "absent": "Absent",
        "closed": "Closed",
        "outside_phone_hours": "Outside phone hours",
        "forwarded": "Forwarded",
    },
}
_SV_DAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def when(t: datetime, lang: str) -> str:
    local = t.astimezone(STOCKHOLM)
    day = (_SV_DAYS if lang == "sv" else _EN_DAYS)[local.weekday()]
    return f"{day} {local.day}/{local.month} {local:%H:%M}"


def target_label(
    target: ValidTarget, lang: str, people_by_ext: dict[str, Person], private: bool = True
) -> str:
    """``private=False``: for a viewer who may not read the person's settings
    (``edit_rules.may_read_settings``), a forward to a mobile does not show the number."""
    sv = lang == "sv"
    if target.kind == TargetKind.EXTENSION:
        person = people_by_ext.get(target.value)
        name = f" ({person.name})" if person else ""
        return f"{'anknytning' if sv else 'extension'} {target.value}{name}"
    if target.kind == TargetKind.MOBILE:
        word = "mobil" if sv else "mobile"
        return f"{word} {target.value}" if private else word
    if target.kind == TargetKind.GROUP:
        return f"{'grupp' if sv else 'group'} {target.value}"
    if target.kind == TargetKind.SWITCHBOARD:
        return "växeln" if sv else "the switchboard"
    return "meddelande" if sv else "take a message"


def presence_label(
    presence: Presence, lang: str, people_by_ext: dict[str, Person], private: bool = True
) -> str:
    """``private=False`` leaves out a forward's mobile number and why an extension is closed."""
    status = presence.status
    label = STATUS_LABELS[lang][status.kind.value]
    sv = lang == "sv"
    if isinstance(status, Absent):
        if status.until is not None:
            label += f" {'till' if sv else 'until'} {when(status.until, lang)}"
        if status.forward is not None:
            label += f", {'kopplas till' if sv else 'forwarded to'} "
            label += target_label(status.forward, lang, people_by_ext, private)
    elif isinstance(status, OutsidePhoneHours) and status.next_start is not None:
        label += f" ({'nästa' if sv else 'next'}: {when(status.next_start, lang)})"
    elif isinstance(status, Forwarded):
        to = target_label(status.target, lang, people_by_ext, private)
        label += f" {'till' if sv else 'to'} {to}"
    elif isinstance(status, Closed) and status.reason and private:
        label += f" ({status.reason})"
    return label


def presence_json(
    presence: Presence, people_by_ext: dict[str, Person], private: bool = True
) -> dict[str, Any]:
    status = presence.status
    hours = presence.phone_hours
    detail: dict[str, Any] = {}
    if isinstance(status, Absent):
        detail = {"until": status.until, "return_message": status.return_message}
    elif isinstance(status, Closed):
        detail = {"since": status.since, "reason": status.reason if private else "",
                  "breakthrough_allowed": status.breakthrough_allowed}  # fmt: skip
    elif isinstance(status, OutsidePhoneHours):
        detail = {"next_start": status.next_start}
    elif isinstance(status, Forwarded):
        hidden = not private and status.target.kind is TargetKind.MOBILE
        detail = {"target_kind": status.target.kind.value,
                  "target": None if hidden else status.target.value,
                  "because": status.because.value}  # fmt: skip
    return {
        "status": status.kind.value,
        "device": presence.device.value,
        "labels": {lang: presence_label(presence, lang, people_by_ext, private) for lang in LANGS},
        "detail": detail,
        "in_phone_hours": None if hours is None else hours.inside,
        "next_phone_hours": None if hours is None else hours.next_start,
    }


def person_json(person: Person, unit_name: str, show_mobile: bool) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "title": person.title,
        "unit_id": person.unit_id,
        "unit": unit_name,
        "extension": person.extension,
        "mobile": person.mobile if show_mobile and not person.number_hidden else None,
        "email": person.email,
        "active": person.active,
    }


def presence_message(
    person: Person, presence: Presence, people_by_ext: dict[str, Person]
) -> dict[str, Any]:
    """What the bus carries to open pages: small, already in both languages, and without
    private details, because every logged-in page receives it."""
    return {
        "person_id": person.id,
        "extension": person.extension,
        "name": person.name,
        "status": presence.status.kind.value,
        "labels": {lang: presence_label(presence, lang, people_by_ext, False) for lang in LANGS},
    }


# --- spoken to an internal caller -----------------------------------------------------------


def spoken_absent(name: str, until: datetime | None, message: str, now: datetime) -> str:
    text = f"{name} är inte på plats"
    if until is not None:
        local = until.astimezone(STOCKHOLM)
        text += f" och är tillbaka {speech.day_phrase(local, now.astimezone(STOCKHOLM))}"
        text += f" {speech.clock(local)}"
    text += "."
    return f"{text} {message}".strip() if message else text


def spoken_closed(name: str) -> str:
    return f"{name} kan inte ta emot samtal just nu. Ring växeln om ärendet är brådskande."


def spoken_phone_hours(name: str, next_start: datetime | None, now: datetime) -> str:
    text = f"{name} har telefontid"
    if next_start is None:
        return f"{name} har ingen telefontid inplanerad. Ring växeln för hjälp."
    local = next_start.astimezone(STOCKHOLM)
    return f"{text} {speech.day_phrase(local, now.astimezone(STOCKHOLM))} {speech.clock(local)}."


def spoken_busy(name: str) -> str:
    return f"{name} är upptagen i ett annat samtal. Försök igen om en stund."


def spoken_unknown(extension: str) -> str:
    return "Det finns ingen anknytning med det numret."


def spoken_unreachable(name: str) -> str:
    return f"{name} svarar inte just nu. Försök igen senare."
