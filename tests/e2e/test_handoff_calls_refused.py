"""The target refuses or is elsewhere, with real SIP: busy (486) and decline (603) bring the
call back to the same telephonist with the reason whispered; an absent target's forward to
a colleague is followed (and still comes back if the colleague does not answer); a free
colleague in the same unit is suggested when the target fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    ASA,
    LENA,
    LENA_ID,
    answered_return,
    bearer,
    bridged_together,
    caller_channel_destroyed,
    directory_of,
    finish,
    first_ring,
    heard,
    serve_then_transfer,
    start,
    transfer_keys,
)
from tests.support.sipp import phone, softphone
from vaxel.directory.model import Absence, ForwardKind, TargetKind, ValidTarget

MIKAEL = "2015"  # Åsa's colleague in the LSS unit, with a sandbox phone


def failure_of(row) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(row.state).get("failure") or {}


def whisper_with_colleague(text: str, failure: dict) -> str:
    colleague = failure.get("colleague")
    return f"{text}. Ledig kollega: {colleague}" if colleague else text


@pytest.mark.parametrize(
    ("behaviour", "outcome", "whisper"),
    [("busy", "busy", "Upptaget hos Lena Wikström"),
     ("reject", "rejected", "Lena Wikström avböjde samtalet")],
)  # fmt: skip
def test_busy_or_declining_target_returns_the_call_with_the_reason_whispered(
    pbx, tmp_path, ari_watch, behaviour, outcome, whisper
):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740711" if behaviour == "busy" else "0701740712"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, behaviour)
    runs: list = []
    back = None
    try:
        began = serve_then_transfer(pbx, view, controller, number, telephonist, runs)
        back = softphone(pbx, "1001", hold_ms=9000)
        rang = wait_until(lambda: first_ring(ari_watch, f"PJSIP/{LENA}", after=began), 20,
                          what="target ring")  # fmt: skip
        assert target.wait(timeout=20) == 0, target.tail()  # it answered 486/603 and got ACK
        returned = wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=rang), 20,
                              what="the telephonist rung back")  # fmt: skip
        assert returned - rang < 5  # a refusal comes back at once, not after the timeout
        assert not caller_channel_destroyed(ari_watch, number)  # up while it came back
        row = handoffs.wait_state("Returned", "Done", timeout=20)
        failure = failure_of(row)
        assert failure["outcome"]["v"] == outcome
        entry = answered_return(view, number)
        assert entry.returned_reason == outcome and entry.answered_by == "t1001"
        expected = whisper_with_colleague(whisper, failure)
        wait_until(lambda: heard(ari_watch, "PJSIP/1001", expected), 15,
                   what=f"the whisper {expected!r} to 1001")  # fmt: skip
        wait_until(lambda: bridged_together(ari_watch, number, "PJSIP/1001"),
                   what="caller back with 1001")  # fmt: skip
        assert back.wait(timeout=30) == 0, back.tail() + controller.log()
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()  # ended after the telephonist
    finally:
        finish(pbx, controller, telephonist, target, back, *runs)


def forward_absent_lena_to_asa(controller) -> None:  # type: ignore[no-untyped-def]
    store = directory_of(controller)
    now = datetime.now(UTC) - timedelta(days=1)
    store.set_absence(LENA_ID, Absence(now, now + timedelta(days=30), "semester"))
    store.set_forward(LENA_ID, ForwardKind.UNCONDITIONAL,
                      ValidTarget(TargetKind.EXTENSION, ASA))  # fmt: skip


def test_absent_target_forwarded_to_a_colleague_who_answers(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx, prepare=forward_absent_lena_to_asa)
    number = "0701740713"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    colleague = softphone(pbx, ASA, answer_after_ms=500, hold_ms=6000)
    runs: list = []
    try:
        began = serve_then_transfer(pbx, view, controller, number, telephonist, runs)
        row = handoffs.wait_state("Done", timeout=30)
        assert json.loads(row.state)["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{ASA}"),
                   what="caller and the colleague in one bridge")  # fmt: skip
        assert first_ring(ari_watch, f"PJSIP/{LENA}", after=began) is None  # absent: not rung
        assert colleague.wait(timeout=30) == 0, colleague.tail()
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()
    finally:
        finish(pbx, controller, telephonist, colleague, *runs)


def test_forward_to_a_colleague_who_does_not_answer_still_comes_back(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx, prepare=forward_absent_lena_to_asa)
    number = "0701740714"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    colleague = phone(pbx, ASA, "never")
    runs: list = []
    back = None
    try:
        began = serve_then_transfer(pbx, view, controller, number, telephonist, runs)
        # The whisper naming both people and a free colleague takes about 9 s; the call
        # counts as answered once it is over, so the phone must stay on well past it.
        back = softphone(pbx, "1001", hold_ms=20000)
        rang = wait_until(lambda: first_ring(ari_watch, f"PJSIP/{ASA}", after=began), 20,
                          what="the colleague rung")  # fmt: skip
        wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=rang), 20,
                   what="the telephonist rung back")  # fmt: skip
        assert not caller_channel_destroyed(ari_watch, number)
        entry = answered_return(view, number, timeout=20)
        assert entry.returned_reason == "no_answer" and entry.answered_by == "t1001"
        failure = failure_of(handoffs.latest())
        assert failure["target"]["name"] == "Åsa Nyström"
        expected = whisper_with_colleague(
            "Inget svar hos Åsa Nyström, vidarekopplat från Lena Wikström", failure
        )
        wait_until(lambda: heard(ari_watch, "PJSIP/1001", expected), 15,
                   what="the whisper naming both")  # fmt: skip
        assert bridged_together(ari_watch, number, "PJSIP/1001")
        assert back.wait(timeout=30) == 0, back.tail()
    finally:
        finish(pbx, controller, telephonist, colleague, back, *runs)


def test_a_free_colleague_in_the_same_unit_is_suggested_when_the_target_fails(
    pbx, tmp_path, ari_watch
):
    controller, view, handoffs, base = start(tmp_path, pbx=pbx)
    number = "0701740715"
    headers = bearer(controller, base)
    telephonist = softphone(pbx, "1001", transfer_keys(ASA))
    target = phone(pbx, ASA, "busy")
    runs: list = []
    back = None
    try:
        serve_then_transfer(pbx, view, controller, number, telephonist, runs)
        back = softphone(pbx, "1001", hold_ms=12000)
        row = handoffs.wait_state("Returned", timeout=30)
        suggestion = f"Mikael Löfgren, anknytning {MIKAEL}"
        assert failure_of(row)["colleague"] == suggestion
        # The telephonist hears it, and the API shows it on the handoff in progress.
        whisper = f"Upptaget hos Åsa Nyström. Ledig kollega: {suggestion}"
        wait_until(lambda: heard(ari_watch, "PJSIP/1001", whisper), 15,
                   what="the suggestion whispered")  # fmt: skip
        listed = httpx.get(f"{base}/api/v1/handoffs", headers=headers, timeout=10)
        assert listed.status_code == 200, listed.text
        (shown,) = [h for h in listed.json() if h["id"] == row.id]
        assert shown["state"] == "Returned" and shown["reason"] == "busy"
        assert shown["colleague"] == suggestion
        assert back.wait(timeout=30) == 0, back.tail()
    finally:
        finish(pbx, controller, telephonist, target, back, *runs)
