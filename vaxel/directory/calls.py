"""Internal calls: a phone dials digits, the controller decides where the call goes.

Dispatch is shared with other packages through ``ctx.services["internal_dial"]``, a dict
from a prefix to a handler ``(StasisStart event, digits) -> None``; the longest matching
prefix wins (the queue package will register "*" for feature codes). Plain extensions fall
through to the directory, which asks ``route_for`` what to do: ring the desk, follow a
forward (one hop, so two people forwarding to each other cannot loop), or speak why not.

Legs are originated into Stasis with app args ["leg", <caller channel>]. The router hands
a leg's StasisStart to ``on_leg``, which passes it to whoever claimed the leg's channel id
before originating; any package can ring legs that way.

Nothing typed reaches a dial string: extensions must match the directory and 3-6 digits,
mobiles are re-checked against the number policy right before dialling.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient, AriError, AriNotFound
from vaxel.asterisk.router import Router
from vaxel.clock import Clock
from vaxel.directory import views
from vaxel.directory.forwarding import (
    FollowForward,
    ReferToPhoneHours,
    ReportAbsent,
    ReportBusy,
    ReportClosed,
    RingDevices,
)
from vaxel.directory.model import EXTENSION, TargetKind, ValidTarget
from vaxel.directory.service import DirectoryService
from vaxel.ivr.prompts import PromptRenderer
from vaxel.numbers import NumberPolicy, NumberRefused, check_number

log = structlog.get_logger("vaxel.directory.calls")
Event = dict[str, Any]
InternalHandler = Callable[[Event, str], Awaitable[None]]
RING_TIMEOUT_S = 30
BUSY_CAUSES = {17}  # Q.850 user busy


class InternalDialer:
    """The one owner of on_start("internal"); other packages add prefixes to ``registry``."""

    def __init__(self, registry: dict[str, InternalHandler], fallback: InternalHandler) -> None:
        self.registry, self.fallback = registry, fallback

    async def on_internal(self, event: Event, args: list[str]) -> None:
        digits = args[0] if args else ""
        prefixes = sorted((p for p in self.registry if p and digits.startswith(p)), key=len)
        handler = self.registry[prefixes[-1]] if prefixes else self.fallback
        await handler(event, digits)


def leg_dispatcher(router: Router) -> Callable[[Event, list[str]], Awaitable[None]]:
    async def on_leg(event: Event, args: list[str]) -> None:
        owner = router.owner(event["channel"]["id"])
        if owner is None:
            log.warning("leg_without_owner", args=args)
            return
        await owner.handle(event)

    return on_leg


@dataclass
class InternalCall:
    caller: str  # the calling phone's channel id
    caller_number: str
    leg: str | None = None
    leg_answered: bool = False
    leg_status: str = ""
    bridge: str | None = None
    forwards_followed: int = 0
    on_busy: ValidTarget | None = None
    on_no_answer: ValidTarget | None = None
    target_name: str = ""
    final_playbacks: set[str] = field(default_factory=set)
    ended: bool = False


class ExtensionCalls:
    def __init__(
        self,
        *,
        ari: AriClient,
        router: Router,
        service: DirectoryService,
        renderer: PromptRenderer | None,
        clock: Clock,
        policy: NumberPolicy,
    ) -> None:
        self.ari, self.router, self.service = ari, router, service
        self.renderer, self.clock, self.policy = renderer, clock, policy
        self._calls: dict[str, InternalCall] = {}  # by caller channel
        self._legs: dict[str, InternalCall] = {}  # by leg channel

    async def on_extension(self, event: Event, digits: str) -> None:
        channel = event["channel"]
        number = re.sub(r"[^0-9]", "", (channel.get("caller") or {}).get("number", ""))[:15]
        call = InternalCall(channel["id"], number)
        self._calls[call.caller] = call
        self.router.claim(call.caller, self)
        person = self.service.person_by_extension(digits) if EXTENSION.fullmatch(digits) else None
        if person is None:
            await self._say(call, views.spoken_unknown(digits))
            return
        call.target_name = person.name
        route = self.service.route(person.id)
        log.info("internal_call", extension=digits, route=type(route).__name__)
        now = self.clock.now()
        if isinstance(route, RingDevices):
            call.on_busy, call.on_no_answer = route.on_busy, route.on_no_answer
            # Desk and mobile share the extension; the sandbox rings the desk endpoint,
            # named by the extension itself (PJSIP/<extension>).
            await self._ring(call, f"PJSIP/{route.extension}")
        elif isinstance(route, FollowForward):
            await self._forward(call, route.target)
        elif isinstance(route, ReportAbsent):
            await self._say(call, views.spoken_absent(person.name, route.until,
                                                      route.return_message, now))  # fmt: skip
        elif isinstance(route, ReportClosed):
            await self._say(call, views.spoken_closed(person.name))
        elif isinstance(route, ReferToPhoneHours):
            await self._say(call, views.spoken_phone_hours(person.name, route.next_start, now))
        elif isinstance(route, ReportBusy):
            if route.on_no_answer is not None:
                await self._forward(call, route.on_no_answer)
            else:
                await self._say(call, views.spoken_busy(person.name))

    async def _forward(self, call: InternalCall, target: ValidTarget) -> None:
        call.forwards_followed += 1
        if call.forwards_followed > 1:
            await self._say(call, views.spoken_unreachable(call.target_name))
            return
        if target.kind == TargetKind.EXTENSION:
            colleague = self.service.person_by_extension(target.value)
            if colleague is None or not EXTENSION.fullmatch(colleague.extension):
                await self._say(call, views.spoken_unreachable(call.target_name))
                return
            call.target_name = colleague.name
            await self._ring(call, f"PJSIP/{colleague.extension}")
        elif target.kind == TargetKind.MOBILE:
            try:
                number = check_number(target.value, self.policy)  # the policy may have tightened
            except NumberRefused:
                log.warning("forward_number_refused_at_dial_time")
                await self._say(call, views.spoken_unreachable(call.target_name))
                return
            await self._ring(call, f"PJSIP/{number.e164}@trunk")
        else:
            # Group, switchboard and message targets need the queue and handoff packages.
            await self._say(call, views.spoken_unreachable(call.target_name))

    async def _ring(self, call: InternalCall, endpoint: str) -> None:
        leg = f"leg-{uuid.uuid4().hex}"
        call.leg, call.leg_answered, call.leg_status = leg, False, ""
        self._legs[leg] = call
        self.router.claim(leg, self)  # before originating: the leg's first event may be fast
        try:
            await self.ari.ring(call.caller)
            await self.ari.originate(
                endpoint=endpoint, channel_id=leg, app_args=f"leg,{call.caller}",
                caller_id=call.caller_number or None, timeout_s=RING_TIMEOUT_S,
                originator=call.caller,
            )  # fmt: skip
        except AriNotFound:
            await self._end(call)  # the caller hung up meanwhile
        except AriError as exc:
            log.warning("leg_originate_failed", error=str(exc))
            self._drop_leg(call)
            await self._say(call, views.spoken_unreachable(call.target_name))

    # --- events of the caller and of the legs ------------------------------------------
    async def handle(self, event: Event) -> None:
        kind = event.get("type")
        channel_id = (event.get("channel") or {}).get("id", "")
        if channel_id in self._legs:
            await self._leg_event(self._legs[channel_id], channel_id, kind, event)
            return
        playback = (event.get("playback") or {}).get("target_uri", "").removeprefix("channel:")
        call = self._calls.get(channel_id or playback)
        if call is None:
            return
        if kind == "PlaybackFinished" and event["playback"]["id"] in call.final_playbacks:
            await self.ari.hangup(call.caller)
        elif kind in ("StasisEnd", "ChannelDestroyed"):
            await self._end(call)

    async def on_dial(self, event: Event) -> None:
        """Dial events carry no 'channel', so the router sends them to everyone."""
        if event.get("type") != "Dial":
            return
        call = self._legs.get((event.get("peer") or {}).get("id", ""))
        if call is not None and event.get("dialstatus"):
            call.leg_status = event["dialstatus"]

    async def _leg_event(self, call: InternalCall, leg: str, kind: Any, event: Event) -> None:
        if leg != call.leg:
            if kind == "StasisStart":  # an earlier leg answered after we moved on
                await self.ari.hangup(leg)
            return
        if kind == "StasisStart":
            if call.ended:
                await self.ari.hangup(leg)
                return
            call.leg_answered = True
            call.bridge = f"internal-{call.caller}"
            try:
                await self.ari.answer(call.caller)
                await self.ari.create_bridge(call.bridge)
                await self.ari.add_to_bridge(call.bridge, call.caller)
                await self.ari.add_to_bridge(call.bridge, leg)
            except AriNotFound:
                await self.ari.hangup(leg)
                await self._end(call)
            log.info("internal_call_connected", target=call.target_name)
        elif kind in ("StasisEnd", "ChannelDestroyed"):
            answered = call.leg_answered
            self._drop_leg(call)
            if answered or call.ended:
                await self.ari.hangup(call.caller)
                return
            busy = event.get("cause") in BUSY_CAUSES or call.leg_status == "BUSY"
            fallback = call.on_busy if busy else call.on_no_answer
            if fallback is not None:
                call.on_busy = call.on_no_answer = None
                await self._forward(call, fallback)
            elif busy:
                await self._say(call, views.spoken_busy(call.target_name))
            else:
                await self._say(call, views.spoken_unreachable(call.target_name))

    def _drop_leg(self, call: InternalCall) -> None:
        if call.leg is not None:
            self._legs.pop(call.leg, None)
            self.router.release(call.leg)
        call.leg = None

    async def _end(self, call: InternalCall) -> None:
        if call.ended:
            return
        call.ended = True
        self._calls.pop(call.caller, None)
        self.router.release(call.caller)
        if call.leg is not None:
            leg = call.leg
            self._drop_leg(call)
            await self.ari.hangup(leg)
        if call.bridge is not None:
            await self.ari.destroy_bridge(call.bridge)

    async def _say(self, call: InternalCall, text: str) -> None:
        """Answer, speak one sentence, hang up when it has been heard."""
        try:
            await self.ari.answer(call.caller)
            if self.renderer is None:
                await self.ari.hangup(call.caller)
                return
            name = "directory-said-" + hashlib.sha256(text.encode()).hexdigest()[:12]
            sound = await asyncio.to_thread(self.renderer.render, name, text, "sv")
            playback = await self.ari.play(f"channels/{call.caller}", sound.sound_uri)
            call.final_playbacks.add(playback["id"])
        except AriNotFound:
            await self._end(call)
        except Exception:
            log.exception("internal_message_failed")
            await self.ari.hangup(call.caller)
