"""Call entry: answer, greet in the first second, record the call, hand it on.

Decisions (which number, open or closed, which language) live in ivr/model.py; this
module only carries them out through ARI and the store.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import structlog

from vaxel.asterisk.ari import AriClient, AriNotFound
from vaxel.asterisk.router import Router
from vaxel.clock import Clock
from vaxel.config import PublishedNumber, SiteConfig
from vaxel.numbers import NumberRefused, normalise
from vaxel.stats.store import CallStore

log = structlog.get_logger("vaxel.ivr")


class PromptSource(Protocol):
    def sound(self, name: str, lang: str) -> str: ...


@dataclass
class EntryCall:
    channel_id: str
    call_id: str
    number: PublishedNumber | None
    language: str
    playbacks: dict[str, str] = field(default_factory=dict)  # playback id -> purpose


class EntryService:
    def __init__(
        self,
        *,
        config: SiteConfig,
        ari: AriClient,
        router: Router,
        calls: CallStore,
        prompts: PromptSource,
        clock: Clock,
    ) -> None:
        self.config, self.ari, self.router = config, ari, router
        self.calls, self.prompts, self.clock = calls, prompts, clock
        self._calls: dict[str, EntryCall] = {}

    async def on_inbound(self, event: dict[str, Any], args: list[str]) -> None:
        channel = event["channel"]
        dialled = args[0] if args else channel.get("dialplan", {}).get("exten", "")
        number = self._published(dialled)
        call = EntryCall(
            channel["id"],
            channel.get("linkedid") or channel["id"],
            number,
            self.config.site.default_language,
        )
        self._calls[call.channel_id] = call
        self.router.claim(call.channel_id, self)
        # Answer and greet before touching the database: the first second is the caller's.
        await self.ari.answer(call.channel_id)
        prompt = "greeting" if number else "unknown_number"
        await self._play(call, prompt, purpose=prompt)
        await asyncio.to_thread(
            self.calls.call_started,
            call_id=call.call_id,
            channel_id=call.channel_id,
            dialled_number=dialled,
            number_name=number.name if number else None,
            caller_number=(channel.get("caller") or {}).get("number") or None,
            started_at=self._parse_time(channel.get("creationtime")),
        )
        log.info("call_entered", dialled=dialled, number=number.name if number else None)

    async def handle(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        channel_id = (event.get("channel") or {}).get("id") or event.get("playback", {}).get(
            "target_uri", ""
        ).removeprefix("channel:")
        call = self._calls.get(channel_id)
        if call is None:
            return
        if kind == "PlaybackFinished":
            purpose = call.playbacks.pop(event["playback"]["id"], None)
            await self._after_playback(call, purpose)
        elif kind == "StasisEnd":
            self._calls.pop(channel_id, None)
            await asyncio.to_thread(
                self.calls.update,
                call.call_id,
                ended_at=self.clock.now(),
                end_reason="caller_hung_up",
            )
            log.info("call_ended")

    async def _after_playback(self, call: EntryCall, purpose: str | None) -> None:
        if purpose == "greeting":
            await asyncio.to_thread(
                self.calls.update, call.call_id, greeting_played_at=self.clock.now()
            )
            await self._safe(self.ari.start_moh(f"channels/{call.channel_id}"))
        elif purpose == "unknown_number":
            await asyncio.to_thread(
                self.calls.update,
                call.call_id,
                ended_at=self.clock.now(),
                end_reason="unknown_number",
            )
            await self.ari.hangup(call.channel_id)

    async def _play(self, call: EntryCall, prompt: str, purpose: str) -> None:
        sound = self.prompts.sound(prompt, call.language)
        playback = await self._safe(self.ari.play(f"channels/{call.channel_id}", sound))
        if playback:
            call.playbacks[playback["id"]] = purpose

    def _published(self, dialled: str) -> PublishedNumber | None:
        try:
            return self.config.number_by_e164(normalise(dialled))
        except NumberRefused:
            return None

    def _parse_time(self, text: str | None) -> datetime:
        if text:
            try:
                return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
            except ValueError:
                pass
        return self.clock.now()

    async def _safe(self, coro):  # type: ignore[no-untyped-def]
        try:
            return await coro
        except AriNotFound:
            return None  # the caller hung up in between; StasisEnd records it
