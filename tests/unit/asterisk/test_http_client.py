"""The ARI HTTP transport against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable

import pytest

from vaxel.asterisk.http import HttpClient, HttpTransportError

Respond = Callable[[str, dict[str, str], bytes, int], Awaitable[bytes | None]]


class Server:
    """Answers each request with ``respond(request_line, headers, body, n)``; None closes."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/ari"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while line := (await reader.readline()).decode():
                headers = {}
                while (h := (await reader.readline()).decode()) not in ("\r\n", ""):
                    name, _, value = h.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((line.strip(), headers, body))
                reply = await self.respond(line.strip(), headers, body, len(self.requests))
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        finally:
            writer.close()


def ok(body: bytes, extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def client(url: str, timeout_s: float = 2.0) -> HttpClient:
    return HttpClient(url, username="vaxel", password="s3cret", pool_size=4, timeout_s=timeout_s)


async def test_requests_carry_auth_query_and_json_and_reuse_one_connection() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes:
        return ok(json.dumps({"n": n, "echo": body.decode()}).encode())

    async with Server(respond) as server:
        http = client(server.url)
        first = await http.request("POST", "/channels/c1/play", params={"media": "sound:x,y"},
                                   body={"variables": {"A": "1"}})  # fmt: skip
        second = await http.request("GET", "/asterisk/info")
        await http.aclose()
    assert (first.status, first.json()["n"], second.json()["n"]) == (200, 1, 2)
    assert json.loads(first.json()["echo"]) == {"variables": {"A": "1"}}
    line, headers, _ = server.requests[0]
    assert line == "POST /ari/channels/c1/play?media=sound%3Ax%2Cy HTTP/1.1"
    assert headers["authorization"] == "Basic " + base64.b64encode(b"vaxel:s3cret").decode()
    assert headers["content-type"] == "application/json"
    assert server.connections == 1


async def test_chunked_and_error_replies_are_read_whole() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes:
        if n == 1:
            return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2\r\n,3\r\n1\r\n]\r\n0\r\n\r\n"
        return (b'HTTP/1.1 404 Not Found\r\nContent-Length: 33\r\n\r\n'
                b'{"message": "Channel not found"}\n')  # fmt: skip

    async with Server(respond) as server:
        http = client(server.url)
        chunked = await http.request("GET", "/channels")
        missing = await http.request("DELETE", "/channels/gone")
        await http.aclose()
    assert chunked.json() == [1, 2, 3]
    assert (missing.status, missing.reason, missing.json()["message"]) == (
        404,
        "Not Found",
        "Channel not found",
    )
    assert server.connections == 1


async def test_no_content_reply_without_length_does_not_wait_for_a_body() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes:
        return b"HTTP/1.1 204 No Content\r\n\r\n" if n == 1 else ok(b"{}")

    async with Server(respond) as server:
        http = client(server.url, timeout_s=1.0)
        empty = await http.request("POST", "/channels/c1/answer")
        after = await http.request("GET", "/asterisk/ping")
        await http.aclose()
    assert (empty.status, empty.body, after.status) == (204, b"", 200)
    assert server.connections == 1


async def test_a_connection_the_server_closed_while_idle_is_replaced_transparently() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes | None:
        return None if n == 2 else ok(b"{}")  # drops the kept-alive connection

    async with Server(respond) as server:
        http = client(server.url)
        await http.request("GET", "/asterisk/ping")
        again = await http.request("GET", "/asterisk/ping")
        await http.aclose()
    assert again.status == 200
    assert server.connections == 2


async def test_connection_close_is_honoured() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes:
        return ok(b"{}", "Connection: close\r\n")

    async with Server(respond) as server:
        http = client(server.url)
        for _ in range(3):
            assert (await http.request("GET", "/asterisk/ping")).status == 200
        await http.aclose()
    assert server.connections == 3


async def test_a_server_that_does_not_answer_times_out_with_a_clear_error() -> None:
    async def respond(line: str, headers: dict[str, str], body: bytes, n: int) -> bytes:
        await asyncio.sleep(5)
        return ok(b"{}")

    async with Server(respond) as server:
        http = client(server.url, timeout_s=0.2)
        with pytest.raises(HttpTransportError, match=r"no reply .* in 0\.2 s"):
            await http.request("GET", "/asterisk/ping")
        await http.aclose()


async def test_nothing_listening_is_a_transport_error() -> None:
    async with Server(lambda *a: asyncio.sleep(0, ok(b"{}"))) as server:
        url = server.url
    http = client(url)
    with pytest.raises(HttpTransportError, match="cannot connect"):
        await http.request("GET", "/asterisk/ping")
    await http.aclose()
