"""The other ways to start a follow-the-call: the API (by person) and the softphone's
transfer button (SIP REFER, handled by the controller with PJSIP_TRANSFER_HANDLING)."""

from __future__ import annotations

import json

import httpx

from tests.conftest import wait_until
from tests.support.handoff_calls import LENA, LENA_ID, bearer, bridged_together, finish, start
from tests.support.queue_calls import caller, log_in
from tests.support.sipp import softphone


def test_api_starts_a_follow_the_call_by_person(pbx, tmp_path, ari_watch):
    controller, view, handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740705"
    headers = bearer(controller, base)
    telephonist = softphone(pbx, "1001", hold_ms=30000)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=6000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        wait_until(lambda: (e := view.by_number(number)) and e.answered_by == "t1001",
                   timeout=30, what="1001 talking to the caller")  # fmt: skip
        reply = httpx.post(f"{base}/api/v1/handoffs", headers=headers, timeout=10,
                           json={"telephonist": "t1001", "person_id": LENA_ID})  # fmt: skip
        assert reply.status_code == 201, reply.text
        assert reply.json()["target"] == "Lena Wikström"
        assert telephonist.wait(timeout=20) == 0, telephonist.tail()  # freed at once
        row = handoffs.wait_state("Done", timeout=30)
        assert json.loads(row.state)["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        refused = httpx.post(f"{base}/api/v1/handoffs", headers=headers, timeout=10,
                             json={"telephonist": "t1001", "extension": LENA})  # fmt: skip
        assert refused.status_code == 409, refused.text  # no call to transfer any more
    finally:
        finish(pbx, controller, telephonist, target, citizen)


def test_transfer_button_refer_starts_a_follow_the_call(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740706"
    telephonist = softphone(pbx, "1001", [("pause", 2500)], refer_to=LENA)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=6000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        # The phone is released (BYE) once the transfer is taken; sipp's REFER dialog may
        # count the NOTIFY that follows the BYE as unexpected, so only the end is asserted.
        telephonist.wait(timeout=40)
        transfer = ari_watch.wait_for(lambda e: e["type"] == "ChannelTransfer", timeout=5,
                                      what="the REFER as an ARI event")  # fmt: skip
        assert transfer["refer_to"]["requested_destination"]["destination"].startswith(LENA)
        row = handoffs.wait_state("Done", timeout=30)
        state = json.loads(row.state)
        assert state["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        log = controller.log_path.read_text()
        assert "handoff_refer" in log
        # Asterisk turns channel_answered into a NOTIFY with a 200 sipfrag; it is sent
        # only while the REFERring leg exists (a 404 from ARI otherwise).
        assert "handoff_transfer_progress" not in log, log[-3000:]
        messages = (telephonist.workdir / "messages.log").read_text(errors="replace")
        notifies = [m for m in messages.split("NOTIFY sip:")[1:] if "message/sipfrag" in m]
        assert any("SIP/2.0 200" in m for m in notifies), messages[-3000:]
    finally:
        finish(pbx, controller, telephonist, target, citizen)
