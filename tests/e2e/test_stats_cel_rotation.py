"""The privacy job moves Asterisk's CEL file aside while Asterisk runs: Asterisk goes on
writing the next call to a new file, the store has both calls, and `vaxel stats verify`
still finds no difference."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import select

from tests.conftest import run_vaxel, wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import queue_site
from tests.support.sipp import call_in
from vaxel import db
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.stats.paths import cel_path
from vaxel.stats.segments import rotate_cel
from vaxel.stats.store import ContactRecord
from vaxel.stats.wiring import build_parts

SWITCHBOARD = "+46406280400"
BEFORE, AFTER = "0701740771", "0701740772"


def test_cel_rotated_under_a_live_asterisk_loses_no_call(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    config = load_site_config(site)
    cel = cel_path(config)
    sessions = db.make_sessionmaker(db.make_engine(config.database.url))

    def ended(number: str) -> bool:
        with sessions() as s:
            row = s.scalars(select(ContactRecord).where(ContactRecord.caller == number)).first()
            return row is not None and row.ended_at is not None

    controller = ControllerProcess(site, tmp_path)
    segment = None
    try:
        controller.start()
        first = call_in(pbx, SWITCHBOARD, [("pause", 3000)], caller=BEFORE)
        assert first.wait(timeout=30) == 0, first.tail()
        wait_until(lambda: ended(BEFORE), timeout=30, what="the first call stored")
        wait_until(lambda: BEFORE in cel.read_text(errors="replace"), timeout=10,
                   what="the first call in CEL")  # fmt: skip

        ingest = build_parts(build_context(config)).ingest
        segment = rotate_cel(ingest, cel, config.asterisk.app, datetime.now(UTC))
        assert segment is not None and BEFORE in segment.read_text(errors="replace")
        assert not cel.exists() or BEFORE not in cel.read_text(errors="replace")

        second = call_in(pbx, SWITCHBOARD, [("pause", 3000)], caller=AFTER)
        assert second.wait(timeout=30) == 0, second.tail()
        wait_until(lambda: ended(AFTER), timeout=30, what="the second call stored")
        # Asterisk opened a new file at the old name: the call after the move is in it.
        wait_until(lambda: cel.exists() and AFTER in cel.read_text(errors="replace"), timeout=10,
                   what="the second call in the new CEL file")  # fmt: skip
        assert BEFORE not in cel.read_text(errors="replace")

        today = time.strftime("%Y-%m-%d")
        checked = run_vaxel(
            "stats", "verify", "--config", str(site), "--from", today, "--to", today
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "no difference" in checked.stdout
    finally:
        controller.stop()
        if segment is not None:
            segment.unlink(missing_ok=True)  # the sandbox's CEL directory is shared
