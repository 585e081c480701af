"""A thin typed ARI client on our own small HTTP client (``http.py``) and websockets.

Chosen over ari-client (spins and freezes the loop when Asterisk restarts), asyncari (no
reconnect, tears down on a slow consumer) and aioari (unmaintained); see ARCHITECTURE.md.
Events for one channel are handled in order; different channels run concurrently.
Asterisk does not replay events missed while disconnected, so every (re)connect calls
``on_connected`` and the services reconcile against live channels and bridges.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import structlog
import websockets
from websockets.exceptions import InvalidStatus

from vaxel.asterisk.http import HttpClient, HttpTransportError, Reply

log = structlog.get_logger("vaxel.ari")

Event = dict[str, Any]
EventHandler = Callable[[Event], Awaitable[None]]


class AriError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AriUnreachable(AriError):
    pass


class AriAuthError(AriError):
    pass


class AriNotFound(AriError):
    """The channel or bridge is gone: usually the caller hung up a moment ago."""


@dataclass(frozen=True)
class AriSettings:
    url: str  # http://127.0.0.1:8088/ari
    username: str
    password: str
    app: str = "vaxel"
    pool_size: int = 30
    request_timeout_s: float = 5.0
    # Event types no handler uses; a handler that needs one must take it off this list.
    ignored_events: tuple[str, ...] = ("ChannelVarset", "ChannelDialplan")


class AriClient:
    def __init__(self, settings: AriSettings) -> None:
        self.settings = settings
        self._http = HttpClient(
            settings.url,
            username=settings.username,
            password=settings.password,
            pool_size=settings.pool_size,
            timeout_s=settings.request_timeout_s,
        )
        self._stopping = asyncio.Event()
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        self.request_latencies: list[float] | None = None  # set to a list to measure

    # --- REST ---------------------------------------------------------------------------
    async def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            reply = await self._http.request(method, path, params=clean, body=body)
        except HttpTransportError as exc:
            raise AriUnreachable(
                f"cannot reach ARI at {self.settings.url}: {_reason(exc)}"
            ) from None
        finally:
            if self.request_latencies is not None:
                self.request_latencies.append(loop.time() - started)
        if reply.status == 401:
            raise AriAuthError(
                f"ARI at {self.settings.url} refused user '{self.settings.username}': "
                "wrong username or password",
                401,
            )
        if reply.status == 404:
            raise AriNotFound(f"{method} {path}: {_detail(reply)}", 404)
        if reply.status >= 400:
            raise AriError(f"{method} {path} -> {reply.status}: {_detail(reply)}", reply.status)
        if not reply.body:
            return None
        return reply.json()

    async def info(self) -> dict[str, Any]:
        return await self.request("GET", "/asterisk/info")

    async def answer(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/answer")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        try:
            await self.request("DELETE", f"/channels/{channel_id}", params={"reason": reason})
        except AriNotFound:
            pass

    async def stored_recording(self, name: str) -> bytes:
        """The audio of a stored recording (``/recordings/stored/{name}/file``)."""
        try:
            reply = await self._http.request("GET", f"/recordings/stored/{name}/file")
        except HttpTransportError as exc:
            raise AriUnreachable(
                f"cannot reach ARI at {self.settings.url}: {_reason(exc)}"
            ) from None
        if reply.status == 404:
            raise AriNotFound(f"recording {name}: {_detail(reply)}", 404)
        if reply.status >= 400:
            raise AriError(f"recording {name} -> {reply.status}", reply.status)
        return reply.body

    async def play(
        self,
        target: str,
        media: str | list[str],
        *,
        playback_id: str | None = None,
        lang: str | None = None,
    ) -> dict[str, Any]:
        """target is 'channels/<id>' or 'bridges/<id>'."""
        media_list = [media] if isinstance(media, str) else media
        path = f"/{target}/play" + (f"/{playback_id}" if playback_id else "")
        return await self.request(
            "POST", path, params={"media": ",".join(media_list), "lang": lang}
        )

    async def stop_playback(self, playback_id: str) -> None:
        try:
            await self.request("DELETE", f"/playbacks/{playback_id}")
        except AriNotFound:
            pass

    async def start_moh(self, target: str, moh_class: str = "default") -> None:
        await self.request("POST", f"/{target}/moh", params={"mohClass": moh_class})

    async def stop_moh(self, target: str) -> None:
        try:
            await self.request("DELETE", f"/{target}/moh")
        except AriNotFound:
            pass

    async def ring(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/ring")

    async def originate(
        self,
        *,
        endpoint: str,
        channel_id: str,
        app_args: str,
        caller_id: str | None = None,
        timeout_s: int = 30,
        variables: dict[str, str] | None = None,
        originator: str | None = None,
    ) -> dict[str, Any]:
        params = {
            "endpoint": endpoint,
            "app": self.settings.app,
            "appArgs": app_args,
            "callerId": caller_id,
            "timeout": timeout_s,
            "originator": originator,
        }
        body = {"variables": variables} if variables else None
        return await self.request("POST", f"/channels/{channel_id}", params=params, body=body)

    async def create_bridge(self, bridge_id: str, kind: str = "mixing", name: str = "") -> dict:
        return await self.request(
            "POST", f"/bridges/{bridge_id}", params={"type": kind, "name": name or bridge_id}
        )

    async def destroy_bridge(self, bridge_id: str) -> None:
        try:
            await self.request("DELETE", f"/bridges/{bridge_id}")
        except AriNotFound:
            pass

    async def add_to_bridge(self, bridge_id: str, channel_id: str, role: str | None = None) -> None:
        await self.request(
            "POST", f"/bridges/{bridge_id}/addChannel", params={"channel": channel_id, "role": role}
        )

    async def remove_from_bridge(self, bridge_id: str, channel_id: str) -> None:
        try:
            await self.request(
                "POST", f"/bridges/{bridge_id}/removeChannel", params={"channel": channel_id}
            )
        except (AriNotFound, AriError) as exc:
            if getattr(exc, "status", None) not in (404, 422):
                raise

    async def set_variable(self, channel_id: str, name: str, value: str) -> None:
        await self.request(
            "POST", f"/channels/{channel_id}/variable", params={"variable": name, "value": value}
        )

    async def channels(self) -> list[dict[str, Any]]:
        return await self.request("GET", "/channels")

    async def bridges(self) -> list[dict[str, Any]]:
        return await self.request("GET", "/bridges")

    async def user_event(self, name: str, variables: dict[str, str]) -> None:
        """A labelled event: reaches AMI as UserEvent and CEL as USER_DEFINED."""
        await self.request(
            "POST",
            f"/events/user/{name}",
            params={"application": self.settings.app},
            body={"variables": variables},
        )

    # --- events -------------------------------------------------------------------------
    def _ws_url(self) -> str:
        parts = urlsplit(self.settings.url.rstrip("/"))
        scheme = "wss" if parts.scheme == "https" else "ws"
        query = f"app={self.settings.app}&subscribeAll=false"
        return urlunsplit((scheme, parts.netloc, parts.path + "/events", query, ""))

    async def run_events(
        self, on_event: EventHandler, on_connected: Callable[[], Awaitable[None]]
    ) -> None:
        """Consume events until ``stop()``; reconnect with capped, jittered backoff."""
        import base64

        token = base64.b64encode(
            f"{self.settings.username}:{self.settings.password}".encode()
        ).decode()
        headers = {"Authorization": f"Basic {token}"}
        delay = 0.1
        while not self._stopping.is_set():
            try:
                async with websockets.connect(
                    self._ws_url(),
                    additional_headers=headers,
                    open_timeout=5,
                    ping_interval=10,
                    max_size=2**22,
                ) as ws:
                    delay = 0.1
                    await self._filter_events()
                    self.connected.set()
                    log.info("ari_connected", url=self.settings.url)
                    await on_connected()
                    stop_wait = asyncio.ensure_future(self._stopping.wait())
                    try:
                        while True:
                            recv = asyncio.ensure_future(ws.recv())
                            done, _ = await asyncio.wait(
                                {recv, stop_wait}, return_when=asyncio.FIRST_COMPLETED
                            )
                            if stop_wait in done:
                                recv.cancel()
                                return
                            self._dispatch(json.loads(recv.result()), on_event)
                    finally:
                        stop_wait.cancel()
            except InvalidStatus as exc:
                if exc.response.status_code == 401:
                    raise AriAuthError(
                        f"ARI at {self.settings.url} refused user '{self.settings.username}': "
                        "wrong username or password",
                        401,
                    ) from None
                log.warning("ari_refused", status=exc.response.status_code, retry_in=delay)
            except (TimeoutError, OSError, websockets.ConnectionClosed) as exc:
                log.warning("ari_disconnected", reason=_reason(exc), retry_in=round(delay, 2))
            self.connected.clear()
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 5.0) * random.uniform(0.8, 1.2)

    async def _filter_events(self) -> None:
        """Ask Asterisk not to send the event types nobody here handles (the app exists
        once its websocket is open). ChannelVarset alone was almost half of all events."""
        if not self.settings.ignored_events:
            return
        body = {"disallowed": [{"type": t} for t in self.settings.ignored_events]}
        try:
            await self.request("PUT", f"/applications/{self.settings.app}/eventFilter", body=body)
        except AriError as exc:
            log.warning("ari_event_filter_refused", reason=str(exc))

    def _dispatch(self, event: Event, on_event: EventHandler) -> None:
        key = event_key(event)
        lock = self._locks.setdefault(key, asyncio.Lock())

        async def handle() -> None:
            async with lock:
                try:
                    await on_event(event)
                except Exception:
                    log.exception("ari_event_failed", event_type=event.get("type"), key=key)
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]

        task = asyncio.create_task(handle())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        self._stopping.set()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)
        await self._http.aclose()


def event_key(event: Event) -> str:
    """Events of one channel share a key so they are handled in arrival order."""
    if "channel" in event and isinstance(event["channel"], dict):
        return "channel:" + event["channel"]["id"]
    if "playback" in event:
        return event["playback"].get("target_uri", "playback")
    if "recording" in event:
        return event["recording"].get("target_uri", "recording")
    if "bridge" in event:
        return "bridge:" + event["bridge"]["id"]
    return event.get("type", "other")


def _detail(reply: Reply) -> str:
    text = reply.body.decode("utf-8", "replace")
    try:
        return str(reply.json().get("message", text))
    except (ValueError, AttributeError):
        return text.strip() or reply.reason


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]


def linked_id(channel: dict[str, Any]) -> str:
    """The id shared by every leg of one citizen call (ari.conf channelvars = CHANNEL(linkedid))."""
    return (channel.get("channelvars") or {}).get("CHANNEL(linkedid)") or channel["id"]
