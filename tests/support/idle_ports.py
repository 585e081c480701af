"""Keep the sandbox's fixed phone ports answered while no sipp phone is on them.

Asterisk retransmits a request for up to 32 s when nobody answers. A BYE sent to a phone a
test has just stopped keeps arriving, and the next test's sipp phone on that fixed port takes
it for a new call, fails it and exits (``-m 1``). A real softphone answers such a request with
481 and rings on; here the guard does it between tests, and hands the port to sipp while a
phone runs. INVITEs are left unanswered, as a switched-off phone leaves them; those still
being retransmitted when a phone takes the port get a 480 first, and their ACK is awaited.
"""

from __future__ import annotations

import contextlib
import queue
import select
import selectors
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IGNORED_METHODS = {"INVITE", "ACK"}
INVITE_RETRANSMITTED_S = 40  # Asterisk's Timer B is 32 s
COPIED_HEADERS = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")


def _head(request: bytes) -> tuple[str, list[str]]:
    """The method ("" for a response) and the header lines of a SIP message."""
    text = request.decode("utf-8", errors="replace")
    head, _, _ = text.partition("\r\n\r\n")
    lines = head.split("\r\n") if "\r\n" in head else head.split("\n")
    method = lines[0].split(" ", 1)[0].upper() if lines and lines[0] else ""
    return ("" if method.startswith("SIP/") else method), lines[1:]


def _response(status: str, headers: list[str]) -> bytes:
    copied = []
    for line in headers:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("to", "t") and ";tag=" not in line:
            line += ";tag=idle-port-guard"  # a final answer to an INVITE carries a To tag
        if name in COPIED_HEADERS:
            copied.append(line)
    return "\r\n".join([status, *copied, "Content-Length: 0", "", ""]).encode()


def answer_to_stray(request: bytes) -> bytes | None:
    """The 481 a request for an unknown dialog gets; None for responses, INVITE and ACK."""
    method, headers = _head(request)
    if not method or method in IGNORED_METHODS:
        return None
    return _response("SIP/2.0 481 Call/Transaction Does Not Exist", headers)


def unavailable(invite: bytes) -> bytes:
    return _response("SIP/2.0 480 Temporarily Unavailable", _head(invite)[1])


def call_id(message: bytes) -> str:
    for line in _head(message)[1]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("call-id", "i"):
            return value.strip()
    return ""


@dataclass
class IdlePortGuard:
    ports: list[int]
    host: str = "127.0.0.1"
    strays: dict[int, int] = field(default_factory=dict)
    _requests: queue.Queue = field(default_factory=queue.Queue)
    _lent: dict[int, subprocess.Popen | _Pending] = field(default_factory=dict)
    _sockets: dict[int, socket.socket] = field(default_factory=dict)
    _invites: dict[int, dict[str, tuple[bytes, tuple[str, int], float]]] = field(
        default_factory=dict
    )
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    # Hold the ports only while this returns True (our turn on the shared sandbox): a
    # guard holding them all session long keeps other test runs' phones off them.
    active: Callable[[], bool] = lambda: True

    def start(self) -> None:
        for port in self.ports if self.active() else ():
            self._bind(port)
        self._thread = threading.Thread(target=self._serve, name="idle-port-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()

    def hand_over(self, port: int, start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
        """Free ``port``, run ``start()`` (which starts the sipp listening there) and take the
        port back when that process ends. Guarded-port changes happen on the guard's thread."""
        if port not in self.ports or self._thread is None:
            return start()
        freed = threading.Event()
        self._requests.put((port, freed))
        if not freed.wait(timeout=5):
            raise RuntimeError(f"the idle-port guard did not free port {port}")
        process = start()
        self._requests.put((port, process))
        return process

    def _bind(self, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((self.host, port))
        except OSError:
            sock.close()  # still in use (a sipp just exiting): try again on the next round
            return
        sock.setblocking(False)
        self._sockets[port] = sock

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        registered: dict[int, socket.socket] = {}
        while not self._stop.is_set():
            self._take_requests()
            for port, process in list(self._lent.items()):
                if process.poll() is not None:
                    del self._lent[port]
            if self.active():
                for port in self.ports:
                    if port not in self._lent and port not in self._sockets:
                        self._bind(port)
            else:
                for sock in self._sockets.values():
                    sock.close()
                self._sockets.clear()
            for port, sock in list(registered.items()):
                if self._sockets.get(port) is not sock:
                    selector.unregister(sock)
                    del registered[port]
            for port, sock in self._sockets.items():
                if port not in registered:
                    selector.register(sock, selectors.EVENT_READ, port)
                    registered[port] = sock
            for key, _ in selector.select(timeout=0.05):
                self._answer(key.data, key.fileobj)  # type: ignore[arg-type]
        selector.close()

    def _take_requests(self) -> None:
        while True:
            try:
                port, what = self._requests.get_nowait()
            except queue.Empty:
                return
            if isinstance(what, threading.Event):
                sock = self._sockets.pop(port, None)
                if sock is not None:
                    self._end_unanswered_invites(port, sock)
                    sock.close()
                self._lent[port] = _PENDING
                what.set()
            else:
                self._lent[port] = what

    def _answer(self, port: int, sock: socket.socket) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while True:
                data, sender = sock.recvfrom(65535)
                self.strays[port] = self.strays.get(port, 0) + 1
                method = _head(data)[0]
                invites = self._invites.setdefault(port, {})
                if method == "INVITE":
                    invites[call_id(data)] = (data, sender, time.monotonic())
                elif method == "ACK":
                    invites.pop(call_id(data), None)
                reply = answer_to_stray(data)
                if reply is not None:
                    sock.sendto(reply, sender)

    def _end_unanswered_invites(self, port: int, sock: socket.socket) -> None:
        """A sipp phone about to take the port would get the INVITE's retransmissions (and
        then the ACK) as calls of its own: answer 480 now and wait for Asterisk's ACK."""
        now = time.monotonic()
        pending = {
            cid: (data, sender)
            for cid, (data, sender, seen) in self._invites.pop(port, {}).items()
            if now - seen < INVITE_RETRANSMITTED_S
        }
        for data, sender in pending.values():
            sock.sendto(unavailable(data), sender)
        deadline = now + 1.0
        while pending and time.monotonic() < deadline:
            if not select.select([sock], [], [], 0.05)[0]:
                continue
            with contextlib.suppress(BlockingIOError, OSError):
                while True:
                    data, sender = sock.recvfrom(65535)
                    method, cid = _head(data)[0], call_id(data)
                    if method == "ACK":
                        pending.pop(cid, None)
                    elif method == "INVITE" and cid in pending:
                        sock.sendto(unavailable(data), sender)  # crossed our 480
                    elif (reply := answer_to_stray(data)) is not None:
                        sock.sendto(reply, sender)


class _Pending:
    """Stands for the sipp being started on a freed port: it has not exited."""

    def poll(self) -> None:
        return None


_PENDING = _Pending()

_guard: IdlePortGuard | None = None


def install(guard: IdlePortGuard | None) -> None:
    global _guard
    _guard = guard


def current() -> IdlePortGuard | None:
    return _guard
