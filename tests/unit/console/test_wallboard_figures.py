"""The wallboard's figures for today are the statistics' own: for the same stored calls
they equal `vaxel report accessibility --queue <name>` for today, figure by figure."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from tests.conftest import run_vaxel
from tests.support.stats_store import Env, T, started
from vaxel.console.wallboard_service import WallboardService
from vaxel.console.wallboard_store import KioskStore
from vaxel.queue.events import Answered, LeaveReason, QueueEntered, QueueLeft
from vaxel.stats.events import record_of
from vaxel.stats.ingest import label_item

DAY = T.date().isoformat()
# (queue, seconds waited, how the wait ended): answered inside and outside 60 and 120 s,
# abandoned after a long and a very short wait, a callback request.
CALLS = [
    ("centre", 8, LeaveReason.ANSWERED), ("centre", 42, LeaveReason.ANSWERED),
    ("centre", 75, LeaveReason.ANSWERED), ("centre", 140, LeaveReason.ANSWERED),
    ("centre", 35, LeaveReason.ABANDONED), ("centre", 2, LeaveReason.ABANDONED),
    ("centre", 20, LeaveReason.CALLBACK_REQUESTED),
    ("bygglov", 65, LeaveReason.ANSWERED), ("bygglov", 200, LeaveReason.ABANDONED),
]  # fmt: skip


def stored_calls(env: Env) -> None:
    items = []
    for n, (queue, seconds, reason) in enumerate(CALLS):
        cid, start = f"c{n}", T + timedelta(minutes=5 * n)
        items.append(started(cid, at=start, caller=f"07017406{n:02d}"))
        entered = start + timedelta(seconds=5)
        items.append(label_item(record_of(QueueEntered(at=entered, queue=queue, contact_id=cid,
                                                       entry_id=cid, kind="call"))))  # fmt: skip
        left = entered + timedelta(seconds=seconds)
        if reason is LeaveReason.ANSWERED:
            items.append(label_item(record_of(Answered(at=left, queue=queue, contact_id=cid,
                                                       entry_id=cid, telephonist_id="t1001",
                                                       wait_s=seconds))))  # fmt: skip
        items.append(label_item(record_of(QueueLeft(at=left,
                                                    queue=queue, contact_id=cid, entry_id=cid,
                                                    reason=reason))))  # fmt: skip
    env.ingest.apply(items)


@pytest.fixture()
def env(tmp_path, store_url, monkeypatch):
    monkeypatch.setenv("VAXEL_STATS_DIR", str(tmp_path / "journal"))
    made = Env(store_url, tmp_path)
    made.clock.at = T + timedelta(hours=2)  # the same day, after the calls
    stored_calls(made)
    return made


def report_summary(tmp_path, queue: str) -> dict:
    done = run_vaxel("report", "accessibility", "--config", str(tmp_path / "site.toml"),
                     "--from", DAY, "--to", DAY, "--queue", queue, "--format", "json",
                     "--output", str(tmp_path / f"{queue}.json"),
                     env={"VAXEL_STATS_DIR": str(tmp_path / "journal")})  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / f"{queue}.json").read_text())["tables"]["summary"][0]


def test_todays_figures_equal_the_accessibility_report_for_the_same_calls(env, tmp_path):
    service = WallboardService(config=env.config, clock=env.clock, sessions=env.sessions,
                               services={"stats": env.service}, kiosks=KioskStore(env.sessions))  # fmt: skip
    board = asyncio.run(service.current())
    shown = {q.name: q for q in board.queues}
    for queue in ("centre", "bygglov"):
        report = report_summary(tmp_path, queue)
        on_board = shown[queue]
        assert report["answered"] > 0 and report["abandoned"] > 0  # the comparison means something
        assert on_board.answered == report["answered"]
        assert on_board.abandoned == report["abandoned"]
        assert on_board.offered == report["offered"]
        # The board shows shares as per cent, rounded to one decimal; the report's shares.
        for figure, column in (("service_level_60", "sl_60"), ("service_level_120", "sl_120")):
            assert on_board.figures[figure].value == round(report[column] * 100, 1), figure
        assert on_board.figures["asa_s"].value == report["asa"]
    centre = shown["centre"]
    # Known from the calls above, so a wrong filter would show: 2 of the 6 calls that count
    # (the 2-second abandon is a short abandon) were answered within 60 s.
    assert (centre.answered, centre.figures["service_level_60"].value) == (4, 33.3)
