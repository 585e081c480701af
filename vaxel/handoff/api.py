"""HTTP routes: start and steer handoffs, take messages, mark them handled.

Starting a handoff needs the telephonist (or unit admin) role; the emergency override of
a closed extension is role-restricted to telephonists (the centre) and admins, and works
only where the department agreed to it (the directory's ``breakthrough_allowed``).
The "mark handled" link in a message's e-mail needs no login: its random token is the
permission; the page asks for a click (POST) so link scanners cannot mark it.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException
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
from vaxel.handoff.messages import Urgency
from vaxel.handoff.states import Initiator, Mode
from vaxel.web.app import require
from vaxel.web.auth import Principal, Role

STAFF = (Role.TELEPHONIST, Role.UNIT_ADMIN)


class StartIn(BaseModel):
    telephonist: str = Field(description="the telephonist whose current call is transferred")
    person_id: str | None = None
    extension: str | None = Field(None, pattern=r"^\d{3,6}$")
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

    async def step(handoff_id: str, event: Any) -> dict[str, Any]:
        from vaxel.handoff.view import describe

        service = runtime()
        live = service.get(handoff_id)
        await service.feed(live, event)
        return describe(live)

    @router.post("/handoffs/{handoff_id}/complete")
    async def complete(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(handoff_id, AttendedComplete())

    @router.post("/handoffs/{handoff_id}/cancel")
    async def cancel(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(handoff_id, AttendedCancel())

    @router.post("/handoffs/{handoff_id}/refer")
    async def refer(handoff_id: str, user: Principal = require(*STAFF)) -> dict[str, Any]:
        return await step(handoff_id, ReferToPhoneHoursPressed())

    @router.post("/handoffs/{handoff_id}/message", status_code=201)
    async def handoff_message(handoff_id: str, body: MessageIn,
                              user: Principal = require(*STAFF)) -> dict[str, Any]:  # fmt: skip
        """The telephonist types the message in; the caller hears the reference number."""
        from vaxel.handoff.messaging import NewMessage

        service = runtime()
        live = service.get(handoff_id)
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
    async def list_messages(user: Principal = require(*STAFF, Role.ANALYST)) -> list[dict]:
        import asyncio

        rows = await asyncio.to_thread(messages().store.messages)
        return [_row(r) for r in rows]

    @router.post("/messages/{reference}/handled")
    async def handled(reference: str, user: Principal = require(*STAFF, Role.OFFICER)) -> dict:
        message = await messages().mark_handled(reference=reference)
        return {"reference": message.reference, "status": message.status.value}

    return router


def make_pages(ctx: AppContext) -> APIRouter:
    router = APIRouter(tags=["messages"])

    @router.get("/messages/handled/{token}", response_class=HTMLResponse)
    async def confirm(token: str) -> str:
        return (
            "<!doctype html><html lang=sv><meta charset=utf-8><title>Meddelande</title>"
            f"<form method=post action='/messages/handled/{token}'>"
            "<p>Markera meddelandet som hanterat?</p><button>Hanterat</button></form></html>"
        )

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
    async def mark(token: str) -> str:
        message = await ctx.services["handoff_messages"].mark_handled(token=token)
        return (f"<!doctype html><html lang=sv><meta charset=utf-8><p>Meddelande "
                f"{message.reference} är markerat som hanterat.</p></html>")  # fmt: skip

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
