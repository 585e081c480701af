"""AMI behind a small interface of our own, on panoramisk 1.4 (pinned).

panoramisk logs back in by itself after Asterisk restarts; we add a login probe that turns
"unreachable" and "wrong secret" into one clear line, and a hook to backfill after reconnects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import structlog
from panoramisk import Manager

log = structlog.get_logger("vaxel.ami")

AmiEventHandler = Callable[[dict[str, str]], Awaitable[None] | None]


class AmiError(Exception):
    pass


class AmiUnreachable(AmiError):
    pass


class AmiAuthError(AmiError):
    pass


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    secret: str


async def probe_login(settings: AmiSettings, timeout: float = 3.0) -> None:
    """Log in once on a plain socket, so a bad address or secret fails fast and clearly."""
    where = f"{settings.host}:{settings.port}"
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(settings.host, settings.port), timeout
        )
    except (TimeoutError, OSError) as exc:
        raise AmiUnreachable(f"cannot reach AMI at {where}: {exc or 'timed out'}") from None
    try:
        banner = await asyncio.wait_for(reader.readline(), timeout)
        if not banner.startswith(b"Asterisk Call Manager"):
            raise AmiUnreachable(f"{where} does not speak AMI (got {banner[:40]!r})")
        writer.write(
            f"Action: Login\r\nUsername: {settings.username}\r\n"
            f"Secret: {settings.secret}\r\nEvents: off\r\n\r\n".encode()
        )
        await writer.drain()
        reply = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        if b"Response: Success" not in reply:
            raise AmiAuthError(
                f"AMI at {where} refused user '{settings.username}': wrong username or secret"
            )
        writer.write(b"Action: Logoff\r\n\r\n")
        await writer.drain()
    except (TimeoutError, asyncio.IncompleteReadError, OSError) as exc:
        raise AmiUnreachable(f"AMI at {where} did not answer the login: {exc}") from None
    finally:
        writer.close()


class AmiClient:
    def __init__(self, settings: AmiSettings) -> None:
        self.settings = settings
        self.logged_in = asyncio.Event()
        self._on_login: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._manager: Manager | None = None
        self._handlers: list[tuple[str, AmiEventHandler]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def on_event(self, pattern: str, handler: AmiEventHandler) -> None:
        self._handlers.append((pattern, handler))

    def on_login(self, callback: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Runs after every login, including re-logins: the place to backfill."""
        self._on_login.append(callback)

    async def start(self) -> None:
        await probe_login(self.settings)
        loop = asyncio.get_running_loop()

        def logged_in(_manager: Manager) -> None:
            self.logged_in.set()
            log.info("ami_logged_in", host=self.settings.host, port=self.settings.port)
            for callback in self._on_login:
                task = loop.create_task(callback())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

        def disconnected(_manager: Manager, exc: Exception | None) -> None:
            self.logged_in.clear()
            log.warning("ami_disconnected", reason=str(exc) if exc else "closed")

        manager = Manager(
            loop=loop,
            host=self.settings.host,
            port=self.settings.port,
            username=self.settings.username,
            secret=self.settings.secret,
            # CEL arrives as a "call" event, labels as "user" events; the other classes
            # (dialplan: a VarSet and Newexten for every step of every call) only cost CPU.
            events="call,user",
            ping_delay=5,
            ping_interval=5,
            reconnect_timeout=1,
            on_login=logged_in,
            on_disconnect=disconnected,
            log=_QuietLog(),
        )
        for pattern, handler in self._handlers:
            manager.register_event(pattern, _adapt(handler))
        self._manager = manager
        await manager.connect()

    async def action(self, action: dict[str, Any], as_list: bool | None = None) -> Any:
        if self._manager is None:
            raise AmiError("AMI is not started")
        return await self._manager.send_action(action, as_list=as_list)

    async def stop(self) -> None:
        if self._manager is not None:
            self._manager.close()
            # panoramisk schedules a reconnect on close; stop it by dropping the loop's timer.
            self._manager.connect = lambda *a, **k: None  # type: ignore[method-assign]
            self._manager = None


def _adapt(handler: AmiEventHandler) -> Callable[[Manager, Any], Any]:
    async def callback(_manager: Manager, message: Any) -> None:
        try:
            result = handler(dict(message))
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            log.exception("ami_event_failed", event=message.get("Event"))

    return callback


class _QuietLog:
    """panoramisk logs reconnect chatter at error level; route it to structlog at debug."""

    def __getattr__(self, level: str) -> Callable[..., None]:
        def emit(msg: str, *args: object, **_: object) -> None:
            # panoramisk logs every event it reads; formatting them all cost ~3 % of a core.
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                log.debug("panoramisk", message=(msg % args) if args else msg, level=level)

        return emit
