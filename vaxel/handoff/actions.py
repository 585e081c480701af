"""Carrying out the model's commands through ARI, the queue and the message service.

Bridges: the caller waits in ``vaxel-ho-<id>`` (hold music on the bridge) and is connected
there with whoever takes the call; in attended mode the telephonist talks to the target in
``vaxel-hoc-<id>``. Ringing the telephonist back is the queue's job: the call re-enters
the queue marked returned with the telephonist as preferred, so the queue rings that
telephonist first if free and otherwise the next one (``queue/distribution.offers``), with the
whisper. Every command is safe to repeat: reconciliation may send it again.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.handoff.commands import (
    BridgeCallerWith,
    BridgeTelephonistWithTarget,
    Command,
    EmitEvent,
    FreeTelephonist,
    HangUpTarget,
    HoldCaller,
    LookUpPhoneHours,
    PlayWhisper,
    RequeueAtHead,
    ResolveTarget,
    RingDevices,
    RingTelephonist,
    SpeakToCaller,
    StartMessage,
    StopRinging,
)
from vaxel.handoff.inputs import (
    DirectoryVerdict,
    PhoneHoursLookedUp,
    RingTimeout,
    TargetRejected,
    TelephonistBusy,
    WhisperDone,
)
from vaxel.handoff.service import HandoffService, Live
from vaxel.handoff.states import Mode, Party, ReferredToPhoneHours, RingingTelephonist

log = structlog.get_logger("vaxel.handoff")
WHISPER_MAX_S = 8
OFFER_MESSAGE = " Vill du lämna ett meddelande i stället, tryck 1."
RECORD_PROMPT = "Tala in ditt meddelande efter tonen. Tryck fyrkant när du är klar."


class Actions:
    def __init__(self, service: HandoffService, renderer: Any) -> None:
        self.s, self.renderer = service, renderer
        self.ari = service.ari

    async def run(self, live: Live, command: Command) -> None:
        match command:
            case HoldCaller(music=music):
                await self.hold(live, music)
            case ResolveTarget(target=target):
                verdict, colleague = self.s.targets.resolve(target)
                advice = self.s.targets.advice(target)
                self.s.post(live, DirectoryVerdict(verdict, colleague, advice))
            case LookUpPhoneHours(target=target):
                self.s.post(live, PhoneHoursLookedUp(self.s.targets.next_phone_hours(target)))
            case RingDevices(devices=devices, timeout_s=timeout_s):
                for device in devices:
                    await self.ring(live, device, timeout_s)
            case StopRinging(party=Party.TARGET, keep=keep):
                for leg in [leg for leg, device in live.legs.items() if device != keep]:
                    live.legs.pop(leg, None)
                    self.s.by_channel.pop(leg, None)
                    await self.ari.hangup(leg)
            case StopRinging():
                pass  # the queue rings telephonists and stops its own rings
            case PlayWhisper(channel=Party.TARGET, text=text):
                await self.whisper(live, text)
            case PlayWhisper(channel=Party.TELEPHONIST, text=text):
                if live.telephonist_channel:
                    await self.say(live, live.telephonist_channel, text, "telephonist_whisper")
            case BridgeCallerWith(party=party):
                await self.bridge_caller(live, party)
            case BridgeTelephonistWithTarget():
                await self.move(live.consult_bridge, live.target_channel)
            case HangUpTarget():
                if live.target_channel:
                    await self.ari.hangup(live.target_channel)
            case FreeTelephonist():
                await self.free_telephonist(live)
            case RingTelephonist(telephonist=telephonist, whisper=whisper):
                await self.ring_telephonist(live, telephonist, whisper)
            case RequeueAtHead(reason=reason, whisper=whisper):
                await self.to_queue(live, reason.value, whisper, None)
            case SpeakToCaller(text=text):
                await self.take_talk_back(live)
                extra = OFFER_MESSAGE if isinstance(live.state, ReferredToPhoneHours) else ""
                purpose = "offer" if extra else "final"
                await self.say(live, live.caller, text + extra, purpose)
            case StartMessage():
                await self.start_message(live)
            case EmitEvent(event=event):
                self.s.emit(replace(event, contact_id=live.call_id or ""), live.caller)

    # --- the caller ----------------------------------------------------------------------
    async def hold(self, live: Live, music: str) -> None:
        live.connected = False
        await self._bridge(live.caller_bridge)
        await self.move(live.caller_bridge, live.caller, source=live.talk_bridge)
        try:
            await self.ari.start_moh(f"bridges/{live.caller_bridge}", music)
        except AriError as exc:
            log.info("handoff_moh_failed", handoff=live.id, reason=str(exc))
        if live.talk_bridge:
            await self.ari.destroy_bridge(live.talk_bridge)
            live.talk_bridge = None
        ctx = getattr(live.state, "ctx", None)
        if ctx is not None and ctx.mode is Mode.ATTENDED and live.telephonist_channel:
            await self._bridge(live.consult_bridge)
            await self.move(
                live.consult_bridge, live.telephonist_channel, source=live.caller_bridge
            )
        else:
            await self.free_telephonist(live)  # follow mode: free at once, rung back if needed

    async def take_talk_back(self, live: Live) -> None:
        """The call came back through the queue: take it over again (idempotent)."""
        queues = self.s.queues
        talk = queues.calls.hand_over(live.caller) if queues is not None else None
        if talk is None:
            return
        from vaxel.queue.calls import talk_bridge_id

        live.telephonist_channel, live.telephonist = talk.leg, talk.telephonist_id
        live.talk_bridge, live.freed = talk_bridge_id(talk.entry_id), False
        live.previous_owner = live.previous_owner or self.s.router.owner(live.caller)
        self.s.own(live, live.caller)
        self.s.own(live, talk.leg)
        await self.stop_telephonist_whispers(live)
        await self._bridge(live.caller_bridge)
        await self.move(live.caller_bridge, live.caller, source=live.talk_bridge)
        await self.move(live.caller_bridge, talk.leg, source=live.talk_bridge)
        await self.ari.destroy_bridge(live.talk_bridge)
        live.talk_bridge, live.connected = None, True

    async def bridge_caller(self, live: Live, party: Party) -> None:
        if party is Party.TELEPHONIST:
            queues = self.s.queues
            if queues is not None and live.caller in queues.calls.talk_by_channel:
                return  # the queue connected the returned call itself
            channel = live.telephonist_channel
        else:
            channel = live.target_channel
        if not channel:
            return
        await self.ari.stop_moh(f"bridges/{live.caller_bridge}")
        await self.move(live.caller_bridge, channel, source=live.consult_bridge)
        live.connected = True
        await self.s.persist(live)

    # --- the target ----------------------------------------------------------------------
    async def ring(self, live: Live, device: str, timeout_s: float) -> None:
        live.leg_count += 1
        leg = f"vh-{live.id}-{live.leg_count}"
        live.legs[leg] = device
        self.s.own(live, leg)  # before originating: the first event may be fast
        try:
            await self.ari.originate(
                endpoint=device, channel_id=leg, app_args=f"leg,handoff,{live.id}",
                caller_id=live.caller_number or None, timeout_s=int(timeout_s) + 5,
            )  # fmt: skip
        except AriError as exc:
            log.info("handoff_ring_failed", handoff=live.id, device=device, reason=str(exc))
            await self.leg_failed(live, leg, None)

    async def leg_failed(self, live: Live, leg: str, cause: int | None) -> None:
        """A ringing leg ended unanswered: busy, declined, or unreachable."""
        device = live.legs.pop(leg, None)
        if device is None:
            return
        from vaxel.handoff.inputs import TargetBusy

        if cause == 17:
            self.s.post(live, TargetBusy(device))
        elif cause == 21 or live.legs:
            self.s.post(live, TargetRejected(device))
        else:  # the last device could not be reached: as good as no answer
            self.s.post(live, RingTimeout())

    async def whisper(self, live: Live, text: str) -> None:
        channel = live.target_channel
        if channel is None or not await self.say(live, channel, text, "whisper"):
            self.s.post(live, WhisperDone())
            return
        loop = asyncio.get_running_loop()
        loop.call_later(WHISPER_MAX_S, lambda: self.s.post(live, WhisperDone()))

    # --- the telephonist -----------------------------------------------------------------
    async def free_telephonist(self, live: Live) -> None:
        queues = self.s.queues
        if live.freed or (queues is not None and live.caller in queues.calls.talk_by_channel):
            return
        live.freed = True
        channel, live.telephonist_channel = live.telephonist_channel, None
        if channel:
            self.s.by_channel.pop(channel, None)
            await self.s.stasis.confirm_refer(channel)
            await self.ari.hangup(channel)
        if queues is not None:
            queues.calls.end_handed_over(live.telephonist)

    async def ring_telephonist(self, live: Live, telephonist: str, whisper: str) -> None:
        queues = self.s.queues
        person = queues.people.get(telephonist) if queues is not None else None
        if person is None or not person.is_free(self.s.clock.now()):
            self.s.post(live, TelephonistBusy())
            return
        state = live.state
        reason = (
            state.failure.outcome.value if isinstance(state, RingingTelephonist) else "returned"
        )
        await self.to_queue(live, reason, whisper, telephonist)

    async def to_queue(self, live: Live, reason: str, whisper: str, preferred: str | None) -> None:
        queues = self.s.queues
        if queues is None or live.caller in queues.by_channel:
            return  # already waiting at the head (e.g. the preferred telephonist missed it)
        from vaxel.queue.ports import QueueCall, Returned

        await self.ari.remove_from_bridge(live.caller_bridge, live.caller)
        await self.ari.destroy_bridge(live.caller_bridge)
        call = QueueCall(
            channel_id=live.caller, call_id=live.call_id or live.caller, queue=live.queue,
            caller_number=live.caller_number, entered_at=live.created_at,
            returned=Returned(reason, whisper, preferred),
        )  # fmt: skip
        await queues.enter(call)

    # --- speech and messages -------------------------------------------------------------
    async def say(self, live: Live, channel: str, text: str, purpose: str) -> bool:
        if self.renderer is None:
            return False
        name = "handoff-" + hashlib.sha256(text.encode()).hexdigest()[:12]
        try:
            sound = await asyncio.to_thread(self.renderer.render, name, text, "sv")
            playback = await self.ari.play(f"channels/{channel}", sound.sound_uri)
        except Exception as exc:  # noqa: BLE001 - silence is better than a dropped caller
            log.info("handoff_say_failed", handoff=live.id, reason=str(exc))
            return False
        live.playbacks[playback["id"]] = purpose
        return True

    async def stop_telephonist_whispers(self, live: Live) -> None:
        """Asterisk does not take a channel out of a bridge while a playback runs on it (the
        request hangs), so what the telephonist is being told ends before their leg moves."""
        for playback_id, purpose in list(live.playbacks.items()):
            if purpose == "telephonist_whisper":
                live.playbacks.pop(playback_id, None)
                await self.ari.stop_playback(playback_id)  # one that has finished is no error

    async def start_message(self, live: Live) -> None:
        if live.message_mode != "voice":
            return  # the telephonist types the message in (API)
        await self.free_telephonist_from_bridge(live)
        await self.ari.remove_from_bridge(live.caller_bridge, live.caller)
        await self.say(live, live.caller, RECORD_PROMPT, "record_prompt")

    async def free_telephonist_from_bridge(self, live: Live) -> None:
        # The caller records alone; the telephonist is free for the next call.
        await self.take_talk_back(live)
        live.connected = False
        await self.free_telephonist(live)

    async def record(self, live: Live) -> None:
        try:
            await self.ari.request(
                "POST", f"/channels/{live.caller}/record",
                params={"name": f"vaxel-message-{live.id}", "format": "wav",
                        "maxDurationSeconds": 120, "maxSilenceSeconds": 6, "beep": "true",
                        "terminateOn": "#", "ifExists": "overwrite"},
            )  # fmt: skip
        except AriError as exc:
            log.info("handoff_record_failed", handoff=live.id, reason=str(exc))
            await self.s.stasis.recorded(live, None)

    # --- bridges -------------------------------------------------------------------------
    async def _bridge(self, bridge_id: str) -> None:
        try:
            await self.ari.create_bridge(bridge_id, "mixing")
        except AriError as exc:
            if exc.status not in (409, 500):  # it exists (e.g. before a restart)
                raise

    async def move(self, bridge: str, channel: str | None, source: str | None = None) -> None:
        if not channel:
            return
        if source:
            await self.ari.remove_from_bridge(source, channel)
        try:
            await self.ari.add_to_bridge(bridge, channel)
        except AriError as exc:
            log.info("handoff_bridge_failed", bridge=bridge, channel=channel, reason=str(exc))
