"""`vaxel queue status` reads the store; `vaxel queue telephonist` needs the web API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.support.controller import write_site_file
from vaxel import cli, db
from vaxel.config import load_site_config
from vaxel.queue.model import Entry, EntryKind
from vaxel.queue.store import QueueStore
from vaxel.queue.telephonists import Membership, Paused, Telephonist

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_status_lists_waiting_callers_in_order_and_telephonist_states(tmp_path, capsys):
    site = write_site_file(tmp_path)
    url = load_site_config(site).database.url
    db.upgrade(url)
    store = QueueStore(db.make_sessionmaker(db.make_engine(url)))
    first = Entry("e-first", "centre", T0, channel_id="c1", caller_number="0701")
    later = Entry("e-later", "centre", T0 + timedelta(seconds=30), channel_id="c2")
    callback = Entry("e-cb", "bygglov", T0 + timedelta(seconds=10), kind=EntryKind.CALLBACK,
                     caller_number="+46701740605")  # fmt: skip
    gone = Entry("e-gone", "centre", T0 - timedelta(seconds=60), channel_id="c0")
    for entry in (later, first, callback, gone):
        store.save_entry(entry)
    store.leave(gone, at=T0, reason="answered", answered_by="t1001")
    paused = Telephonist("t1002", "PJSIP/1002", (Membership("centre", 0),), Paused("lunch"))
    store.save_telephonist(paused, T0)

    assert cli.main(["queue", "status", "--config", str(site)]) == 0
    out = capsys.readouterr().out
    assert "queue centre: 2 waiting" in out
    assert "queue bygglov: 1 waiting" in out
    assert "e-gone" not in out
    assert out.index("e-first") < out.index("e-later")
    assert re.search(r"1\. wait +\d+:\d\d +e-first", out)
    assert re.search(r"2\. wait +\d+:\d\d +e-later", out)
    assert re.search(r"1\. wait +\d+:\d\d +e-cb +callback", out)
    assert re.search(r"t1002 +paused: lunch", out)
    assert re.search(r"t1001 +logged out \(never logged in\)", out)


def test_telephonist_command_explains_when_the_web_api_is_off(tmp_path, capsys):
    site = write_site_file(tmp_path, extra="[web]\nenabled = false\n")
    code = cli.main(["queue", "telephonist", "login", "t1001", "--config", str(site),
                     "--user", "t1001"])  # fmt: skip
    assert code == 2
    assert "*21" in capsys.readouterr().err
