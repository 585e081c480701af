"""Speaking to one channel: render a sentence (cached by content hash), play it, and
optionally wait until it has finished. PlaybackFinished events come in through
``finished``, which the queue's Stasis handler calls; a key pressed during a skippable
playback (a telephonist's whisper) ends the wait at once through ``skip``."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient, AriError
from vaxel.ivr.prompts import PromptRenderer

log = structlog.get_logger("vaxel.queue")


class Media:
    def __init__(self, *, ari: AriClient, renderer: PromptRenderer | None) -> None:
        self.ari, self.renderer = ari, renderer
        self._waiting: dict[str, asyncio.Future[None]] = {}
        self._skippable: dict[str, str] = {}  # channel -> the playback a key may cut short
        self._sounds: dict[tuple[str, str], str] = {}

    async def sound(self, text: str, lang: str) -> str | None:
        """The sound URI for ``text``; rendered once per process and per text."""
        key = (text, lang)
        found = self._sounds.get(key)
        if found is None and self.renderer is not None:
            renderer = self.renderer
            rendered = await asyncio.to_thread(renderer.render, "queue", text, lang)
            found = self._sounds[key] = rendered.sound_uri
        return found

    async def say(
        self,
        channel_id: str,
        text: str,
        lang: str,
        *,
        wait: bool = False,
        timeout: float = 30,
        skippable: bool = False,
    ) -> str | None:
        """Play ``text`` to the channel; returns the playback id, or None if the channel is
        gone or nothing could be rendered. A ``skippable`` wait ends at ``skip``."""
        sound = await self.sound(text, lang)
        if sound is None:
            return None
        playback_id = "vqp-" + uuid.uuid4().hex[:16]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if wait:
            self._waiting[playback_id] = done
            if skippable:
                self._skippable[channel_id] = playback_id
        log.debug("queue_play", channel=channel_id, sound=sound, playback=playback_id)
        try:
            await self.ari.play(f"channels/{channel_id}", sound, playback_id=playback_id)
        except AriError as exc:
            self._waiting.pop(playback_id, None)
            log.info("queue_play_failed", channel=channel_id, reason=str(exc))
            return None
        if wait:
            try:
                await asyncio.wait_for(done, timeout)
            except TimeoutError:
                pass
            finally:
                self._waiting.pop(playback_id, None)
                if self._skippable.get(channel_id) == playback_id:
                    del self._skippable[channel_id]
        return playback_id

    async def skip(self, channel_id: str) -> bool:
        """Cut short the skippable playback the channel is waiting on; False if none."""
        playback_id = self._skippable.pop(channel_id, None)
        if playback_id is None:
            return False
        future = self._waiting.pop(playback_id, None)
        if future is not None and not future.done():
            future.set_result(None)
        try:
            await self.stop(playback_id)
        except AriError:
            pass  # it had just finished
        return True

    def finished(self, event: dict[str, Any]) -> None:
        playback_id = (event.get("playback") or {}).get("id", "")
        future = self._waiting.pop(playback_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def stop(self, playback_id: str | None) -> None:
        if playback_id:
            await self.ari.stop_playback(playback_id)
