"""ARI's REST transport: aiohttp with a keep-alive pool, behind the small interface ari.py uses.

httpx cost about 2.4 ms of CPU per request in the queue benchmark (45 % of the controller's
CPU at 10 calls/s); aiohttp costs about 0.13 ms against the sandbox ARI (bench/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from yarl import URL

# Asterisk closes a keep-alive session after http.conf session_keep_alive (15 s by default):
# drop idle connections before it does, so a request is never sent on a closing one.
IDLE_LIMIT_S = 10.0
# Safe to send again when a kept-alive connection turns out closed before any reply.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})


class HttpTransportError(Exception):
    """The server could not be reached, or the connection broke or timed out."""


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class HttpClient:
    def __init__(
        self, base_url: str, *, username: str, password: str, pool_size: int, timeout_s: float
    ) -> None:
        url = URL(base_url.rstrip("/"))
        if url.scheme != "http" or not url.host:
            raise ValueError(f"ARI URL must be http://host:port/path, not {base_url!r}")
        self.base = str(url)
        self.where = f"{url.host}:{url.port}"
        self.timeout_s = timeout_s
        self.pool_size = pool_size
        self._headers = {
            "Authorization": aiohttp.encode_basic_auth(username, password),
            "Accept": "application/json",
        }
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: aiohttp binds a session to the running event loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.pool_size, keepalive_timeout=IDLE_LIMIT_S)
            self._session = aiohttp.ClientSession(
                connector=connector, headers=self._headers, auto_decompress=False
            )
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Reply:
        query = f"?{urlencode(params)}" if params else ""
        # Encoded here as ARI expects (a comma in a value is %2C), not left to yarl.
        target = URL(self.base + path + query, encoded=True)
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else None
        attempts = 2 if method in IDEMPOTENT else 1
        try:
            async with asyncio.timeout(self.timeout_s):
                for attempt in range(attempts):
                    try:
                        async with self._client().request(
                            method, target, data=data, headers=headers
                        ) as reply:
                            return Reply(reply.status, reply.reason or "", await reply.read())
                    except aiohttp.ServerDisconnectedError as exc:
                        if attempt + 1 == attempts:
                            raise HttpTransportError(f"{self.where}: {exc}") from None
        except TimeoutError:
            raise HttpTransportError(f"no reply from {self.where} in {self.timeout_s} s") from None
        except aiohttp.ClientConnectorError as exc:
            reason = exc.os_error.strerror or str(exc.os_error)
            raise HttpTransportError(f"cannot connect to {self.where}: {reason}") from None
        except aiohttp.ClientError as exc:
            raise HttpTransportError(f"{self.where}: {exc!r}") from None
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
