"""The console page and its event stream. The page is a shell; ``console.js`` renders the
view it receives over Server-Sent Events and sends actions to the owning packages' APIs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from vaxel.console.access import NotATelephonist, Seat, overseer_roles, seat_for
from vaxel.console.service import ConsoleService
from vaxel.console.stream import view_stream
from vaxel.console.texts import SHORTCUTS, TEXTS
from vaxel.web.app import CurrentUser, principal_of, render
from vaxel.web.auth import Principal
from vaxel.web.i18n import language_of


def build_pages(service: ConsoleService) -> APIRouter:
    pages = APIRouter()

    def seat(user: Principal, telephonist: str) -> Seat:
        own = service.telephonist_of(user.username, user.person_id)
        return seat_for(user, telephonist or None, own, service.exists(telephonist))

    @pages.get("/console")
    async def console(request: Request, telephonist: str = "") -> Response:
        user = principal_of(request)
        if user is None:
            return RedirectResponse("/login?next=/console", status_code=303)
        lang = language_of(request)
        try:
            chosen = seat(user, telephonist)
        except NotATelephonist as refused:
            if user.has(*overseer_roles()):
                people = [(t.id, t.name) for t in service.config.telephonists]
                return render(request, "console/choose.html", people=people)
            return render(request, "console/refused.html", status_code=403, reason=str(refused))
        name = next((t.name for t in service.config.telephonists if t.id == chosen.telephonist),
                    chosen.telephonist)  # fmt: skip
        return render(
            request, "console/console.html", seat=chosen, name=name,
            texts=TEXTS[lang], shortcuts=SHORTCUTS[lang], c=TEXTS[lang],
        )  # fmt: skip

    @pages.get("/console/events")
    async def events(request: Request, user: CurrentUser, telephonist: str = "") -> Response:
        return view_stream(request, service, seat(user, telephonist))

    return pages


class CallbackIn(BaseModel):
    number: str | None = Field(None, max_length=32, description="default: the caller's number")


def build_api(service: ConsoleService) -> APIRouter:
    api = APIRouter(prefix="/console", tags=["console"])

    @api.post("/{telephonist}/callback", status_code=201)
    async def book_callback(telephonist: str, body: CallbackIn, user: CurrentUser) -> dict:
        """Book a callback for the caller on the telephonist's current call (the queue's
        own callback request: kept in order, dialled when a telephonist is free)."""
        own = service.telephonist_of(user.username, user.person_id)
        chosen = seat_for(user, telephonist, own, service.exists(telephonist))
        if chosen.read_only:
            raise NotATelephonist("a console opened read-only cannot act")
        return await service.book_callback(chosen.telephonist, body.number)

    @api.get("/{telephonist}")
    async def view(telephonist: str, user: CurrentUser) -> dict:
        """What the telephonist's console shows now (the same view the page streams)."""
        own = service.telephonist_of(user.username, user.person_id)
        chosen = seat_for(user, telephonist, own, service.exists(telephonist))
        found = service.view(chosen.telephonist, chosen.read_only)
        if found is None:
            raise NotATelephonist("the queues run in the controller only", status=503)
        return found

    return api
