"""The wallboard's live view: today's statistics from the reports, live state from the
queue service, one board per tick shared by every screen, and who may keep watching.

Today's figures per queue are ``StatsService.report`` of the accessibility report for
today filtered on that queue, the very call ``vaxel report accessibility --queue`` makes;
they are recomputed in a worker thread only when the statistics have stored something new
since the last computation (``Ingest.changes``) and ``stats_refresh_s`` has passed, or when
the day changed (with the listener in its own process, ``VAXEL_STATS_LISTENER=external``,
this process cannot see the calls stored, so every ``stats_refresh_s``). Messages overdue use the handoff's own ``is_overdue``.

Every screen gets the same bytes: the board is serialised once per tick, and a stream sends
it only when its content changed (a comment every ``HEARTBEAT_S`` keeps proxies open). A
viewer's session or kiosk token is checked again every ``ACCESS_RECHECK_S``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.console.wallboard import (
    Board,
    Figure,
    Since,
    Today,
    level_of,
    live_queue,
    people_of,
    queue_board,
    today_from_summary,
    track_since,
)
from vaxel.console.wallboard_store import KioskStore
from vaxel.handoff.messages import MessageStatus, is_overdue
from vaxel.handoff.store import MessageRow, message_of
from vaxel.stats.reports import Query

log = structlog.get_logger("vaxel.wallboard")
StillAllowed = Callable[[], Awaitable[bool]]
ACCESS_RECHECK_S = 5.0
HEARTBEAT_S = 15.0
HEARTBEAT = ": keep-alive\n\n"


class WallboardService:
    def __init__(self, *, config: SiteConfig, clock: Clock, sessions: sessionmaker,
                 services: dict[str, Any], kiosks: KioskStore) -> None:  # fmt: skip
        self.config, self.clock, self.sessions = config, clock, sessions
        self.services, self.kiosks = services, kiosks
        self.settings = config.wallboard
        self.labels = {q.name: q.label for q in config.queues}
        self.names = {t.id: t.name for t in config.telephonists}
        self.since: Since = {}
        self.first_seen: dict[str, datetime] = {}
        self._today: dict[str, Today] = {}
        self._overdue: int | None = None
        self._stats_at: float | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._board: tuple[int, Board] | None = None
        self._frame: tuple[int, str, str] | None = None  # (tick, content, SSE event)
        self._stats_seen: tuple[object, int] | None = None  # (day, Ingest.changes) computed
        self.access_recheck_s, self.heartbeat_s = ACCESS_RECHECK_S, HEARTBEAT_S

    def queue_names(self) -> list[str]:
        return list(self.settings.queues) or [q.name for q in self.config.queues]

    # --- statistics (blocking: call from a worker thread) --------------------------------
    def today_figures(self) -> dict[str, Today]:
        stats = self.services["stats"]
        day = self.clock.now().astimezone(stats.calendar.tz).date()
        figures = {}
        for name in self.queue_names():
            report = stats.report(Query("accessibility", day, day, queue=name))
            figures[name] = today_from_summary(report.table("summary").rows[0])
        return figures

    def messages_overdue(self) -> int:
        now = self.clock.now()
        with self.sessions() as session:
            rows = session.scalars(select(MessageRow).where(
                MessageRow.status != MessageStatus.HANDLED.value, MessageRow.deadline <= now))  # fmt: skip
            return sum(1 for row in rows if is_overdue(message_of(row), now))

    def _stats_version(self) -> tuple[object, int] | None:
        """Today's date and how many batches the statistics stored; None: cannot tell."""
        if os.environ.get("VAXEL_STATS_LISTENER", "embedded") != "embedded":
            return None  # the calls are stored by another process: recompute on time alone
        stats = self.services.get("stats")
        changes = getattr(getattr(stats, "ingest", None), "changes", None)
        if stats is None or not isinstance(changes, int):
            return None
        return self.clock.now().astimezone(stats.calendar.tz).date(), changes

    async def refresh_stats(self) -> None:
        try:
            version = self._stats_version()
            if version is None or version != self._stats_seen:
                self._today = await asyncio.to_thread(self.today_figures)
                self._stats_seen = version
            self._overdue = await asyncio.to_thread(self.messages_overdue)
        except Exception:
            log.exception("wallboard_stats_failed")
        finally:
            self._stats_at = asyncio.get_running_loop().time()
            self._board = self._frame = None

    def _stats_due(self) -> bool:
        if self._refreshing is not None and not self._refreshing.done():
            return False
        now = asyncio.get_running_loop().time()
        return self._stats_at is None or now - self._stats_at >= self.settings.stats_refresh_s

    # --- live state -----------------------------------------------------------------------
    def track(self) -> None:
        """Note state changes; the scheduler calls this every second, watched or not."""
        queues = self.services.get("queues")
        if queues is not None and hasattr(queues, "people"):
            now = self.clock.now()
            self.since = track_since(self.since, queues.people.values(), now, self.first_seen)

    def board(self) -> Board:
        """The board as of now; computed once per second however many screens watch."""
        now = self.clock.now()
        tick = int(now.timestamp())
        if self._board is not None and self._board[0] == tick:
            return self._board[1]
        self.track()
        queues: Any = self.services.get("queues")
        live = queues is not None and hasattr(queues, "entries")
        entries = list(queues.entries.values()) if live else []
        people = list(queues.people.values()) if live else []
        boards = [
            queue_board(
                name=name,
                label=self.labels.get(name, name),
                live=live_queue(entries, name, now) if live else None,
                today=self._today.get(name, Today()),
                people=people_of(name, people, self.names, self.since, now),
                settings=self.settings,
            )
            for name in self.queue_names()
        ]
        overdue = Figure(self._overdue, level_of("messages_overdue", self._overdue,
                                                 self.settings.messages_overdue))  # fmt: skip
        board = Board(now, boards, overdue, live)
        self._board = (tick, board)
        return board

    async def current(self) -> Board:
        """The board with today's statistics at most ``stats_refresh_s`` old."""
        if self._stats_at is None:
            # The first screens to connect share one computation.
            if self._refreshing is None or self._refreshing.done():
                self._refreshing = asyncio.create_task(self.refresh_stats())
            await asyncio.shield(self._refreshing)
        elif self._stats_due():
            self._refreshing = asyncio.create_task(self.refresh_stats())
        return self.board()

    async def frame(self) -> tuple[str, str]:
        """(content, event): the board serialised once per tick for every screen; the content
        leaves out the time it was made, so an unchanged board compares equal."""
        board = await self.current()
        tick = int(board.at.timestamp())
        if self._frame is not None and self._frame[0] == tick:
            return self._frame[1], self._frame[2]
        data = board.as_json()
        at = data.pop("at")
        content = json_dumps(data)
        event = 'event: board\ndata: {"at":' + json_dumps(at) + ","
        event += content[1:] + "\n\n"  # content has keys: queues, live, …
        self._frame = (tick, content, event)
        return content, event

    async def stream(self, still_allowed: StillAllowed) -> AsyncIterator[str]:
        """Server-sent events: the board whenever it changed (looked at every ``refresh_s``),
        a comment when nothing was sent for ``heartbeat_s``; ``revoked`` and the end when the
        viewer's kiosk token or session, checked every ``access_recheck_s``, no longer opens
        the wallboard."""
        yield "retry: 2000\n\n"
        loop = asyncio.get_running_loop()
        checked_at: float | None = None
        sent: str | None = None
        sent_at = loop.time()
        while True:
            now = loop.time()
            if checked_at is None or now - checked_at >= self.access_recheck_s:
                if not await still_allowed():
                    yield "event: revoked\ndata: {}\n\n"
                    return
                checked_at = now
            content, event = await self.frame()
            if content != sent:
                sent, sent_at = content, now
                yield event
            elif now - sent_at >= self.heartbeat_s:
                sent_at = now
                yield HEARTBEAT
            await asyncio.sleep(self.settings.refresh_s)


def json_dumps(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
