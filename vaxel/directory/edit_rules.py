"""The pure rules of directory edits: who may read and change a person's settings, and how
what was typed is checked and cleaned before the service stores it.

One rule per question, used by the pages and the API alike:

- ``may_read_settings``: phone hours, forwards (with their numbers), absence (with its
  reason) and the closed state: the person, the unit admin of their unit, telephonists
  (the centre routes calls by them) and admins.
- ``may_edit``: the same people, less telephonists; closing an extension also to
  telephonists and colleagues in the same unit (``closing=True``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from vaxel.clock import STOCKHOLM
from vaxel.directory.model import ForwardKind, Person, overlapping_periods
from vaxel.directory.store import HoursText
from vaxel.errors import DomainError, NotFound
from vaxel.web.auth import Principal, Role

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Refused(DomainError):
    code = "refused"
    status = 400


def may_edit(
    actor: Principal, person: Person, actor_person: Person | None, *, closing: bool = False
) -> bool:
    """``actor_person`` is the actor's own entry in the directory, if they have one."""
    if actor.has() or actor.person_id == person.id:  # has() with no roles: admin only
        return True
    if Role.UNIT_ADMIN in actor.roles and actor.unit_id == person.unit_id:
        return True
    if closing:
        # domain.md: a colleague or a telephonist can close an extension (off sick).
        if Role.TELEPHONIST in actor.roles:
            return True
        return actor_person is not None and actor_person.unit_id == person.unit_id
    return False


def may_read_settings(actor: Principal, person: Person, actor_person: Person | None) -> bool:
    """Whether ``actor`` may see ``person``'s settings, forwarding numbers included."""
    return actor.has(Role.TELEPHONIST) or may_edit(actor, person, actor_person)


def check_may_read_settings(actor: Principal, person: Person, actor_person: Person | None) -> None:
    # 404, as for a person who does not exist: ids are employee numbers, easy to guess.
    if not may_read_settings(actor, person, actor_person):
        raise NotFound(f"there is no person {person.id!r} whose settings you may see")


def check_may_edit(
    actor: Principal, person: Person, actor_person: Person | None, *, closing: bool = False
) -> None:
    if may_edit(actor, person, actor_person, closing=closing):
        return
    if closing:
        raise Forbidden(
            "only the person, a colleague in the same unit, a telephonist, "
            "the unit's admin or an admin may close or open this extension"
        )
    raise Forbidden(
        f"you may change only your own settings, not {person.name}'s "
        "(unit admins: people of their unit)"
    )


def check_may_set_unit_hours(actor: Principal, unit_id: str) -> None:
    if not (actor.has() or (Role.UNIT_ADMIN in actor.roles and actor.unit_id == unit_id)):
        raise Forbidden("only the unit's admin or an admin may set its shared phone hours")


def forward_kind(kind: ForwardKind | str) -> ForwardKind:
    try:
        return ForwardKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in ForwardKind)
        raise Refused(f"a forward is one of: {choices}", code="invalid_kind") from None


def check_hours(hours: HoursText | None) -> None:
    if hours is None:
        return
    try:
        hours.to_model()
    except ValueError as exc:
        raise Refused(f"phone hours: {exc}", code="invalid_phone_hours") from None
    days = [*hours.weekly.items(), *((d.isoformat(), p) for d, p in hours.exceptions.items())]
    for day, periods in days:
        if found := overlapping_periods(periods):
            raise Refused(
                f"phone hours: {day}: {found[0]} and {found[1]} overlap; write them as one period",
                code="invalid_phone_hours",
            )


def hours_detail(hours: HoursText) -> dict[str, Any]:
    """Phone hours as the audit log records them."""
    return {
        "weekly": {d: list(p) for d, p in hours.weekly.items()},
        "exceptions": {d.isoformat(): list(p) for d, p in hours.exceptions.items()},
    }


def as_utc(t: datetime) -> datetime:
    # A time typed on a page has no zone: it is the municipality's local time. Converting
    # to UTC here makes an out-of-range instant a refusal rather than a store error.
    local = t if t.tzinfo is not None else t.replace(tzinfo=STOCKHOLM)
    return local.astimezone(UTC)


def clean(text: str) -> str:
    """Free text without control characters (PostgreSQL refuses NUL; logs dislike the rest)."""
    return CONTROL.sub(" ", text).strip()
