"""The directory's HTTP API under /api/v1: search, person detail with presence, settings.

``me`` stands for the caller's own person wherever a person id is expected, so officers'
scripts and the "My phone" page use the same routes as unit admins.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from vaxel.directory.edit_rules import Refused
from vaxel.directory.imports import run_import
from vaxel.directory.model import ForwardKind, TargetKind
from vaxel.directory.service import DirectoryService
from vaxel.directory.store import HoursText
from vaxel.directory.views import person_json, presence_json
from vaxel.errors import NotFound
from vaxel.web.app import CurrentUser, require
from vaxel.web.auth import Principal, Role

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Period = Annotated[str, Field(max_length=20, examples=["10:00-12:00"])]
PersonId = Annotated[str, Path(max_length=64, description="an employee id, or 'me'")]


class HoursBody(BaseModel):
    weekly: dict[Weekday, list[Period]] = Field(default_factory=dict)
    exceptions: dict[date, list[Period]] = Field(
        default_factory=dict, description="a date with no periods: no phone hours that day"
    )

    def to_text(self) -> HoursText:
        return HoursText(
            {day: periods for day, periods in self.weekly.items()}, dict(self.exceptions)
        )


class ForwardBody(BaseModel):
    target_kind: TargetKind
    target: str = Field("", max_length=40, description="extension, mobile number or group id")


class AbsenceBody(BaseModel):
    start: datetime | None = Field(None, description="default: now; local time if no zone")
    end: datetime | None = Field(None, description="none: until further notice")
    reason: str = Field("", max_length=200)
    return_message: str = Field("", max_length=500)


class ClosedBody(BaseModel):
    reason: str = Field("", max_length=200)
    breakthrough_allowed: bool = False


class SettingsBody(BaseModel):
    """Everything at once; what is left out is cleared (phone hours: back to shared ones)."""

    phone_hours: HoursBody | None = None
    forwards: dict[ForwardKind, ForwardBody] = Field(default_factory=dict)
    absence: AbsenceBody | None = None
    closed: ClosedBody | None = None


class ImportBody(BaseModel):
    csv: str = Field(max_length=20_000_000)
    dry_run: bool = True
    force: bool = False


def settings_json(service: DirectoryService, person_id: str) -> dict[str, Any]:
    hours, source = service.store.hours_text(person_id)
    settings = service.settings(person_id)
    absence = next(iter(settings.absences), None)
    closed = settings.closed
    return {
        "person_id": person_id,
        "phone_hours": None
        if hours is None
        else {
            "source": source,
            "weekly": {d: list(p) for d, p in hours.weekly.items()},
            "exceptions": {d.isoformat(): list(p) for d, p in hours.exceptions.items()},
        },
        "forwards": {
            f.kind.value: {"target_kind": f.target.kind.value, "target": f.target.value}
            for f in settings.forwards
        },
        "absence": None
        if absence is None
        else {
            "start": absence.start,
            "end": absence.end,
            "reason": absence.reason,
            "return_message": absence.return_message,
        },
        "closed": None
        if closed is None
        else {
            "since": closed.since,
            "by": closed.by,
            "reason": closed.reason,
            "breakthrough_allowed": closed.breakthrough_allowed,
        },
        "presence": presence_json(service.presence(person_id), service.snapshot.by_extension),
    }


def visible_settings(service: DirectoryService, user: Principal, person_id: str) -> dict[str, Any]:
    """What a write answers with: the settings if ``user`` may read them; otherwise (a
    colleague or telephonist who closed the extension) only the closed state and presence."""
    if service.may_read(user, service.person(person_id)):
        return settings_json(service, person_id)
    closed = service.settings(person_id).closed
    return {
        "person_id": person_id,
        "closed": None if closed is None else {"since": closed.since, "by": closed.by},
        "presence": presence_json(
            service.presence(person_id), service.snapshot.by_extension, private=False
        ),
    }


def resolve(user: Principal, person_id: str) -> str:
    if person_id != "me":
        return person_id
    if user.person_id is None:
        raise NotFound("your account is not linked to a person in the directory")
    return user.person_id


def apply_settings(
    service: DirectoryService, user: Principal, pid: str, body: SettingsBody
) -> None:
    a, c = body.absence, body.closed
    service.replace_settings(
        user, pid,
        hours=body.phone_hours.to_text() if body.phone_hours else None,
        forwards={k: (f.target_kind, f.target) for k, f in body.forwards.items()},
        absence=None if a is None else (a.start, a.end, a.reason, a.return_message),
        closed=None if c is None else (c.reason, c.breakthrough_allowed),
    )  # fmt: skip


def build_router(service: DirectoryService) -> APIRouter:
    api = APIRouter(prefix="/directory", tags=["directory"])
    run = asyncio.to_thread
    ext = service  # the snapshot is read at call time, never captured

    def show_mobile(user: Principal) -> bool:
        return user.has(Role.TELEPHONIST, Role.UNIT_ADMIN)

    @api.get("/people")
    async def search_people(
        user: CurrentUser,
        q: Annotated[str, Query(max_length=200, description="name, title, unit or keyword")],
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> dict[str, Any]:
        """Ranked search, typo- and diacritic-tolerant, with presence and free colleagues."""
        found = service.search(q, limit)
        by_ext = ext.snapshot.by_extension
        results = []
        for item in found:
            unit = service.unit(item.person.unit_id)
            results.append({
                **person_json(item.person, unit.name if unit else "", show_mobile(user)),
                "score": item.hit.score,
                "matched": [r.matched for r in item.hit.reasons],
                "presence": presence_json(item.presence, by_ext,
                                          service.may_read(user, item.person)),
                "free_colleagues": [
                    {"id": c.id, "name": c.name, "extension": c.extension}
                    for c in item.free_colleagues
                ],
            })  # fmt: skip
        return {"query": q, "results": results}

    @api.get("/people/{person_id}")
    async def person_detail(user: CurrentUser, person_id: PersonId) -> dict[str, Any]:
        person = service.person(resolve(user, person_id))
        unit = service.unit(person.unit_id)
        presence = presence_json(service.presence(person.id), ext.snapshot.by_extension,
                                 service.may_read(user, person))  # fmt: skip
        return {**person_json(person, unit.name if unit else "", show_mobile(user)),
                "presence": presence}  # fmt: skip

    @api.get("/people/{person_id}/settings")
    async def get_settings(user: CurrentUser, person_id: PersonId) -> dict[str, Any]:
        pid = resolve(user, person_id)
        service.readable(user, pid)
        return await run(settings_json, service, pid)

    @api.put("/people/{person_id}/settings")
    async def put_settings(
        user: CurrentUser, person_id: PersonId, body: SettingsBody
    ) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(apply_settings, service, user, pid, body)
        return await run(visible_settings, service, user, pid)

    @api.get("/me/settings")
    async def my_settings(user: CurrentUser) -> dict[str, Any]:
        """The caller's own phone hours, forwards, absence and closed extension."""
        pid = resolve(user, "me")
        service.readable(user, pid)
        return await run(visible_settings, service, user, pid)

    @api.put("/me/settings")
    async def put_my_settings(user: CurrentUser, body: SettingsBody) -> dict[str, Any]:
        pid = resolve(user, "me")
        await run(apply_settings, service, user, pid, body)
        return await run(visible_settings, service, user, pid)

    @api.put("/people/{person_id}/phone-hours")
    async def put_hours(user: CurrentUser, person_id: PersonId, body: HoursBody) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.set_phone_hours, user, pid, body.to_text())
        return await run(visible_settings, service, user, pid)

    @api.delete("/people/{person_id}/phone-hours")
    async def delete_hours(user: CurrentUser, person_id: PersonId) -> dict[str, Any]:
        """Back to the group's or unit's shared phone hours, if any."""
        pid = resolve(user, person_id)
        await run(service.set_phone_hours, user, pid, None)
        return await run(visible_settings, service, user, pid)

    @api.put("/people/{person_id}/forwards/{kind}")
    async def put_forward(
        user: CurrentUser, person_id: PersonId, kind: ForwardKind, body: ForwardBody
    ) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.set_forward, user, pid, kind, body.target_kind, body.target)
        return await run(visible_settings, service, user, pid)

    @api.delete("/people/{person_id}/forwards/{kind}")
    async def delete_forward(
        user: CurrentUser, person_id: PersonId, kind: ForwardKind
    ) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.clear_forward, user, pid, kind)
        return await run(visible_settings, service, user, pid)

    @api.put("/people/{person_id}/absence")
    async def put_absence(
        user: CurrentUser, person_id: PersonId, body: AbsenceBody
    ) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.set_absence, user, pid, body.start, body.end, body.reason,
                  body.return_message)  # fmt: skip
        return await run(visible_settings, service, user, pid)

    @api.delete("/people/{person_id}/absence")
    async def delete_absence(user: CurrentUser, person_id: PersonId) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.clear_absence, user, pid)
        return await run(visible_settings, service, user, pid)

    @api.put("/people/{person_id}/closed")
    async def close(user: CurrentUser, person_id: PersonId, body: ClosedBody) -> dict[str, Any]:
        """Close the extension (e.g. off sick): allowed to the person, a colleague in the
        unit, a telephonist, the unit admin and admins."""
        pid = resolve(user, person_id)
        await run(service.close_extension, user, pid, body.reason, body.breakthrough_allowed)
        return await run(visible_settings, service, user, pid)

    @api.delete("/people/{person_id}/closed")
    async def reopen(user: CurrentUser, person_id: PersonId) -> dict[str, Any]:
        pid = resolve(user, person_id)
        await run(service.open_extension, user, pid)
        return await run(visible_settings, service, user, pid)

    @api.get("/units/{unit_id}/people")
    async def unit_people(
        unit_id: Annotated[str, Path(max_length=120)],
        user: Principal = require(Role.UNIT_ADMIN, Role.TELEPHONIST),
    ) -> dict[str, Any]:
        unit = service.unit(unit_id)
        if unit is None:
            raise NotFound(f"there is no unit {unit_id!r}")
        by_ext = ext.snapshot.by_extension
        return {
            "unit": {"id": unit.id, "name": unit.name},
            "people": [
                {
                    **person_json(p, unit.name, True),
                    "presence": presence_json(
                        service.presence(p.id), by_ext, service.may_read(user, p)
                    ),
                }
                for p in service.unit_members(unit_id)
            ],
        }

    @api.put("/units/{unit_id}/phone-hours")
    async def put_unit_hours(
        unit_id: Annotated[str, Path(max_length=120)],
        body: HoursBody,
        user: Principal = require(Role.UNIT_ADMIN),
    ) -> dict[str, str]:
        """Shared phone hours for everyone in the unit without their own."""
        await run(service.set_unit_phone_hours, user, unit_id, body.to_text())
        return {"unit_id": unit_id, "status": "saved"}

    @api.post("/import")
    async def import_csv(body: ImportBody, user: Principal = require(Role.ADMIN)) -> dict[str, Any]:
        """Import the HR export (admin); dry run by default. Removed people are deactivated."""
        if "\x00" in body.csv:
            raise Refused("the file contains NUL characters; is it really a CSV export?")
        report = await run(run_import, service.store, body.csv, service.policy,
                           dry_run=body.dry_run, force=body.force)  # fmt: skip
        if report.applied:
            await run(service.auth.audit, user, "directory.import", "directory",
                      {"created": len(report.plan.create), "updated": len(report.plan.update),
                       "deactivated": len(report.plan.deactivate)})  # fmt: skip
            await run(service.reload)
        return report.as_json()

    return api
