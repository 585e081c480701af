"""The directory's pages: "Min telefon" for officers and "Katalog" with live presence.

Plain forms that work without JavaScript (post, then redirect with ?saved=...); a refusal
re-renders the page with the reason next to the form. Presence reaches open pages as
Server-Sent Events from the bus, which is one-way and reconnects by itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from vaxel.context import Bus
from vaxel.directory import texts
from vaxel.directory.model import WEEKDAYS, ForwardKind, TargetKind
from vaxel.directory.service import PRESENCE_TOPIC, DirectoryService
from vaxel.directory.store import HoursText
from vaxel.directory.views import presence_label, target_label, when
from vaxel.errors import DomainError, NotFound
from vaxel.web.app import CurrentUser, principal_of, render
from vaxel.web.auth import Principal
from vaxel.web.i18n import language_of

KEEPALIVE_S = 15
# Each form field needs its own Form(): FastAPI would read one shared instance by one name.


def build_pages(service: DirectoryService, bus: Bus) -> APIRouter:
    pages = APIRouter()

    def target_person(user: Principal, person: str) -> str:
        if person:
            return person
        if user.person_id is None:
            raise NotFound("your account is not linked to a person in the directory")
        return user.person_id

    def my_phone_page(
        request: Request, user: Principal, person_id: str, error: str | None = None,
        section: str | None = None, status_code: int = 200,
    ) -> Response:  # fmt: skip
        lang = language_of(request)
        # The same rule as the API's GET .../settings, on every path that renders the page
        # (a refused edit re-renders it too).
        person = service.readable(user, person_id)
        hours, source = service.store.hours_text(person_id)
        settings = service.settings(person_id)
        by_ext = service.snapshot.by_extension
        weekly = {d: ", ".join(hours.weekly.get(d) or []) if hours else "" for d in WEEKDAYS}
        exceptions = sorted(hours.exceptions.items()) if hours and source == "own" else []
        absence = next(iter(settings.absences), None)
        return render(
            request, "directory/my_phone.html", status_code=status_code,
            person=person, own=person_id == user.person_id,
            presence=presence_label(service.presence(person_id), lang, by_ext),
            weekly=weekly, weekdays=list(zip(WEEKDAYS, texts.WEEKDAY_NAMES[lang], strict=True)),
            source=source, exceptions=[(d, ", ".join(p)) for d, p in exceptions],
            forwards=[(f.kind.value, target_label(f.target, lang, by_ext)) for f in settings.forwards],
            forward_kinds=[k.value for k in ForwardKind], target_kinds=[k.value for k in TargetKind],
            absence=absence, absence_until=when(absence.end, lang) if absence and absence.end else "",
            absence_from=when(absence.start, lang) if absence else "",
            closed=settings.closed, error=error, section=section,
            saved=request.query_params.get("saved"),
            person_param="" if person_id == user.person_id else person_id,
        )  # fmt: skip

    def done(request: Request, user: Principal, what: str, person: str) -> Response:
        query = {"saved": what, "lang": language_of(request)}
        if person and not service.may_read(user, service.person(person)):
            # A colleague who closed an extension may not see the rest of its settings.
            return RedirectResponse(f"/directory?{urlencode(query)}", status_code=303)
        if person:
            query["person"] = person
        return RedirectResponse(f"/my-phone?{urlencode(query)}#{what}", status_code=303)

    async def edit(
        request: Request, user: Principal, person: str, section: str, action: Callable[[str], None]
    ) -> Response:
        try:
            person_id = target_person(user, person)
            await asyncio.to_thread(action, person_id)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return my_phone_page(request, user, person_id, error=str(exc), section=section,
                                 status_code=exc.status)  # fmt: skip
        return done(request, user, section, person)

    @pages.get("/my-phone")
    async def my_phone(request: Request, person: str = "") -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login?next=/my-phone", status_code=303)
        if not person and user.person_id is None:
            return render(request, "directory/no_person.html")
        return my_phone_page(request, user, target_person(user, person))

    @pages.post("/my-phone/phone-hours")
    async def save_hours(request: Request, user: CurrentUser, person: Annotated[str, Form()] = "",
                         clear: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        form = await request.form()

        def action(pid: str) -> None:
            if clear:
                service.set_phone_hours(user, pid, None)
                return
            current, source = service.store.hours_text(pid)
            weekly = {d: _periods(str(form.get(d, ""))) for d in WEEKDAYS}
            kept = dict(current.exceptions) if current and source == "own" else {}
            service.set_phone_hours(user, pid, HoursText(weekly, kept))

        return await edit(request, user, person, "phone-hours", action)

    @pages.post("/my-phone/exception")
    async def save_exception(request: Request, user: CurrentUser, day: Annotated[str, Form()] = "",
                             periods: Annotated[str, Form()] = "", remove: Annotated[str, Form()] = "",
                             person: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        def action(pid: str) -> None:
            current, source = service.store.hours_text(pid)
            weekly = dict(current.weekly) if current else {}
            exceptions = dict(current.exceptions) if current and source == "own" else {}
            try:
                if remove:
                    exceptions.pop(date.fromisoformat(remove), None)
                else:
                    exceptions[date.fromisoformat(day)] = _periods(periods)
            except ValueError:
                raise DomainError("give the date as YYYY-MM-DD") from None
            service.set_phone_hours(user, pid, HoursText(weekly, exceptions))

        return await edit(request, user, person, "phone-hours", action)

    @pages.post("/my-phone/forward")
    async def save_forward(request: Request, user: CurrentUser, kind: Annotated[str, Form()] = "",
                           target_kind: Annotated[str, Form()] = "", target: Annotated[str, Form()] = "",
                           remove: Annotated[str, Form()] = "", person: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        def action(pid: str) -> None:
            if remove:
                service.clear_forward(user, pid, remove)
            else:
                service.set_forward(user, pid, kind, target_kind, target)

        return await edit(request, user, person, "forwarding", action)

    @pages.post("/my-phone/absence")
    async def save_absence(request: Request, user: CurrentUser, start: Annotated[str, Form()] = "",
                           end: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                           message: Annotated[str, Form()] = "", clear: Annotated[str, Form()] = "",
                           person: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        def action(pid: str) -> None:
            if clear:
                service.clear_absence(user, pid)
                return
            service.set_absence(user, pid, _local(start), _local(end), reason, message)

        return await edit(request, user, person, "absence", action)

    @pages.post("/my-phone/closed")
    async def save_closed(request: Request, user: CurrentUser, reason: Annotated[str, Form()] = "",
                          open_it: Annotated[str, Form()] = "", person: Annotated[str, Form()] = "") -> Response:  # fmt: skip
        def action(pid: str) -> None:
            if open_it:
                service.open_extension(user, pid)
            else:
                service.close_extension(user, pid, reason)

        return await edit(request, user, person, "closed", action)

    @pages.get("/directory")
    async def directory(request: Request, q: str = "") -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login?next=/directory", status_code=303)
        lang = language_of(request)
        by_ext = service.snapshot.by_extension
        rows = []
        for item in service.search(q[:200]) if q.strip() else []:
            unit = service.unit(item.person.unit_id)
            hours = item.presence.phone_hours
            rows.append({
                "person": item.person, "unit": unit.name if unit else "",
                "status": item.presence.status.kind.value,
                "label": presence_label(item.presence, lang, by_ext,
                                        service.may_read(user, item.person)),
                "next_hours": when(hours.next_start, lang) if hours and hours.next_start else "",
                "free": item.free_colleagues,
            })  # fmt: skip
        return render(request, "directory/search.html", q=q, rows=rows)

    @pages.get("/directory/events")
    async def presence_events(request: Request, user: CurrentUser) -> Response:
        queue = bus.subscribe(PRESENCE_TOPIC)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                while not await request.is_disconnected():
                    try:
                        message = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_S)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    data = json.dumps(message, ensure_ascii=False)
                    yield f"event: presence\ndata: {data}\n\n"
            finally:
                bus.unsubscribe(PRESENCE_TOPIC, queue)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    return pages


def _periods(text: str) -> list[str]:
    return [p.strip().replace(" ", "") for p in text.replace(";", ",").split(",") if p.strip()]


def _local(text: str) -> datetime | None:
    """<input type=datetime-local> sends 2026-11-23T10:00; no zone means local time."""
    if not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"{text!r} is not a date and time like 2026-11-23T10:00") from None
