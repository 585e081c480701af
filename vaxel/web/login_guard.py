"""What protects the password check: failure throttling, a bound on concurrent Argon2
checks, and the login form's CSRF token (before there is a session to tie it to).

Throttling counts *failed* logins in a sliding window, per account and per client
address. Once either is over its limit, every attempt is refused without checking the
password (so a correct password does not get in either) until the oldest failure leaves
the window. Counts live in memory: a restart forgets them, which is acceptable for a
single controller process and keeps the store out of the hot path.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import secrets
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from vaxel.clock import Clock


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta


# An account gets 10 tries per 15 minutes: enough for a person who mistypes, far too few to
# guess a password. An address gets more because an office may share one behind NAT.
ACCOUNT_LIMIT = Limit(10, timedelta(minutes=15))
ADDRESS_LIMIT = Limit(50, timedelta(minutes=15))
# Each Argon2 check takes 64 MiB and a core for a moment; more in parallel only queues.
CONCURRENT_CHECKS = 2
CHECK_QUEUE_TIMEOUT_S = 10.0


class FailureWindow:
    """Failed attempts per key in a sliding window; bounded in memory (oldest keys go first)."""

    def __init__(self, limit: Limit, *, max_keys: int = 50_000) -> None:
        self.limit = limit
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.limit.window:
            times.popleft()
        return times

    def retry_after(self, key: str, now: datetime) -> int:
        """Whole seconds until an attempt is allowed again; 0 when it is allowed now."""
        times = self._recent(key, now)
        if len(times) < self.limit.failures:
            return 0
        return max(1, math.ceil((times[0] + self.limit.window - now).total_seconds()))

    def record(self, key: str, now: datetime) -> None:
        times = self._recent(key, now)
        times.append(now)
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)


class Busy(Exception):
    """Too many password checks are waiting; the caller should try again shortly."""


class LoginGuard:
    def __init__(self, *, clock: Clock, account: Limit = ACCOUNT_LIMIT,
                 address: Limit = ADDRESS_LIMIT, concurrent_checks: int = CONCURRENT_CHECKS,
                 queue_timeout_s: float = CHECK_QUEUE_TIMEOUT_S) -> None:  # fmt: skip
        self._clock = clock
        self._accounts = FailureWindow(account)
        self._addresses = FailureWindow(address)
        self._checks = asyncio.Semaphore(concurrent_checks)
        self._queue_timeout_s = queue_timeout_s
        self._refusals_noted: dict[tuple[str, str], datetime] = {}

    @staticmethod
    def _account_key(username: str) -> str:
        return username.strip().casefold()[:200]

    def retry_after(self, username: str, address: str) -> int:
        now = self._clock.now()
        return max(self._accounts.retry_after(self._account_key(username), now),
                   self._addresses.retry_after(address, now))  # fmt: skip

    def failed(self, username: str, address: str) -> None:
        now = self._clock.now()
        self._accounts.record(self._account_key(username), now)
        self._addresses.record(address, now)

    def first_refusal(self, username: str, address: str) -> bool:
        """True once per window and key pair, so the audit log records a throttled burst
        without an attacker being able to fill it with refusals."""
        now, key = self._clock.now(), (self._account_key(username), address)
        last = self._refusals_noted.get(key)
        if last is not None and now - last < self._accounts.limit.window:
            return False
        if len(self._refusals_noted) > 50_000:
            self._refusals_noted.clear()
        self._refusals_noted[key] = now
        return True

    @asynccontextmanager
    async def checking(self) -> AsyncIterator[None]:
        """Hold one of the few password-check slots; Busy if none frees up in time."""
        try:
            async with asyncio.timeout(self._queue_timeout_s):
                await self._checks.acquire()
        except TimeoutError:
            raise Busy from None
        try:
            yield
        finally:
            self._checks.release()


class LoginCsrf:
    """A signed double-submit token: the same value in a cookie and in the form field.

    There is no session before login, so the token is tied to the browser by the cookie
    (SameSite=Strict, HttpOnly) and to this server by the signature, which a cookie set
    from elsewhere cannot carry. The key lives in memory: after a restart an open login
    form is refused once and shown again with a fresh token.
    """

    COOKIE = "vaxel_login_csrf"

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key or secrets.token_bytes(32)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, cookie: str | None, form: str | None) -> bool:
        if not cookie or not form or not hmac.compare_digest(cookie, form):
            return False
        nonce, _, signature = cookie.partition(".")
        return bool(nonce) and hmac.compare_digest(self._sign(nonce), signature)
