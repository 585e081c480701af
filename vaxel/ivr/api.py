"""HTTP routes for disruption notices and opening-hours overrides (under /api/v1/ivr)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, Field

from vaxel.context import AppContext
from vaxel.ivr.admin import IvrAdmin
from vaxel.ivr.model import OverrideMode
from vaxel.ivr.routing import Closed, Notice, ToGuide, route
from vaxel.ivr.store import IvrStore
from vaxel.web.app import require
from vaxel.web.auth import Principal, Role

STAFF = (Role.ADMIN, Role.TELEPHONIST)
# Bounded by the id column (a 32-bit integer), so a huge id is refused rather than overflowing.
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class NoticeIn(BaseModel):
    text_sv: str = Field(min_length=1, max_length=2000)
    text_en: str | None = Field(None, max_length=2000)
    numbers: list[str] = Field(default_factory=list, description="number names; empty = all")
    until: AwareDatetime | None = None
    duration_s: int | None = Field(None, ge=60, le=14 * 86400)


class NoticeOut(BaseModel):
    id: int
    text_sv: str
    text_en: str | None
    numbers: list[str]
    starts_at: datetime
    ends_at: datetime


class OverrideIn(BaseModel):
    mode: OverrideMode
    until: AwareDatetime
    destination: str | None = None


class OverrideOut(BaseModel):
    target: str
    mode: OverrideMode
    until: datetime
    destination: str | None
    set_by: str | None = None


class RouteOut(BaseModel):
    number: str
    open: bool
    reason: str
    goes_to: str
    next_open: datetime | None = None
    closes_at: datetime | None = None


def _notice(n: Notice) -> NoticeOut:
    return NoticeOut(id=n.id, text_sv=n.text_sv, text_en=n.text_en, numbers=sorted(n.numbers),
                     starts_at=n.starts_at, ends_at=n.ends_at)  # fmt: skip


def make_router(ctx: AppContext, store: IvrStore) -> APIRouter:
    from datetime import timedelta

    admin = IvrAdmin(ctx.config, store, ctx.clock)
    router = APIRouter(prefix="/ivr", tags=["ivr"])

    @router.get("/disruptions", dependencies=[require(*STAFF)])
    async def list_notices() -> list[NoticeOut]:
        return [_notice(n) for n in await asyncio.to_thread(admin.active_notices)]

    @router.post("/disruptions", status_code=201)
    async def set_notice(body: NoticeIn, user: Principal = require(*STAFF)) -> NoticeOut:
        """Switch a notice on; it plays first on every call to its numbers until it ends."""
        until = body.until
        if until is None and body.duration_s:
            until = ctx.clock.now() + timedelta(seconds=body.duration_s)
        notice = await asyncio.to_thread(
            lambda: admin.set_notice(
                text_sv=body.text_sv,
                text_en=body.text_en,
                numbers=body.numbers or None,
                until=until,
                by=user.username,
            )
        )
        await asyncio.to_thread(ctx.auth.audit, user, "disruption.set", f"disruption:{notice.id}")
        prompts = ctx.services.get("prompts")
        if prompts is not None:  # render now, so the first caller does not wait for it
            await prompts.notice(notice, "sv")
        return _notice(notice)

    @router.delete("/disruptions/{notice_id}")
    async def clear_notice(notice_id: NoticeId, user: Principal = require(*STAFF)) -> NoticeOut:
        notice = await asyncio.to_thread(admin.clear_notice, notice_id)
        await asyncio.to_thread(ctx.auth.audit, user, "disruption.clear", f"disruption:{notice_id}")
        return _notice(notice)

    @router.get("/overrides", dependencies=[require(*STAFF)])
    async def list_overrides() -> list[OverrideOut]:
        infos = await asyncio.to_thread(admin.overrides)
        return [OverrideOut(target=i.target, mode=i.override.mode, until=i.override.until,
                            destination=i.override.destination, set_by=i.set_by)
                for i in infos]  # fmt: skip

    @router.put("/overrides/{target}")
    async def set_override(
        target: str, body: OverrideIn, user: Principal = require(*STAFF)
    ) -> OverrideOut:
        """'open now' or 'closed until …' for number:<n>, queue:<q> or office:<o>; ends by itself."""
        override = await asyncio.to_thread(
            lambda: admin.set_override(
                target, body.mode, body.until, destination=body.destination, by=user.username
            )
        )
        await asyncio.to_thread(ctx.auth.audit, user, "hours.override", target,
                                {"mode": body.mode.value, "until": body.until.isoformat()})  # fmt: skip
        return OverrideOut(target=target, mode=override.mode, until=override.until,
                           destination=override.destination, set_by=user.username)  # fmt: skip

    @router.delete("/overrides/{target}", status_code=204)
    async def clear_override(target: str, user: Principal = require(*STAFF)) -> None:
        if await asyncio.to_thread(admin.clear_override, target):
            await asyncio.to_thread(ctx.auth.audit, user, "hours.clear", target)

    @router.get("/routes", dependencies=[require(*STAFF, Role.ANALYST)])
    async def routes() -> list[RouteOut]:
        """Where each published number goes right now, and why."""
        now = ctx.clock.now()
        overrides = await asyncio.to_thread(store.overrides, now)
        out = []
        for number in ctx.config.numbers:
            where = route(ctx.config, ctx.calendar, number, now, overrides)
            if isinstance(where, Closed):
                d = where.decision
                out.append(RouteOut(number=number.name, open=False, reason=d.reason.value,
                                    goes_to="closed", next_open=d.next_open))  # fmt: skip
            else:
                goes = (
                    f"guide:{where.office}"
                    if isinstance(where, ToGuide)
                    else f"queue:{where.queue}"
                )
                out.append(RouteOut(number=number.name, open=True, reason="open", goes_to=goes))
        return out

    return router
