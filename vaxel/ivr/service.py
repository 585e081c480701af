"""Call entry: answer, greet in the first second, menu, then queue, guide or closed flow.

Decisions live in the pure modules (``routing.route``, ``dialog.transition``,
``model.decide``); this module carries them out through ARI and the stores. Each call runs
as one task that reads like the caller's experience; the caller hanging up cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient, AriError, AriNotFound, linked_id
from vaxel.asterisk.router import Router
from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock
from vaxel.config import PublishedNumber, SiteConfig
from vaxel.ivr import dialog
from vaxel.ivr.closed import closed_flow
from vaxel.ivr.conversation import Conversation
from vaxel.ivr.library import PromptLibrary
from vaxel.ivr.model import Override
from vaxel.ivr.routing import Closed, Notice, ToGuide, ToQueue, notices_for, route
from vaxel.ivr.store import IvrStore
from vaxel.numbers import NumberRefused, check_number, normalise
from vaxel.queue.ports import QueueCall, QueuePort
from vaxel.stats.store import CallStore

log = structlog.get_logger("vaxel.ivr")
GUIDE_LEG = "ivr-guide"
# Asterisk ends an unanswered originate itself; this only guards against a lost event.
LEG_GRACE_S = 5


@dataclass
class EntryCall:
    channel_id: str
    call_id: str
    number: PublishedNumber | None
    language: str
    caller_number: str | None
    conversation: Conversation
    task: asyncio.Task[None] | None = None
    leg_id: str | None = None
    leg_events: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    bridge_id: str | None = None
    end_reason: str | None = None


class EntryService:
    def __init__(
        self,
        *,
        config: SiteConfig,
        ari: AriClient,
        router: Router,
        calls: CallStore,
        store: IvrStore,
        prompts: PromptLibrary,
        calendar: BusinessCalendar,
        clock: Clock,
        queues: Callable[[], QueuePort],
    ) -> None:
        self.config, self.ari, self.router = config, ari, router
        self.calls, self.store, self.prompts = calls, store, prompts
        self.calendar, self.clock, self.queues = calendar, clock, queues
        self._calls: dict[str, EntryCall] = {}
        self._legs: dict[str, EntryCall] = {}
        self._reader = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ivr-read")

    # --- ARI events -------------------------------------------------------------------
    async def on_inbound(self, event: dict[str, Any], args: list[str]) -> None:
        channel = event["channel"]
        dialled = args[0] if args else channel.get("dialplan", {}).get("exten", "")
        call = EntryCall(
            channel["id"],
            linked_id(channel),
            self._published(dialled),
            self.config.site.default_language,
            (channel.get("caller") or {}).get("number") or None,
            Conversation(self.ari, channel["id"]),
        )
        self._calls[call.channel_id] = call
        self.router.claim(call.channel_id, self)
        # The call runs in its own task so this channel's later events (keys, playbacks)
        # are not queued behind the whole conversation.
        call.task = asyncio.create_task(self._run(call, dialled, channel.get("creationtime")))

    async def on_guide_start(self, event: dict[str, Any], args: list[str]) -> None:
        call = self._calls.get(args[0]) if args else None
        if call is None or call.leg_id != event["channel"]["id"]:
            await self.ari.hangup(event["channel"]["id"])  # the caller has already gone
            return
        call.leg_events.put_nowait(event)

    async def handle(self, event: dict[str, Any]) -> None:
        channel_id = (event.get("channel") or {}).get("id") or (
            (event.get("playback") or {}).get("target_uri", "").removeprefix("channel:")
        )
        leg_owner = self._legs.get(channel_id)
        if leg_owner is not None:
            if event["type"] in ("StasisEnd", "ChannelDestroyed"):
                self._legs.pop(channel_id, None)
            leg_owner.leg_events.put_nowait(event)
            return
        call = self._calls.get(channel_id)
        if call is None:
            return
        if event["type"] == "StasisEnd":
            await self._ended(call)
        else:
            call.conversation.feed(event)

    # --- one call ---------------------------------------------------------------------
    async def _run(self, call: EntryCall, dialled: str, created: str | None) -> None:
        try:
            await self._converse(call, dialled, created)
        except asyncio.CancelledError:
            raise
        except AriNotFound:
            pass  # hung up between two commands; StasisEnd records it
        except Exception:
            log.exception("entry_failed")
            # Never drop a caller because of our own bug: hold music until someone helps.
            with contextlib.suppress(AriError):
                await self.ari.start_moh(f"channels/{call.channel_id}")

    async def _converse(self, call: EntryCall, dialled: str, created: str | None) -> None:
        now = self.clock.now()
        number = call.number
        if number is None:
            await self.ari.answer(call.channel_id)
            await self._record_start(call, dialled, created)
            await call.conversation.say([self.prompts.sound("unknown_number", call.language)])
            await self._hang_up(call, "unknown_number")
            return
        # Answer and greet before writing to the database: the first second is the caller's.
        # The notices are read while the answer is on its way.
        loop = asyncio.get_running_loop()
        began = loop.time()
        _, (notices, overrides) = await asyncio.gather(
            self.ari.answer(call.channel_id), self._read_store(number, now)
        )
        media = [await self.prompts.notice(n, call.language) for n in notices]
        media.append(self.prompts.sound(number.greeting, call.language))
        greeting = await call.conversation.play(media)
        log.info("call_entered", dialled=dialled, number=number.name, notices=len(notices),
                 greeting_ms=round(1000 * (loop.time() - began)),
                 since_created_ms=_since(created))  # fmt: skip
        await self._record_start(call, dialled, created)
        await call.conversation.wait(greeting)
        await self._update(call, greeting_played_at=self.clock.now())
        where = route(self.config, self.calendar, number, now, overrides)
        if number.language_menu:
            await self._menu(call, open_now=not isinstance(where, Closed))
        if isinstance(where, Closed):
            outcome = await closed_flow(self, call, where, now)
            log.info("closed_flow_done", reason=where.decision.reason.value,
                     callback=outcome.callback_reference is not None)  # fmt: skip
            await self._hang_up(call, "closed")
        elif isinstance(where, ToGuide):
            await self._ring_guide(call, where)
        else:
            await self._enter_queue(call, where)

    async def _menu(self, call: EntryCall, *, open_now: bool) -> None:
        media = [self.prompts.sound("menu_person", call.language)] if open_now else []
        media.append(self.prompts.sound("language_choice", "en"))
        ask = dialog.entry_menu(self.config.ivr.menu_timeout_s, open_now=open_now)
        state = await call.conversation.ask(ask, media)
        choice = dialog.menu_choice(state.answer, call.language)
        if choice.language != call.language:
            call.language = choice.language
            await self._update(call, language=choice.language)
        log.info("menu_done", language=call.language, by_key=choice.by_key,
                 fell_through=state.fell_through)  # fmt: skip

    async def _enter_queue(self, call: EntryCall, target: ToQueue) -> None:
        tags = dict(target.tags)
        # Labelled on the channel too, so CEL and the tests see where and why it queued.
        tag_text = ";".join(f"{k}={v}" for k, v in sorted(tags.items()))
        await self.ari.set_variable(call.channel_id, "VAXEL_QUEUE_TAGS", tag_text)
        await self.queues().enter(
            QueueCall(
                channel_id=call.channel_id,
                call_id=call.call_id,
                queue=target.queue,
                language=call.language,
                caller_number=call.caller_number,
                tags=tags,
                entered_at=self.clock.now(),
            )
        )
        # The queue service now owns the channel; it hands StasisEnd back to its previous
        # owner, so the call stays listed here and its record is closed by ``_ended``.
        log.info("queue_entered", queue=target.queue, tags=tags)

    async def _ring_guide(self, call: EntryCall, target: ToGuide) -> None:
        try:
            mobile = check_number(target.mobile, self.config.number_policy)
        except NumberRefused as refused:
            log.warning("guide_number_refused", office=target.office, reason=str(refused))
            await self._enter_queue(call, target.fallback)
            return
        leg_id = f"{call.channel_id}-guide"
        call.leg_id = leg_id
        self._legs[leg_id] = call
        self.router.claim(leg_id, self)
        try:
            await self.ari.originate(
                endpoint=self.config.ivr.outside_dial.format(number=mobile.e164),
                channel_id=leg_id,
                app_args=f"{GUIDE_LEG},{call.channel_id}",
                caller_id=call.caller_number or (call.number.e164 if call.number else None),
                timeout_s=target.ring_timeout_s,
            )
        except AriError as exc:
            log.warning("guide_originate_failed", office=target.office, error=str(exc))
            self._forget_leg(call)
            await self._enter_queue(call, target.fallback)
            return
        log.info("guide_ringing", office=target.office, timeout_s=target.ring_timeout_s)
        await call.conversation.say([self.prompts.sound("office_connecting", call.language)])
        await self.ari.start_moh(f"channels/{call.channel_id}")
        outcome = await self._leg_outcome(call, target.ring_timeout_s + LEG_GRACE_S)
        if outcome == "answered":
            await self._connect_guide(call, leg_id)
            return
        log.info("guide_not_answered", office=target.office, outcome=outcome)
        await self.ari.hangup(leg_id)
        self._forget_leg(call)
        await self.ari.stop_moh(f"channels/{call.channel_id}")
        await self._enter_queue(call, target.fallback)

    async def _leg_outcome(self, call: EntryCall, timeout_s: float) -> str:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            try:
                event = await asyncio.wait_for(
                    call.leg_events.get(), timeout=max(0.0, deadline - loop.time())
                )
            except TimeoutError:
                return "timeout"
            if event["type"] == "StasisStart":
                return "answered"
            if event["type"] == "ChannelDestroyed":
                return f"ended:{event.get('cause_txt') or event.get('cause')}"

    async def _connect_guide(self, call: EntryCall, leg_id: str) -> None:
        bridge_id = f"vaxel-guide-{call.channel_id}"
        call.bridge_id = bridge_id
        await self.ari.create_bridge(bridge_id, kind="mixing")
        await self.ari.stop_moh(f"channels/{call.channel_id}")
        await self.ari.add_to_bridge(bridge_id, call.channel_id)
        await self.ari.add_to_bridge(bridge_id, leg_id)
        log.info("guide_connected")
        while (await call.leg_events.get())["type"] not in ("StasisEnd", "ChannelDestroyed"):
            pass
        await self._hang_up(call, "answered_by_guide")

    # --- endings and helpers ----------------------------------------------------------
    async def _ended(self, call: EntryCall) -> None:
        self._calls.pop(call.channel_id, None)
        if call.task is not None and not call.task.done():
            call.task.cancel()
        if call.leg_id is not None:
            await self.ari.hangup(call.leg_id)
            self._forget_leg(call)
        if call.bridge_id is not None:
            await self.ari.destroy_bridge(call.bridge_id)
        await self._update(
            call, ended_at=self.clock.now(), end_reason=call.end_reason or "caller_hung_up"
        )
        log.info("call_ended", end_reason=call.end_reason or "caller_hung_up")

    async def _hang_up(self, call: EntryCall, reason: str) -> None:
        call.end_reason = reason
        await self.ari.hangup(call.channel_id)

    def _forget_leg(self, call: EntryCall) -> None:
        if call.leg_id is not None:
            self._legs.pop(call.leg_id, None)
            self.router.release(call.leg_id)
            call.leg_id = None

    async def _read_store(
        self, number: PublishedNumber, now: datetime
    ) -> tuple[list[Notice], dict[str, Override]]:
        try:
            # A reader thread of its own: the shared default pool may be busy with journal
            # writes and prompt rendering, and this read is all that stands before the greeting.
            notices, overrides = await asyncio.get_running_loop().run_in_executor(
                self._reader, lambda: (self.store.active_notices(now), self.store.overrides(now))
            )
        except Exception:
            # A database hiccup must not silence the greeting: go on by the schedule alone.
            log.exception("ivr_store_unavailable")
            return [], {}
        return list(notices_for(notices, number.name, now)), overrides

    async def _record_start(self, call: EntryCall, dialled: str, created: str | None) -> None:
        await asyncio.to_thread(
            self.calls.call_started,
            call_id=call.call_id,
            channel_id=call.channel_id,
            dialled_number=dialled,
            number_name=call.number.name if call.number else None,
            caller_number=call.caller_number,
            started_at=self._parse_time(created),
        )

    async def _update(self, call: EntryCall, **fields: object) -> None:
        try:
            await asyncio.to_thread(self.calls.update, call.call_id, **fields)
        except Exception:
            log.exception("call_record_update_failed", fields=sorted(fields))

    def _published(self, dialled: str) -> PublishedNumber | None:
        try:
            return self.config.number_by_e164(normalise(dialled))
        except NumberRefused:
            return None

    def _parse_time(self, text: str | None) -> datetime:
        return _parse_ari_time(text) or self.clock.now()


def _parse_ari_time(text: str | None) -> datetime | None:
    if text:
        try:
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            pass
    return None


def _since(created: str | None) -> int | None:
    """Milliseconds since Asterisk created the channel (real time, not the injected clock)."""
    at = _parse_ari_time(created)
    return round(1000 * (time.time() - at.timestamp())) if at else None
