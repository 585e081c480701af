"""HTTP routes: queue state, and telephonists' login, logout, pause and wrap-up code (like the
feature codes).

A telephonist may change their own state (their site-file ``person`` or ``id`` matches
their account); an admin may change anyone's; a supervisor may see every state and log any
telephonist out or unpause them, and change nothing else.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from vaxel.context import AppContext
from vaxel.queue.estimate import position
from vaxel.queue.telephonists import (
    Login,
    Logout,
    Pause,
    Paused,
    Telephonist,
    TelephonistChange,
    Unpause,
    may_act_for_telephonist,
)
from vaxel.web.app import require
from vaxel.web.auth import Principal, Role

STAFF = (Role.TELEPHONIST, Role.UNIT_ADMIN)
# What a supervisor may do to any telephonist: nothing that puts someone to work or takes calls.
SUPERVISED = (Role.SUPERVISOR,)


class PauseIn(BaseModel):
    reason: str = Field("paused", min_length=1, max_length=80)


class WrapupCodeIn(BaseModel):
    code: str = Field(pattern=r"^[0-9]{1,6}$", description="1-6 digits, as keyed with *25<code>")


class TelephonistOut(BaseModel):
    id: str
    status: str
    detail: str
    reason: str | None = None


class WrapupCodeOut(BaseModel):
    telephonist: str
    entry: str
    code: str


def check_may_act_for(
    ctx: AppContext, user: Principal, telephonist_id: str, refusal: str, *, supervised: bool = False
) -> None:
    """``telephonists.may_act_for_telephonist`` for an API caller; 404 for an unknown id."""
    config = next((t for t in ctx.config.telephonists if t.id == telephonist_id), None)
    if config is None and not user.has(Role.ADMIN):
        raise HTTPException(status_code=404, detail=f"no telephonist '{telephonist_id}'")
    if not may_act_for_telephonist(
        roles=frozenset(user.roles), username=user.username, person_id=user.person_id,
        telephonist_id=telephonist_id, telephonist_person=config.person if config else None,
        supervised=supervised,
    ):  # fmt: skip
        raise HTTPException(status_code=403, detail=refusal)


def telephonist_out(person: Telephonist) -> TelephonistOut:
    reason = person.status.reason if isinstance(person.status, Paused) else None
    return TelephonistOut(id=person.id, status=type(person.status).__name__.lower(),
                          detail=str(person.status), reason=reason)  # fmt: skip


def make_router(ctx: AppContext) -> APIRouter:
    router = APIRouter(prefix="/queues", tags=["queues"])

    def service() -> Any:
        found = ctx.services.get("queues")
        if found is None or not hasattr(found, "entries"):
            raise HTTPException(status_code=503, detail="the queues run in the controller only")
        return found

    def allowed(user: Principal, telephonist_id: str, supervised: bool = False) -> None:
        check_may_act_for(ctx, user, telephonist_id, "you may change only your own state",
                          supervised=supervised)  # fmt: skip

    def change(telephonist_id: str, user: Principal, what: TelephonistChange,
               supervised: bool = False) -> TelephonistOut:  # fmt: skip
        allowed(user, telephonist_id, supervised)
        return telephonist_out(service().change(telephonist_id, what))

    @router.get("", dependencies=[require(*STAFF, *SUPERVISED)])
    async def state() -> dict[str, Any]:
        """Every queue with its entries in order, and every telephonist's state."""
        return snapshot(service())

    @router.post("/telephonists/{telephonist_id}/login")
    async def login(telephonist_id: str, user: Principal = require(*STAFF)) -> TelephonistOut:
        return change(telephonist_id, user, Login())

    @router.post("/telephonists/{telephonist_id}/logout")
    async def logout(
        telephonist_id: str, user: Principal = require(*STAFF, *SUPERVISED)
    ) -> TelephonistOut:
        return change(telephonist_id, user, Logout(), supervised=True)

    @router.post("/telephonists/{telephonist_id}/pause")
    async def pause(
        telephonist_id: str, body: PauseIn, user: Principal = require(*STAFF)
    ) -> TelephonistOut:
        return change(telephonist_id, user, Pause(body.reason))

    @router.post("/telephonists/{telephonist_id}/unpause")
    async def unpause(
        telephonist_id: str, user: Principal = require(*STAFF, *SUPERVISED)
    ) -> TelephonistOut:
        return change(telephonist_id, user, Unpause(), supervised=True)

    @router.post("/telephonists/{telephonist_id}/wrapup-code")
    async def wrapup_code(
        telephonist_id: str, body: WrapupCodeIn, user: Principal = require(*STAFF)
    ) -> WrapupCodeOut:
        """The wrap-up code for the telephonist's latest call (like ``*25<code>``)."""
        allowed(user, telephonist_id)
        entry_id = service().set_wrapup_code(telephonist_id, body.code)
        if entry_id is None:
            raise HTTPException(status_code=409, detail="no call to put a wrap-up code on")
        return WrapupCodeOut(telephonist=telephonist_id, entry=entry_id, code=body.code)

    return router


def snapshot(service: Any) -> dict[str, Any]:
    """Queues with their entries in order (position 1 first) and telephonists' states."""
    waiting = list(service.entries.values())
    queues: dict[str, Any] = {}
    for name in service.queues:
        mine = sorted(service.waiting_in(name), key=lambda e: position(e, waiting))
        queues[name] = {
            "open": service.open.get(name, False),
            "entries": [
                {
                    "id": e.id,
                    "position": position(e, waiting),
                    "kind": e.kind.value,
                    "state": e.state.value,
                    "entered_at": e.entered_at.isoformat(),
                    "returned": e.is_returned,
                    "offered_to": e.offered_to,
                }
                for e in mine
            ],
        }
    people = {t.id: telephonist_out(t).model_dump(exclude={"id"}) for t in service.people.values()}
    return {"queues": queues, "telephonists": people}
