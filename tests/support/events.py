"""Watch what Asterisk does during a test: every ARI event, through a second, read-only app."""

from __future__ import annotations

import base64
import itertools
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.sync.client import connect

Event = dict[str, Any]
_serial = itertools.count()


def wait_in(
    events: list,
    cond: threading.Condition,
    predicate: Callable,
    timeout: float,
    what: str,
    kind_key: str,
):  # type: ignore[no-untyped-def]
    """The first collected event (old or arriving) that satisfies ``predicate``."""
    deadline = time.monotonic() + timeout
    seen = 0
    with cond:
        while True:
            for event in events[seen:]:
                if predicate(event):
                    return event
            seen = len(events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kinds = [e.get(kind_key) for e in events[-15:]]
                raise AssertionError(f"no {what} within {timeout} s; last events: {kinds}")
            cond.wait(remaining)


class AriWatcher:
    """Subscribes its own app to all event sources; it owns no channel, it only sees."""

    def __init__(self, pbx: dict) -> None:
        token = base64.b64encode(f"{pbx['ari_user']}:{pbx['ari_password']}".encode()).decode()
        base = pbx["ari_url"].replace("http://", "ws://")
        # A name of its own: two watchers with one name replace each other in Asterisk.
        self.app = f"vaxel-test-{os.getpid()}-{next(_serial)}"
        self.url = f"{base}/events?app={self.app}&subscribeAll=true"
        self.headers = {"Authorization": f"Basic {token}"}
        self.events: list[Event] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._connected = threading.Event()

    def start(self) -> None:
        self._thread.start()
        if not self._connected.wait(5):
            raise AssertionError("could not subscribe to ARI events")

    def _run(self) -> None:
        with connect(self.url, additional_headers=self.headers) as ws:
            self._connected.set()
            while not self._stop.is_set():
                try:
                    message = ws.recv(timeout=0.2)
                except TimeoutError:
                    continue
                with self._cond:
                    self.events.append(json.loads(message))
                    self._cond.notify_all()

    def wait_for(
        self, predicate: Callable[[Event], bool], timeout: float = 10.0, what: str = "event"
    ) -> Event:
        return wait_in(self.events, self._cond, predicate, timeout, what, "type")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


class AmiWatcher:
    """Logs in to AMI on a plain socket and collects every event, for assertions."""

    def __init__(self, pbx: dict) -> None:
        self.pbx = pbx
        self.events: list[dict[str, str]] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(5):
            raise AssertionError("could not log in to AMI")

    def _run(self) -> None:
        import socket

        with socket.create_connection(
            (self.pbx["ami_host"], self.pbx["ami_port"]), timeout=5
        ) as sock:
            sock.sendall(
                f"Action: Login\r\nUsername: {self.pbx['ami_user']}\r\n"
                f"Secret: {self.pbx['ami_secret']}\r\nEvents: on\r\n\r\n".encode()
            )
            sock.settimeout(0.2)
            buffer = b""
            while not self._stop.is_set():
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    block, buffer = buffer.split(b"\r\n\r\n", 1)
                    message = dict(
                        line.split(": ", 1)
                        for line in block.decode(errors="replace").split("\r\n")
                        if ": " in line
                    )
                    if message.get("Response") == "Success" and "Message" in message:
                        self._ready.set()
                    if "Event" in message:
                        with self._cond:
                            self.events.append(message)
                            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[dict[str, str]], bool], timeout: float = 10.0,
                 what: str = "AMI event") -> dict[str, str]:  # fmt: skip
        return wait_in(self.events, self._cond, predicate, timeout, what, "Event")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
