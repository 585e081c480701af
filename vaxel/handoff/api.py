"""HTTP routes: start and steer handoffs, take messages, mark them handled.

Starting a handoff needs the telephonist (or unit admin) role; the emergency override of
a closed extension is role-restricted to telephonists (the centre) and admins, and works
only where the department agreed to it (the directory's ``breakthrough_allowed``).
The "mark handled" link in a message's e-mail needs no login: its random token is the
permission; the page asks for a click (POST) so link scanners cannot mark it.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from vaxel.asterisk.ari import AriNotFound
from vaxel.context import AppContext
from vaxel.handoff.inputs import (
    AttendedCancel,
    AttendedComplete,
    MessageRecorded,
    ReferToPhoneHoursPressed,
    TakeMessagePressed,
)
from vaxel.handoff.messages import MessageAccess, Urgency
from vaxel.handoff.states import Initiator, Mode
from vaxel.queue.api import check_may_act_for
from vaxel.web.app import CurrentUser, render, require
from vaxel.web.auth import Principal, Role
from vaxel.web.i18n import register

STAFF = (Role.TELEPHONIST, Role.UNIT_ADMIN)

register("sv", {"msg.title": "Meddelande", "msg.confirm_handled": "Markera meddelandet som hanterat?",
                "msg.handled_button": "Hanterat",
                "msg.is_handled": "Meddelande {reference} är markerat som hanterat."})  # fmt: skip
register("en", {"msg.title": "Message", "msg.confirm_handled": "Mark the message as handled?",
                "msg.handled_button": "Handled",
                "msg.is_handled": "Message {reference} is marked as handled."})  # fmt: skip


class StartIn(BaseModel):
    telephonist: str = Field(description="the telephonist whose current call is transferred")
    person_id: str | None = None
    extension: str | None = Field(None, pattern=r"^[0-9]{3,6}$")
    mode: Literal["follow", "attended"] = "follow"
    override: bool = Field(False, description="emergency: ring a closed extension anyway")


class MessageIn(BaseModel):
    caller_name: str = Field(min_length=1, max_length=200)
    caller_number: str | None = Field(None, max_length=32)
    subject: str = Field(min_length=1, max_length=4000)
    urgency: Literal["normal", "urgent"] = "normal"
    target_unit: str | None = Field(None, max_length=120)
    target_person: str | None = Field(None, max_length=40)


def make_router(ctx: AppContext) -> APIRouter:
    router = APIRouter(tags=["handoffs"])

    def runtime() -> Any:
        found = ctx.services.get("handoffs")
        if found is None:
            raise HTTPException(status_code=503, detail="handoffs run in the controller only")
        return found

    def messages() -> Any:
        return ctx.services["handoff_messages"]

    @router.post("/handoffs", status_code=201)
    async def start(body: StartIn, user: Principal = require(*STAFF)) -> dict[str, Any]:
        if body.override and not user.has(Role.TELEPHONIST):
            raise HTTPException(status_code=403, detail="only the centre may break through")
        check_may_act_for(ctx, user, body.telephonist, "you may transfer only your own calls")
        service = runtime()
        try:
            target = service.targets.target_for(person_id=body.person_id, extension=body.extension)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        live = await service.start(target=target, telephonist=body.telephonist,
                                   mode=Mode(body.mode), initiator=Initiator.API,
                                   override=body.override)  # fmt: skip
        from vaxel.handoff.view import describe

        return describe(live)

    @router.get("/handoffs")
    async def in_progress(user: Principal = require(*STAFF, Role.ANALYST)) -> list[dict[str, Any]]:
        return runtime().snapshot()  # type: ignore[no-any-return]

    def own_handoff(user: Principal, handoff_id: str) -> Any:
        live = runtime().get(handoff_id)
        check_may_act_for(ctx, user, live.telephonist, "you may steer only your own calls")
        return live

    async def step(user: Principal, handoff_id: str, event: Any) -> dict[str, Any]:
        from vaxel.handoff.view import describe

        live = own_handoff(user, handoff_id)
        await runtime().feed(live, event)
        return describe(live)

    @router.post("/handoffs/{handoff_id}/complete")
    async def complete(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(user, handoff_id, AttendedComplete())

    @router.post("/handoffs/{handoff_id}/cancel")
    async def cancel(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(user, handoff_id, AttendedCancel())

    @router.post("/handoffs/{handoff_id}/refer")
    async def refer(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(user, handoff_id, ReferToPhoneHoursPressed())

    @router.post("/handoffs/{handoff_id}/message", status_code=201)
    async def handoff_message(handoff_id: str, body: MessageIn,
                              user: Principal = require(*STAFF)) -> dict[str, Any]:  # fmt: skip
        """The telephonist types the message in; the caller hears the reference number."""
        from vaxel.handoff.messaging import NewMessage

        service = runtime()
        live = own_handoff(user, handoff_id)
        failure = getattr(live.state, "failure", None)
        target = failure.target if failure is not None else None
        live.message_mode = "api"
        await service.feed(live, TakeMessagePressed())
        new = NewMessage(
            caller_name=body.caller_name, caller_number=body.caller_number or live.caller_number,
            subject=body.subject, urgency=Urgency(body.urgency),
            target_unit=body.target_unit or (target.unit if target else None) or "okänd enhet",
            target_person=body.target_person or (target.person_id if target else None),
            handoff_id=live.id,
        )  # fmt: skip
        message, _token = await messages().create(new)
        await service.feed(live, MessageRecorded(message.reference))
        return {"reference": message.reference, "deadline": message.deadline.isoformat()}

    @router.post("/messages", status_code=201)
    async def create_message(body: MessageIn, user: Principal = require(*STAFF)) -> dict[str, Any]:
        from vaxel.handoff.messaging import NewMessage

        if not body.target_unit:
            raise HTTPException(status_code=422, detail="give the target unit")
        new = NewMessage(body.caller_name, body.caller_number, body.subject,
                         Urgency(body.urgency), body.target_unit, body.target_person)  # fmt: skip
        message, _token = await messages().create(new)
        return {"reference": message.reference, "deadline": message.deadline.isoformat(),
                "status": (await _status(ctx, message.reference))}  # fmt: skip

    @router.get("/messages")
    async def list_messages(user: CurrentUser) -> list[dict]:
        """The latest messages the caller may see (``messages.message_access``)."""
        import asyncio

        service = messages()
        rows = await asyncio.to_thread(service.store.messages)
        seen = [(r, service.access(user, r)) for r in rows]
        return [{**_row(r), "may_handle": a is MessageAccess.HANDLE}
                for r, a in seen if a is not MessageAccess.NONE]  # fmt: skip

    @router.post("/messages/{reference}/handled")
    async def handled(reference: str, user: CurrentUser) -> dict:
        """Only the person or unit the message is for, or an admin; a message the caller may
        not see is answered as if it did not exist (404), because references are sequential."""
        message = await messages().mark_handled_by(user, reference)
        return {"reference": message.reference, "status": message.status.value}

    return router


def make_pages(ctx: AppContext) -> APIRouter:
    router = APIRouter(tags=["messages"])

    @router.get("/messages/handled/{token}", response_class=HTMLResponse)
    async def confirm(request: Request, token: str) -> Response:
        return render(request, "handoff/confirm_handled.html", token=token)

    @router.get("/messages/recording/{token}")
    async def recording(token: str) -> Response:
        """The caller's own voice, linked from the delivered message (token: permission)."""
        import asyncio

        from vaxel.handoff.messaging import token_hash

        messages = ctx.services["handoff_messages"]
        row = await asyncio.to_thread(messages.store.message_by_token, token_hash(token))
        if row is None or not row.recording:
            raise HTTPException(status_code=404, detail="no such recording")
        if ctx.ari is None:
            raise HTTPException(status_code=503, detail="recordings are served by the controller")
        try:
            audio = await ctx.ari.stored_recording(row.recording)
        except AriNotFound:
            raise HTTPException(status_code=404, detail="the recording is gone") from None
        return Response(audio, media_type="audio/wav")

    @router.post("/messages/handled/{token}", response_class=HTMLResponse)
    async def mark(request: Request, token: str) -> Response:
        message = await ctx.services["handoff_messages"].mark_handled(token=token)
        return render(request, "handoff/handled.html", reference=message.reference)

    return router


async def _status(ctx: AppContext, reference: str) -> str:
    import asyncio

    row = await asyncio.to_thread(ctx.services["handoff_messages"].store.message, reference)
    return row.status if row is not None else "unknown"


def _row(row: Any) -> dict[str, Any]:
    return {
        "reference": row.reference, "status": row.status, "target_unit": row.target_unit,
        "channel": row.channel, "deadline": row.deadline.isoformat(),
        "delivery_attempts": row.delivery_attempts, "last_error": row.last_error,
        "handled_at": row.handled_at.isoformat() if row.handled_at else None,
        "escalated_at": row.escalated_at.isoformat() if row.escalated_at else None,
    }  # fmt: skip
