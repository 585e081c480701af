"""The test harness itself: sipp softphones behave as real ones, and the CLI describes the sandbox."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import run_vaxel
from tests.support.sipp import phone

pytestmark = pytest.mark.usefixtures("sandbox_turn")


def originate(pbx: dict, endpoint: str, app: str) -> str:
    reply = httpx.post(f"{pbx['ari_url']}/channels", params={"endpoint": endpoint, "app": app,
                       "timeout": 15}, auth=(pbx["ari_user"], pbx["ari_password"]))  # fmt: skip
    reply.raise_for_status()
    return reply.json()["id"]


@pytest.mark.parametrize(
    ("behaviour", "cause"),
    [("busy", "17"), ("reject", "21")],
)
def test_softphone_that_refuses_gives_the_sip_cause(pbx, ari_watch, ami_watch, behaviour, cause):
    softphone = phone(pbx, "1003", behaviour)
    channel = originate(pbx, "PJSIP/1003", ari_watch.app)
    destroyed = ari_watch.wait_for(
        lambda e: e["type"] == "ChannelDestroyed" and e["channel"]["id"] == channel
    )
    assert str(destroyed["cause"]) == cause
    hangup = ami_watch.wait_for(
        lambda e: e.get("Event") == "Hangup" and e.get("Uniqueid") == channel
    )
    assert hangup["Cause"] == cause
    assert softphone.wait(timeout=10) == 0, softphone.tail()


def test_softphone_that_answers_after_a_delay_comes_up_after_that_delay(pbx, ari_watch):
    softphone = phone(pbx, "1003", "answer", answer_after_ms=1500, hold_ms=5000)
    channel = originate(pbx, "PJSIP/1003", ari_watch.app)
    ringing = ari_watch.wait_for(lambda e: e["type"] == "ChannelStateChange" and e["channel"]["id"] == channel
                                 and e["channel"]["state"] == "Ringing")  # fmt: skip
    up = ari_watch.wait_for(lambda e: e["type"] == "ChannelStateChange" and e["channel"]["id"] == channel
                            and e["channel"]["state"] == "Up")  # fmt: skip
    from datetime import datetime

    delay = datetime.fromisoformat(up["timestamp"]) - datetime.fromisoformat(ringing["timestamp"])
    assert 1.3 <= delay.total_seconds() <= 3.0
    httpx.delete(
        f"{pbx['ari_url']}/channels/{channel}", auth=(pbx["ari_user"], pbx["ari_password"])
    )
    assert softphone.wait(timeout=10) == 0, softphone.tail()


def test_softphone_that_never_answers_handles_cancel(pbx, ari_watch):
    softphone = phone(pbx, "1003", "never")
    channel = originate(pbx, "PJSIP/1003", ari_watch.app)
    ari_watch.wait_for(lambda e: e["type"] == "ChannelStateChange" and e["channel"]["id"] == channel
                       and e["channel"]["state"] == "Ringing")  # fmt: skip
    httpx.delete(
        f"{pbx['ari_url']}/channels/{channel}", auth=(pbx["ari_user"], pbx["ari_password"])
    )
    assert softphone.wait(timeout=10) == 0, softphone.tail()


def test_pbx_status_tells_how_to_connect(pbx):
    text = run_vaxel("pbx", "status")
    assert text.returncode == 0
    assert pbx["ari_url"] in text.stdout and pbx["trunk"]["password"] in text.stdout
    status = json.loads(run_vaxel("pbx", "status", "--json").stdout)
    assert status["running"] is True
    assert status["sip"] == "127.0.0.1:15060"
    assert status["phones"]["1001"]["listens_on"] == 21001
    assert status["phones"]["1009"]["listens_on"] == "register"
