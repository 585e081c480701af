"""What the composition root builds once and hands to every package's ``wire`` function."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import APIRouter
from sqlalchemy.orm import sessionmaker

from vaxel.asterisk.ami import AmiClient
from vaxel.asterisk.ari import AriClient
from vaxel.asterisk.router import Router
from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.ivr.prompts import PromptRenderer
from vaxel.web.auth import AuthService

Hook = Callable[[], Awaitable[None]]


class Bus:
    """In-process publish/subscribe, e.g. presence changes pushed to open web pages."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[asyncio.Queue[Any]]] = defaultdict(list)

    def subscribe(self, topic: str) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=1000)
        self._subscribers[topic].append(queue)
        return queue

    def unsubscribe(self, topic: str, queue: asyncio.Queue[Any]) -> None:
        if queue in self._subscribers.get(topic, []):
            self._subscribers[topic].remove(queue)

    def publish(self, topic: str, message: Any) -> None:
        for queue in list(self._subscribers.get(topic, [])):
            if queue.full():
                queue.get_nowait()  # a slow page loses the oldest update, never blocks calls
            queue.put_nowait(message)


@dataclass
class AppContext:
    config: SiteConfig
    clock: Clock
    sessions: sessionmaker
    calendar: BusinessCalendar
    auth: AuthService
    bus: Bus
    scheduler: AsyncIOScheduler
    renderer: PromptRenderer | None = None
    ari: AriClient | None = None
    ami: AmiClient | None = None
    router: Router | None = None
    # Cross-package ports by name (e.g. "queues" used by the IVR and the handoff).
    services: dict[str, Any] = field(default_factory=dict)
    api_routers: list[APIRouter] = field(default_factory=list)
    page_routers: list[APIRouter] = field(default_factory=list)
    on_connected: list[Hook] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)

    def require_ari(self) -> AriClient:
        if self.ari is None:
            raise RuntimeError("this part needs ARI, which is not connected in this process")
        return self.ari
