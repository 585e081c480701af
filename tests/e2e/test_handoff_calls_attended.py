"""Attended mode with real SIP (``*8<ext>#``): the telephonist talks to the target while the
caller holds in a bridge of its own; ``*1`` connects caller and target, ``*0`` or the target
hanging up reconnects the caller with the telephonist."""

from __future__ import annotations

import json

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    LENA,
    bridged_together,
    caller_channel_destroyed,
    finish,
    start,
)
from tests.support.queue_calls import caller, log_in
from tests.support.sipp import softphone

CONSULT_PREFIX, HOLD_PREFIX = "vaxel-hoc-", "vaxel-ho-"


def bridge_members(ari_watch, prefix: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Endpoints (or "caller" for a trunk channel) that entered a bridge named ``prefix``..."""
    found: set[str] = set()
    for event in list(ari_watch.events):
        if event["type"] == "ChannelEnteredBridge" and event["bridge"]["id"].startswith(prefix):
            name = event["channel"]["name"]
            found.add("caller" if name.startswith("PJSIP/trunk-") else name.split("-")[0])
    return found


def consult_keys(finish_with: str | None, talk_ms: int = 4000) -> list:
    steps: list = [("pause", 2500), ("dtmf", f"*8{LENA}#"), ("pause", talk_ms)]
    return [*steps, ("dtmf", finish_with)] if finish_with else steps


def consulting_without_the_caller(ari_watch) -> bool:  # type: ignore[no-untyped-def]
    consult = bridge_members(ari_watch, CONSULT_PREFIX)
    return {"PJSIP/1001", f"PJSIP/{LENA}"} <= consult and "caller" not in consult


def consult(pbx, view, ari_watch, number: str, runs: list) -> None:  # type: ignore[no-untyped-def]
    """1001 takes the citizen's call (added to ``runs``) and consults the target."""
    log_in(pbx, view, "1001")
    runs.append(caller(pbx, number))
    wait_until(lambda: consulting_without_the_caller(ari_watch), 30,
               what="telephonist and target talking, the caller apart")  # fmt: skip


def test_attended_complete_connects_caller_and_target(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740721"
    telephonist = softphone(pbx, "1001", consult_keys("*1"))
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=12000)
    runs: list = []
    try:
        consult(pbx, view, ari_watch, number, runs)
        assert "caller" in bridge_members(ari_watch, HOLD_PREFIX)  # on hold meanwhile
        assert not caller_channel_destroyed(ari_watch, number)
        # *1: the telephonist is released (BYE from Asterisk) and the two are connected.
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        row = handoffs.wait_state("Done", timeout=20)
        state = json.loads(row.state)
        assert state["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        assert target.wait(timeout=30) == 0, target.tail()
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()  # ended with the target
    finally:
        finish(pbx, controller, telephonist, target, *runs)


def test_attended_cancel_reconnects_caller_and_telephonist(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740722"
    telephonist = softphone(pbx, "1001", [*consult_keys("*0"), ("pause", 3000)], hold_ms=3000)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=30000)
    runs: list = []
    try:
        consult(pbx, view, ari_watch, number, runs)
        # *0: the target is hung up, and the caller is back with the telephonist.
        assert target.wait(timeout=30) == 0, target.tail() + controller.log()
        row = handoffs.wait_state("Returned", "Done", timeout=20)
        state = json.loads(row.state)
        assert (state.get("failure") or state)["outcome"]["v"] == "cancelled"
        wait_until(lambda: "caller" in bridge_members(ari_watch, HOLD_PREFIX)
                   and bridged_together(ari_watch, number, "PJSIP/1001"),
                   what="the caller back with the telephonist")  # fmt: skip
        assert not caller_channel_destroyed(ari_watch, number)
        assert not bridged_together(ari_watch, number, f"PJSIP/{LENA}")
        # The telephonist ends the call normally; the caller's call ends with it.
        assert telephonist.wait(timeout=30) == 0, telephonist.tail()
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()
        done = handoffs.wait_state("Done", timeout=10)
        assert json.loads(done.state)["outcome"]["v"] == "cancelled"
    finally:
        finish(pbx, controller, telephonist, target, *runs)


def test_attended_target_hanging_up_reconnects_caller_and_telephonist(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740723"
    telephonist = softphone(pbx, "1001", consult_keys(None, talk_ms=9000), hold_ms=3000)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=3000)  # hangs up itself
    runs: list = []
    try:
        consult(pbx, view, ari_watch, number, runs)
        assert target.wait(timeout=30) == 0, target.tail()
        wait_until(lambda: bridged_together(ari_watch, number, "PJSIP/1001"), 15,
                   what="the caller back with the telephonist")  # fmt: skip
        assert not caller_channel_destroyed(ari_watch, number)
        row = handoffs.wait_state("Returned", "Done", timeout=20)
        state = json.loads(row.state)
        assert (state.get("failure") or state)["outcome"]["v"] == "rejected"
        assert telephonist.wait(timeout=30) == 0, telephonist.tail() + controller.log()
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()
    finally:
        finish(pbx, controller, telephonist, target, *runs)
