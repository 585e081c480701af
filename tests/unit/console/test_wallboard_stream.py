"""What the wallboard's stream costs: one serialisation per change for every screen, nothing
sent while the board stays the same, the viewer's access checked once per interval, and
today's statistics recomputed only after the statistics stored something new."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.unit.console.wallboard_app import make_app
from vaxel.clock import FixedClock
from vaxel.console import wallboard_service
from vaxel.console.wallboard_service import HEARTBEAT
from vaxel.queue.telephonists import Paused


@pytest.fixture()
def made(tmp_path):
    made = make_app(tmp_path, refresh_s=0.5)
    made.wallboard.clock = FixedClock(made.ctx.clock.now())
    return made


async def allowed() -> bool:
    return True


async def boards_of(streams) -> list[str]:
    async def next_board(stream) -> str:
        while True:
            item = await anext(stream)
            if item.startswith("event: board"):
                return item

    return list(await asyncio.gather(*(next_board(s) for s in streams)))


async def test_ten_screens_share_one_serialisation_per_change(made, monkeypatch):
    serialised = []
    json_dumps = wallboard_service.json_dumps

    def counting(data):
        if isinstance(data, dict) and "queues" in data:
            serialised.append(data)
        return json_dumps(data)

    monkeypatch.setattr(wallboard_service, "json_dumps", counting)
    streams = [made.wallboard.stream(allowed) for _ in range(10)]
    first = await boards_of(streams)
    assert len(set(first)) == 1 and len(serialised) == 1
    made.queues.people["t1001"] = replace(made.queues.people["t1001"], status=Paused("lunch"))
    made.wallboard.clock.advance(seconds=1)
    second = await boards_of(streams)
    assert len(set(second)) == 1 and second[0] != first[0] and len(serialised) == 2
    assert '"lunch"' in second[0]


async def test_an_unchanged_board_is_not_sent_again_only_a_keep_alive(made):
    made.wallboard.heartbeat_s = 1.0
    stream = made.wallboard.stream(allowed)
    assert await anext(stream) == "retry: 2000\n\n"
    assert (await anext(stream)).startswith("event: board")
    assert await anext(stream) == HEARTBEAT  # a second and more: the board stayed the same
    made.queues.people["t1001"] = replace(made.queues.people["t1001"], status=Paused("lunch"))
    made.wallboard.clock.advance(seconds=1)
    changed = await anext(stream)
    assert changed.startswith("event: board") and '"lunch"' in changed


async def test_the_viewers_access_is_checked_once_per_interval_and_still_ends_the_stream(made):
    checks = []
    verdict = True

    async def still_allowed() -> bool:
        checks.append(asyncio.get_running_loop().time())
        return verdict

    made.wallboard.heartbeat_s = 0.5
    made.wallboard.access_recheck_s = 2.0
    stream = made.wallboard.stream(still_allowed)
    items = [await anext(stream) for _ in range(5)]  # retry, board, three keep-alives
    assert items[2:] == [HEARTBEAT] * 3 and len(checks) == 1
    verdict = False
    while (item := await anext(stream)) != "event: revoked\ndata: {}\n\n":
        assert item == HEARTBEAT
    assert len(checks) == 2 and 2.0 <= checks[1] - checks[0] < 3.0
    with pytest.raises(StopAsyncIteration):
        await anext(stream)


async def test_todays_figures_are_recomputed_only_after_the_statistics_stored_calls(made):
    service, stats = made.wallboard, made.ctx.services["stats"]
    computed = []
    figures = service.today_figures

    def counting():
        computed.append(1)
        return figures()

    service.today_figures = counting
    await service.refresh_stats()
    await service.refresh_stats()
    assert len(computed) == 1
    stats.ingest.apply([])
    await service.refresh_stats()
    assert len(computed) == 1
    at = service.clock.now().isoformat()
    stats.ingest.apply([{"type": "chan", "ev": "end", "id": "no-such-call", "at": at}])
    await service.refresh_stats()
    assert len(computed) == 2
    service.clock.advance(days=1)  # a new day starts from its own figures
    await service.refresh_stats()
    assert len(computed) == 3


async def test_with_the_listener_in_another_process_todays_figures_follow_the_clock(
    made, monkeypatch
):
    monkeypatch.setenv("VAXEL_STATS_LISTENER", "external")
    service, computed = made.wallboard, []
    figures = service.today_figures

    def counting():
        computed.append(1)
        return figures()

    service.today_figures = counting
    await service.refresh_stats()
    await service.refresh_stats()
    assert len(computed) == 2  # calls stored elsewhere are not counted here: never skip
