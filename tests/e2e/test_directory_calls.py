"""Internal calls through the directory: a forward set on the web page is followed by a
real call, and a closed extension is spoken, not rung."""

from __future__ import annotations

import time

import pytest

from tests.support.sipp import phone
from tests.unit.directory.dir_app import KARIN
from tests.web.directory_live import login_form_client, phone_dials, start_controller


@pytest.fixture()
def live(pbx, tmp_path):
    controller, base = start_controller(tmp_path)
    yield controller, base
    controller.stop()


def test_unconditional_forward_set_on_the_page_is_followed_by_a_real_call(pbx, live, ari_watch):
    controller, base = live
    client, csrf = login_form_client(base, "karin")
    saved = client.post("/my-phone/forward", data={"csrf_token": csrf, "kind": "unconditional",
                                                   "target_kind": "extension", "target": "2006"})  # fmt: skip
    assert saved.status_code in (200, 303) and "Per Åberg" in client.get("/my-phone").text

    karin = phone(pbx, "2005", "answer", hold_ms=8000)
    per = phone(pbx, "2006", "answer", answer_after_ms=200, hold_ms=15000)
    try:
        time.sleep(0.3)
        caller = phone_dials(pbx, "2001", "2005", hold_ms=2000)
        up = ari_watch.wait_for(
            lambda e: e["type"] == "ChannelStateChange" and e["channel"]["state"] == "Up"
            and e["channel"]["name"].startswith("PJSIP/2006-"),
            timeout=15, what="Per's phone answering",
        )  # fmt: skip
        assert up["channel"]["caller"]["number"] == "2001"
        assert caller.wait(timeout=30) == 0, caller.tail() + controller.log()
        # The caller and Per's phone shared one bridge (the softphone scenarios do not all
        # accept Asterisk's connected-line re-INVITE, so the bridge is the evidence).
        bridged: dict[str, set[str]] = {}
        for event in ari_watch.events:
            if event["type"] == "ChannelEnteredBridge":
                name = event["channel"]["name"].split("-")[0]
                bridged.setdefault(event["bridge"]["id"], set()).add(name)
        assert {"PJSIP/2001", "PJSIP/2006"} in bridged.values(), bridged
        assert karin.process.poll() is None  # Karin's phone never rang
        assert not any(
            e["type"] == "ChannelCreated" and e["channel"]["name"].startswith("PJSIP/2005-")
            for e in ari_watch.events
        )
    finally:
        for run in (karin, per):
            run.stop()
    trail = [r.action for r in controller_audit(controller)]
    assert "directory.forward.set" in trail


def test_closed_extension_gets_a_spoken_message_and_no_ringing(pbx, live, ari_watch):
    _controller, base = live
    client, csrf = login_form_client(base, "tove")
    closed = client.put(f"/api/v1/directory/people/{KARIN}/closed", json={"reason": "sjuk"},
                        headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert closed.status_code == 200, closed.text
    caller = phone_dials(pbx, "2001", "2005", hold_ms=20000)
    played = ari_watch.wait_for(
        lambda e: e["type"] == "PlaybackFinished" and "vaxel/sounds" in e["playback"]["media_uri"],
        timeout=20, what="the spoken message",
    )  # fmt: skip
    assert played["playback"]["state"] == "done"
    ari_watch.wait_for(
        lambda e: e["type"] == "ChannelDestroyed"
        and e["channel"]["caller"]["number"] == "2001",
        timeout=10, what="the caller to be hung up",
    )  # fmt: skip
    assert not any(
        e["type"] == "ChannelCreated" and e["channel"]["name"].startswith("PJSIP/2005-")
        for e in ari_watch.events
    )
    caller.stop()


def controller_audit(controller):
    from vaxel import db
    from vaxel.web.auth import AuthService

    sessions = db.make_sessionmaker(db.make_engine(controller.config.database.url))
    return AuthService(sessions=sessions, clock=None).audit_trail("person:")  # type: ignore[arg-type]
