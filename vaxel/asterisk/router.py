"""Routes ARI events to the service that owns the channel, with the call bound in the logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import structlog

from vaxel.asterisk.ari import linked_id

log = structlog.get_logger("vaxel.router")

Event = dict[str, Any]


class ChannelOwner(Protocol):
    async def handle(self, event: Event) -> None: ...


StartHandler = Callable[[Event, list[str]], Awaitable[None]]


class Router:
    def __init__(self) -> None:
        self._owners: dict[str, ChannelOwner] = {}
        self._starts: dict[str, StartHandler] = {}
        self._others: list[Callable[[Event], Awaitable[None]]] = []
        self._observers: list[Callable[[Event], None]] = []

    def on_start(self, kind: str, handler: StartHandler) -> None:
        """StasisStart with first app argument ``kind`` (e.g. 'inbound', 'internal', 'leg')."""
        self._starts[kind] = handler

    def on_other(self, handler: Callable[[Event], Awaitable[None]]) -> None:
        """Events not tied to one channel: device states, bridges, endpoint states."""
        self._others.append(handler)

    def observe(self, observer: Callable[[Event], None]) -> None:
        """Sees every event before it is routed; must be cheap and must not raise."""
        self._observers.append(observer)

    def claim(self, channel_id: str, owner: ChannelOwner) -> None:
        self._owners[channel_id] = owner

    def release(self, channel_id: str) -> None:
        self._owners.pop(channel_id, None)

    def owner(self, channel_id: str) -> ChannelOwner | None:
        return self._owners.get(channel_id)

    async def dispatch(self, event: Event) -> None:
        for observer in self._observers:
            observer(event)
        channel = event.get("channel") or {}
        channel_id = channel.get("id") or _playback_channel(event)
        structlog.contextvars.clear_contextvars()
        if channel_id:
            structlog.contextvars.bind_contextvars(
                channel_id=channel_id, linkedid=linked_id(channel) if channel else None
            )
        kind = event.get("type")
        log.debug("ari_event", type=kind)
        if kind == "StasisStart":
            args = event.get("args") or []
            handler = self._starts.get(args[0] if args else "")
            if handler is None:
                log.warning("stasis_start_unrouted", args=args)
                return
            await handler(event, args[1:])
            return
        owner = self._owners.get(channel_id) if channel_id else None
        if owner is not None:
            await owner.handle(event)
            if kind in ("StasisEnd", "ChannelDestroyed") and channel_id:
                self._owners.pop(channel_id, None)
            return
        for other in self._others:
            await other(event)


def _playback_channel(event: Event) -> str | None:
    for key in ("playback", "recording"):
        target = (event.get(key) or {}).get("target_uri", "")
        if target.startswith("channel:"):
            return target.removeprefix("channel:")
    return None
