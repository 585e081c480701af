"""The test harness itself: sipp softphones behave as real ones, and the CLI describes the sandbox."""

from __future__ import annotations

import json
import socket
import threading

import httpx
import pytest

from tests.conftest import run_vaxel, wait_until
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


def answered_and_hung_up(pbx: dict, ari_watch, extension: str, softphone) -> None:  # type: ignore[no-untyped-def]
    """Ring the phone, see it answer, hang up from Asterisk; the phone ends cleanly."""
    channel = originate(pbx, f"PJSIP/{extension}", ari_watch.app)
    ari_watch.wait_for(lambda e: e["type"] == "ChannelStateChange" and e["channel"]["id"] == channel
                       and e["channel"]["state"] == "Up")  # fmt: skip
    httpx.delete(
        f"{pbx['ari_url']}/channels/{channel}", auth=(pbx["ari_user"], pbx["ari_password"])
    )
    assert softphone.wait(timeout=15) == 0, softphone.tail()


def _stray_bye(port: int, call_id: str) -> str:
    """Send a BYE for a dialog nobody has to the phone port; return the answer's status line."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(3)
        me = sock.getsockname()[1]
        sock.sendto(
            (f"BYE sip:1004@127.0.0.1:{port} SIP/2.0\r\n"
             f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{call_id}\r\n"
             "From: <sip:vaxel@127.0.0.1>;tag=a1\r\nTo: <sip:1004@127.0.0.1>;tag=b2\r\n"
             f"Call-ID: {call_id}\r\nCSeq: 7 BYE\r\nMax-Forwards: 70\r\n"
             "Content-Length: 0\r\n\r\n").encode(),
            ("127.0.0.1", port),
        )  # fmt: skip
        try:
            reply = sock.recv(4096).decode()
        except TimeoutError:
            return ""
    assert f"Call-ID: {call_id}" in reply and "CSeq: 7 BYE" in reply
    return reply.splitlines()[0]


def test_a_stray_bye_between_tests_is_answered_and_the_next_phone_still_rings(pbx, ari_watch):
    """Asterisk retransmits a BYE to a phone a test stopped; the next phone on that fixed port
    must not take it for its call (sipp aborts on it and exits)."""
    port = pbx["phones"]["1004"]["listens_on"]
    assert _stray_bye(port, "left-over-1") == "SIP/2.0 481 Call/Transaction Does Not Exist"
    softphone = phone(pbx, "1004", "answer", hold_ms=20000)
    answered_and_hung_up(pbx, ari_watch, "1004", softphone)
    # The phone has gone: the port is guarded again.
    assert wait_until(lambda: _stray_bye(port, "left-over-2"), timeout=5,
                      what="the guard back on the port").startswith("SIP/2.0 481")  # fmt: skip


def test_an_invite_still_retransmitted_gets_a_480_before_a_phone_takes_the_port(pbx, ari_watch):
    """An INVITE to a phone that is not running is left unanswered (as a switched-off phone
    would), but its retransmissions must not reach the next sipp phone as a call of its own."""
    port = pbx["phones"]["1004"]["listens_on"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(3)
        me = sock.getsockname()[1]
        invite = (f"INVITE sip:1004@127.0.0.1:{port} SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bKghost\r\n"
                  "From: <sip:vaxel@127.0.0.1>;tag=a1\r\nTo: <sip:1004@127.0.0.1>\r\n"
                  "Call-ID: ghost-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                  "Content-Length: 0\r\n\r\n")  # fmt: skip
        sock.sendto(invite.encode(), ("127.0.0.1", port))
        with pytest.raises(TimeoutError):
            sock.settimeout(0.5)
            sock.recv(4096)  # unanswered while nobody is there
        sock.settimeout(5)
        replies: list[str] = []

        def ack_the_refusal() -> None:  # as Asterisk does, at once
            reply = sock.recv(4096).decode()
            replies.append(reply)
            to = next(line for line in reply.splitlines() if line.startswith("To:"))
            ack = (invite.replace("INVITE sip", "ACK sip").replace("1 INVITE", "1 ACK")
                   .replace("To: <sip:1004@127.0.0.1>", to))  # fmt: skip
            sock.sendto(ack.encode(), ("127.0.0.1", port))

        acker = threading.Thread(target=ack_the_refusal)
        acker.start()
        softphone = phone(pbx, "1004", "answer", hold_ms=20000)
        acker.join(timeout=5)
    assert replies and replies[0].startswith("SIP/2.0 480") and "Call-ID: ghost-1" in replies[0]
    assert ";tag=" in next(line for line in replies[0].splitlines() if line.startswith("To:"))
    answered_and_hung_up(pbx, ari_watch, "1004", softphone)
