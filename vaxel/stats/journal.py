"""A write-ahead journal on local disk: every item is appended (and flushed) before the
database sees it, and a writer drains it into the store in order.

While the database is unreachable the journal simply grows (the spool), and the writer
retries with a capped backoff; when the database is back it replays from its checkpoint,
in order. After a crash or a kill the next process resumes from the same checkpoint.
Items are applied idempotently, so replaying a batch that was half-written is harmless.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("vaxel.stats")

Item = dict[str, Any]
BATCH = 2000
ROTATE_BYTES = 8 * 1024 * 1024


class Journal:
    def __init__(self, directory: Path, name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{name}.jsonl"
        self.offset_path = directory / f"{name}.offset"
        self._file = open(self.path, "a", encoding="utf-8")

    def append(self, items: Sequence[Item]) -> None:
        self._file.write("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
        self._file.flush()

    def sync(self) -> None:
        os.fsync(self._file.fileno())

    def offset(self) -> int:
        try:
            return int(self.offset_path.read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def set_offset(self, offset: int) -> None:
        tmp = self.offset_path.with_suffix(".tmp")
        tmp.write_text(str(offset))
        os.replace(tmp, self.offset_path)

    def pending_bytes(self) -> int:
        return self.path.stat().st_size - self.offset()

    def read(self, limit: int = BATCH) -> tuple[list[Item], int]:
        """Up to ``limit`` whole lines after the checkpoint, and the offset after them."""
        offset = self.offset()
        items: list[Item] = []
        with open(self.path, "rb") as f:
            f.seek(offset)
            for line in f:
                if not line.endswith(b"\n"):
                    break  # a line being written; the next read gets it whole
                offset += len(line)
                if line.strip():
                    items.append(json.loads(line))
                if len(items) >= limit:
                    break
        return items, offset

    def maybe_rotate(self) -> None:
        """Start a fresh file once everything in this one is in the store."""
        size = self.path.stat().st_size
        if size >= ROTATE_BYTES and self.offset() == size:
            self._file.close()
            self.path.unlink()
            self.set_offset(0)
            self._file = open(self.path, "a", encoding="utf-8")

    def rotate(self, at: datetime) -> Path | None:
        """Move the file aside as a dated segment (``segments``), but only once the store
        has all of it: a spool still waiting for the database stays where it is."""
        from vaxel.stats.segments import segment_path

        size = self.path.stat().st_size
        if size == 0 or self.offset() != size:
            return None
        self._file.close()
        segment = segment_path(self.path, at)
        os.replace(self.path, segment)
        self.set_offset(0)
        self._file = open(self.path, "a", encoding="utf-8")
        return segment

    def close(self) -> None:
        self._file.close()


class JournalWriter:
    """Drains a journal into ``apply`` (a blocking store call, run in a thread)."""

    def __init__(
        self,
        journal: Journal,
        apply: Callable[[list[Item]], None],
        *,
        retry_s: float = 0.5,
        max_retry_s: float = 5.0,
        gather_s: float = 0.0,
    ) -> None:
        self.journal, self._apply = journal, apply
        self.retry_s, self.max_retry_s = retry_s, max_retry_s
        # Waiting a moment after a wake-up lets items pile up into one store transaction:
        # one per item cost a fifth of the controller's CPU at 10 calls/s.
        self.gather_s = gather_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.applied = 0
        self.db_ok = True

    def submit(self, items: Sequence[Item]) -> None:
        if items:
            self.journal.append(items)
            self._wake.set()

    def start(self) -> None:
        self._wake.set()  # replay whatever an earlier run left behind
        self._task = asyncio.create_task(self._run(), name=f"journal:{self.journal.path.name}")

    async def _run(self) -> None:
        delay = self.retry_s
        while True:
            await self._wake.wait()
            if self.gather_s:
                await asyncio.sleep(self.gather_s)
            self._wake.clear()
            while True:
                items, offset = self.journal.read()
                if not items:
                    if offset != self.journal.offset():
                        self.journal.set_offset(offset)
                    self.journal.maybe_rotate()
                    break
                try:
                    await asyncio.to_thread(self._apply, items)
                except Exception as exc:  # noqa: BLE001 - any store failure means "spool"
                    if self.db_ok:
                        log.warning("stats_store_unavailable_spooling", error=str(exc)[:200],
                                    journal=str(self.journal.path))  # fmt: skip
                    self.db_ok = False
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_retry_s)
                    continue
                if not self.db_ok:
                    log.info("stats_store_back_replaying", journal=str(self.journal.path))
                self.db_ok, delay = True, self.retry_s
                self.journal.set_offset(offset)
                self.applied += len(items)

    async def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything journalled is in the store (tests, shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._wake.set()
        while self.journal.pending_bytes() > 0:
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def stop(self) -> None:
        await self.drain(timeout=8.0)
        if self._task is not None:
            self._task.cancel()
        self.journal.sync()
