"""ARI events in, handoff events out: nothing is decided here.

The handoff owns (``Router.claim``) the caller, the telephonist's leg and the target's
legs of every handoff in progress. It also watches the telephonists' legs of the calls the
queue connects (``watch_talk``): their in-call keys (``keys.py``) and phone transfers (SIP
REFER, given to us as ``ChannelTransfer`` with ``PJSIP_TRANSFER_HANDLING()=ari-only``)
start handoffs; every other event of those legs still goes to the queue.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.errors import DomainError
from vaxel.handoff import keys
from vaxel.handoff.inputs import (
    AttendedCancel,
    AttendedComplete,
    CallerHungUp,
    MessageRecorded,
    ReferToPhoneHoursPressed,
    TakeMessagePressed,
    TargetAnswered,
    TargetHungUp,
    TelephonistHungUp,
    WhisperDone,
)
from vaxel.handoff.service import HandoffService, Live
from vaxel.handoff.states import Done, Initiator, Mode, ReferredToPhoneHours, Returned, Ringing

log = structlog.get_logger("vaxel.handoff")
Event = dict[str, Any]
GONE = ("StasisEnd", "ChannelDestroyed")
OFFER_WAIT_S = 8


class TalkWatch:
    """Owns a queue-connected telephonist leg for the handoff's events, passes the rest on."""

    def __init__(self, stasis: HandoffStasis, queue_owner: Any) -> None:
        self.stasis, self.queue_owner = stasis, queue_owner

    async def handle(self, event: Event) -> None:
        if event.get("type") in ("ChannelDtmfReceived", "ChannelTransfer"):
            await self.stasis.handle(event)
        elif self.queue_owner is not None:
            await self.queue_owner.handle(event)


class HandoffStasis:
    def __init__(self, service: HandoffService) -> None:
        self.s = service
        self.typed: dict[str, str] = {}
        self.refers: set[str] = set()  # telephonists' legs whose REFER we acted on
        self.unconfirmed_refers: set[str] = set()  # accepted, the phone not yet told
        self._key_timers: dict[str, asyncio.TimerHandle] = {}

    def watch_talk(self, talk: Any) -> None:
        s = self.s
        owner = s.router.owner(talk.leg)
        if not isinstance(owner, TalkWatch):
            s.router.claim(talk.leg, TalkWatch(self, owner))
        s.spawn(self._transfer_to_ari(talk.leg))

    async def _transfer_to_ari(self, channel: str) -> None:
        try:
            await self.s.ari.set_variable(channel, "PJSIP_TRANSFER_HANDLING()", "ari-only")
        except AriError as exc:
            log.info("handoff_transfer_handling_not_set", channel=channel, reason=str(exc))

    # --- events --------------------------------------------------------------------------
    async def handle(self, event: Event) -> None:
        s = self.s
        kind = event.get("type")
        if kind == "ChannelTransfer":
            await self.on_transfer(event)
            return
        if kind == "PlaybackFinished":
            await self._played(event)
            return
        if kind in ("RecordingFinished", "RecordingFailed"):
            name = (event.get("recording") or {}).get("name", "")
            live = s.lives.get(name.removeprefix("vaxel-message-"))
            if live is not None:
                await self.recorded(live, name if kind == "RecordingFinished" else None)
            return
        channel_id = (event.get("channel") or {}).get("id", "")
        if kind == "ChannelDtmfReceived":
            await self.on_key(channel_id, event.get("digit", ""))
            return
        live = s.live_of(channel_id)
        if live is None:
            if kind == "StasisStart":
                await s.ari.hangup(channel_id)  # a leg of a handoff that is over
            return
        if kind == "StasisStart":
            if channel_id in live.legs and isinstance(live.state, Ringing):
                device = live.legs.pop(channel_id)
                live.target_channel = channel_id
                await s.feed(live, TargetAnswered(device))
            else:
                await s.ari.hangup(channel_id)
        elif kind in GONE:
            await self._gone(live, channel_id, event)

    async def _gone(self, live: Live, channel: str, event: Event) -> None:
        s = self.s
        if s.by_channel.pop(channel, None) is None:
            return  # already handled (StasisEnd, then ChannelDestroyed)
        if channel in live.legs:
            await s.actions.leg_failed(live, channel, event.get("cause"))
            return
        if channel == live.caller:
            if live.previous_owner is not None and event.get("type") == "StasisEnd":
                try:
                    await live.previous_owner.handle(event)
                except Exception:
                    log.exception("handoff_previous_owner_failed")
            live.playbacks.clear()  # nothing more can be said to a caller who left
            await self._end_connected(live, keep=None)
            await s.feed(live, CallerHungUp())
        elif channel == live.target_channel:
            live.target_channel = None
            if isinstance(live.state, Done):
                await self._end_connected(live, keep=None)
            else:
                await s.feed(live, TargetHungUp())
        elif channel == live.telephonist_channel:
            live.telephonist_channel = None
            if isinstance(live.state, Returned) and live.connected:
                await self._end_connected(live, keep=None)  # the call ended normally
            queues = s.queues
            if queues is not None and not live.freed:
                live.freed = True
                queues.calls.end_handed_over(live.telephonist)
            await s.feed(live, TelephonistHungUp())
        if live.over:
            s.forget(live)

    async def _end_connected(self, live: Live, keep: str | None) -> None:
        """One side of a call we connected hung up: end the call for the other side too."""
        if not live.connected:
            return
        live.connected = False
        for channel in (live.caller, live.target_channel, live.telephonist_channel):
            if channel and channel != keep:
                await self.s.ari.hangup(channel)
        await self.s.ari.destroy_bridge(live.caller_bridge)
        await self.s.ari.destroy_bridge(live.consult_bridge)
        await self.s.persist(live)

    async def _played(self, event: Event) -> None:
        s = self.s
        playback = event.get("playback") or {}
        channel = playback.get("target_uri", "").removeprefix("channel:")
        live = s.live_of(channel) or next(
            (lv for lv in s.lives.values() if playback.get("id") in lv.playbacks), None
        )
        if live is None:
            return
        purpose = live.playbacks.pop(playback.get("id", ""), None)
        if purpose == "whisper":
            await s.feed(live, WhisperDone())
        elif purpose == "final":
            await s.ari.hangup(live.caller)  # its StasisEnd ends the handoff (``_gone``)
        elif purpose == "offer":
            loop = asyncio.get_running_loop()
            loop.call_later(OFFER_WAIT_S, lambda: s.spawn(self._offer_expired(live)))
        elif purpose == "record_prompt":
            await s.actions.record(live)

    async def _offer_expired(self, live: Live) -> None:
        if isinstance(live.state, ReferredToPhoneHours):
            await self.s.ari.hangup(live.caller)

    async def recorded(self, live: Live, recording: str | None) -> None:
        messages = self.s.services.get("handoff_messages")
        if messages is None:
            await self.s.ari.hangup(live.caller)
            return
        reference = await messages.from_handoff(live, recording=recording)
        await self.s.feed(live, MessageRecorded(reference))

    # --- keys ----------------------------------------------------------------------------
    async def on_key(self, channel: str, digit: str) -> None:
        s = self.s
        live = s.live_of(channel)
        if live is not None and channel == live.caller:
            if isinstance(live.state, ReferredToPhoneHours) and digit == "1":
                live.message_mode = "voice"
                await s.feed(live, TakeMessagePressed())
            return
        pressed = keys.press(self.typed.get(channel, ""), digit)
        self.typed[channel] = pressed.typed
        timer = self._key_timers.pop(channel, None)
        if timer is not None:
            timer.cancel()
        if pressed.typed:
            loop = asyncio.get_running_loop()
            timeout = s.config.handoff.digit_timeout_s
            self._key_timers[channel] = loop.call_later(
                timeout, lambda: self.typed.pop(channel, None)
            )
        if pressed.command is not None:
            log.info("handoff_key", channel=channel, action=pressed.command.action.value)
            try:
                await self.command(channel, pressed.command)
            except (DomainError, ValueError) as exc:
                log.info("handoff_key_refused", channel=channel, reason=str(exc))

    async def command(self, channel: str, command: keys.KeyCommand) -> None:
        s = self.s
        action = command.action
        if action in (keys.KeyAction.FOLLOW, keys.KeyAction.ATTENDED):
            mode = Mode.FOLLOW if action is keys.KeyAction.FOLLOW else Mode.ATTENDED
            target = s.targets.target_for(extension=command.extension)
            await s.start(target=target, channel=channel, mode=mode, initiator=Initiator.DTMF)
            return
        live = next((lv for lv in s.lives.values() if lv.telephonist_channel == channel), None)
        if live is None:
            return
        if action is keys.KeyAction.COMPLETE:
            await s.feed(live, AttendedComplete())
        elif action is keys.KeyAction.CANCEL:
            await s.feed(live, AttendedCancel())
        elif action is keys.KeyAction.REFER:
            await s.feed(live, ReferToPhoneHoursPressed())
        elif action is keys.KeyAction.MESSAGE:
            live.message_mode = "voice"
            await s.feed(live, TakeMessagePressed())

    # --- the phone's transfer button -----------------------------------------------------
    async def on_transfer(self, event: Event) -> None:
        s = self.s
        source = ((event.get("referred_by") or {}).get("source_channel") or {}).get("id", "")
        wanted = (event.get("refer_to") or {}).get("requested_destination") or {}
        destination = str(wanted.get("destination") or "")
        user = re.sub(r"^sips?:", "", destination).split("@")[0]
        if source in self.refers:
            return  # the same REFER again, reporting its progress
        self.refers.add(source)
        log.info("handoff_refer", channel=source, destination=destination)
        try:
            target = s.targets.target_for(extension=user)
            await self._progress(source, "channel_progress")
            self.unconfirmed_refers.add(source)
            await s.start(target=target, channel=source, initiator=Initiator.REFER)
        except (DomainError, ValueError) as exc:
            log.info("handoff_refer_refused", channel=source, reason=str(exc))
            self.unconfirmed_refers.discard(source)
            await self._progress(source, "channel_declined")
            return
        await self.confirm_refer(source)  # if the start did not release the leg already

    async def confirm_refer(self, channel: str) -> None:
        """Tell the phone its transfer was taken (NOTIFY 200), while its leg still exists:
        follow mode releases the leg as soon as the caller is on hold."""
        if channel in self.unconfirmed_refers:
            self.unconfirmed_refers.discard(channel)
            await self._progress(channel, "channel_answered")

    async def _progress(self, channel: str, state: str) -> None:
        try:
            await self.s.ari.request(
                "POST", f"/channels/{channel}/transfer_progress", params={"states": state}
            )
        except AriError as exc:
            log.info("handoff_transfer_progress", channel=channel, state=state, reason=str(exc))
