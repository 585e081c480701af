"""One caller's side of the IVR: play, wait for playbacks, ask for keys.

The service feeds the channel's ARI events in; ``ask`` runs the pure ``dialog`` machine and
carries out its commands. When the caller hangs up, the service cancels the call's task,
so nothing here waits for an event that cannot come.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient
from vaxel.ivr import dialog

log = structlog.get_logger("vaxel.ivr")
Event = dict[str, Any]


class Conversation:
    def __init__(self, ari: AriClient, channel_id: str) -> None:
        self.ari = ari
        self.channel_id = channel_id
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.played: list[str] = []  # media of every playback, for the logs and tests

    def feed(self, event: Event) -> None:
        self.events.put_nowait(event)

    async def play(self, media: list[str]) -> str:
        playback = await self.ari.play(f"channels/{self.channel_id}", media)
        self.played.extend(media)
        return str(playback["id"])

    async def say(self, media: list[str]) -> None:
        """Play and return when it has finished; keys pressed meanwhile are ignored."""
        if not media:
            return
        await self.wait(await self.play(media))

    async def wait(self, playback_id: str) -> None:
        while True:
            event = await self.events.get()
            if _finished(event, playback_id):
                return

    async def ask(self, ask: dialog.Ask, media: list[str]) -> dialog.AskState:
        state, commands = dialog.start(ask)
        loop = asyncio.get_running_loop()
        current: str | None = None
        deadline: float | None = None
        while True:
            for command in commands:
                if isinstance(command, dialog.PlayPrompt):
                    current = await self.play(media)
                elif isinstance(command, dialog.StopPrompt):
                    if current is not None:
                        await self.ari.stop_playback(current)
                    current = None
                elif isinstance(command, dialog.StartTimer):
                    deadline = loop.time() + command.seconds
                elif isinstance(command, dialog.StopTimer):
                    deadline = None
                else:
                    log.info("ivr_answer", answer_given=command.answer is not None,
                             fell_through=command.fell_through, attempt=state.attempt)  # fmt: skip
                    return state
            event = await self._next(deadline)
            answer: dialog.AskEvent | None
            if event is None:
                answer, deadline = dialog.TimedOut(), None
            elif current is not None and _finished(event, current):
                answer, current = dialog.PromptFinished(), None
            elif event.get("type") == "ChannelDtmfReceived":
                answer = dialog.Digit(str(event.get("digit", "")))
            else:
                answer = None  # e.g. a stopped prompt's late PlaybackFinished
            commands = ()
            if answer is not None:
                state, commands = dialog.transition(ask, state, answer)

    async def _next(self, deadline: float | None) -> Event | None:
        if deadline is None:
            return await self.events.get()
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            return await asyncio.wait_for(self.events.get(), timeout=max(0.0, remaining))
        except TimeoutError:
            return None


def _finished(event: Event, playback_id: str) -> bool:
    return (
        event.get("type") == "PlaybackFinished"
        and (event.get("playback") or {}).get("id") == playback_id
    )
