"""The journal spools while the store is down and replays in order, also after a restart."""

from __future__ import annotations

import asyncio

from vaxel.stats.journal import Journal, JournalWriter


class FlakyStore:
    def __init__(self) -> None:
        self.up = False
        self.applied: list[int] = []

    def apply(self, items: list[dict]) -> None:
        if not self.up:
            raise ConnectionError("database is down")
        self.applied.extend(i["n"] for i in items)


async def test_items_written_while_the_store_is_down_are_replayed_in_order(tmp_path):
    store = FlakyStore()
    writer = JournalWriter(Journal(tmp_path, "j"), store.apply, retry_s=0.01, max_retry_s=0.05)
    writer.start()
    for n in range(50):
        writer.submit([{"n": n}])
    await asyncio.sleep(0.1)
    assert store.applied == [] and not writer.db_ok
    store.up = True
    assert await writer.drain(timeout=3)
    writer.submit([{"n": 50}])
    assert await writer.drain(timeout=3)
    assert store.applied == list(range(51))
    await writer.stop()


async def test_a_new_writer_resumes_from_the_checkpoint_after_a_kill(tmp_path):
    store = FlakyStore()
    first = JournalWriter(Journal(tmp_path, "j"), store.apply, retry_s=0.01)
    first.submit([{"n": 1}, {"n": 2}])  # never started: as if killed before writing
    store.up = True
    second = JournalWriter(Journal(tmp_path, "j"), store.apply)
    second.start()
    assert await second.drain(timeout=3)
    assert store.applied == [1, 2]
    await second.stop()


async def test_items_arriving_together_reach_the_store_in_one_transaction(tmp_path):
    batches: list[list[int]] = []
    writer = JournalWriter(
        Journal(tmp_path, "j"), lambda items: batches.append([i["n"] for i in items]),
        gather_s=0.1,
    )  # fmt: skip
    writer.start()
    for n in range(10):
        writer.submit([{"n": n}])
        await asyncio.sleep(0.005)
    assert await writer.drain(timeout=3)
    assert batches == [list(range(10))]
    await writer.stop()
