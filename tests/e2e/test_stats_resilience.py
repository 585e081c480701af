"""No call lost: the listener is killed mid-traffic and the (throwaway) database is stopped
for 30 s, and afterwards `vaxel stats verify` finds no difference with Asterisk's CEL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from tests.conftest import ROOT, run_vaxel, wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import queue_site
from tests.support.sipp import call_in
from tests.support.throwaway_pg import ThrowawayPostgres
from vaxel import db
from vaxel.stats.store import ContactRecord

SWITCHBOARD = "+46406280400"


def start_listener(site: Path, workdir: Path) -> subprocess.Popen:
    ready = workdir / "listener.ready"
    ready.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaxel.cli", "stats", "listen", "--config", str(site),
         "--ready-file", str(ready)],
        stdout=open(workdir / "listener.log", "ab"), stderr=subprocess.STDOUT, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    wait_until(ready.exists, timeout=20, what="the listener to log in")
    return proc


def test_verify_finds_no_difference_after_a_killed_listener_and_a_database_outage(
    pbx, tmp_path, monkeypatch
):
    pg = ThrowawayPostgres()
    pg.create()
    monkeypatch.setenv("VAXEL_STATS_LISTENER", "external")
    monkeypatch.setenv("VAXEL_STATS_DIR", str(tmp_path / "journal"))
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    site.write_text(
        site.read_text().replace(f'url = "sqlite:///{tmp_path / "vaxel.db"}"', f'url = "{pg.url}"')
    )
    controller = ControllerProcess(site, tmp_path)
    listener = None
    calls = []
    try:
        controller.start()
        listener = start_listener(site, tmp_path)
        callers = [f"07017407{n:02d}" for n in range(12)]
        for i, number in enumerate(callers):
            calls.append(call_in(pbx, SWITCHBOARD, [("pause", 7000)], caller=number))
            time.sleep(1.5)
            if i == 2:
                listener.send_signal(signal.SIGKILL)  # mid-traffic, no goodbye
                listener.wait()
            if i == 4:
                listener = start_listener(site, tmp_path)  # backfills what it missed
            if i == 5:
                pg.stop()  # the database goes away for 30 s while calls go on
                stopped_at = time.monotonic()
        for sipp in calls:
            assert sipp.wait(timeout=60) == 0, sipp.tail()
        time.sleep(max(0.0, 30 - (time.monotonic() - stopped_at)))
        pg.start()
        url = pg.url

        def stored() -> dict[str, ContactRecord]:
            with db.make_sessionmaker(db.make_engine(url))() as s:
                return {c.caller: c for c in s.scalars(select(ContactRecord))}

        wait_until(lambda: set(callers) <= set(stored()) and all(stored()[c].ended_at for c in callers),
                   timeout=90, interval=1, what="every call stored and ended")  # fmt: skip
        today = time.strftime("%Y-%m-%d")
        checked = run_vaxel(
            "stats", "verify", "--config", str(site), "--from", today, "--to", today
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "no difference" in checked.stdout
        assert {stored()[c].header_source for c in callers} == {"label"}
    finally:
        for sipp in calls:
            sipp.stop()
        if listener is not None and listener.poll() is None:
            listener.terminate()
            listener.wait(timeout=10)
        controller.stop()
        pg.destroy()
