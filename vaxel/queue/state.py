"""The queue service's bookkeeping beside the model: ordered store writes and per-caller
state (keys, playbacks, timers) that is not part of the queue order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from vaxel.queue.keys import KeyState, Waiting

log = structlog.get_logger("vaxel.queue")


class Persister:
    """Store writes in submission order, off the event loop."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-store")

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))
        future.add_done_callback(_log_failure)
        return future


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("queue_store_write_failed", error=repr(future.exception()))


@dataclass
class Waiter:
    """What the service knows about one waiting caller beyond the model's ``Entry``."""

    keys: KeyState = field(default_factory=Waiting)
    keys_until: datetime | None = None
    playback: str | None = None
    announcer: asyncio.Task[None] | None = None
    closing_until: datetime | None = None
    previous_owner: Any = None
