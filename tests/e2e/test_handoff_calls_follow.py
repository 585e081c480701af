"""Follow the call with real SIP: a citizen calls the switchboard, telephonist 1001 answers
from the queue and transfers (in-call keys ``*7<ext>#``); the target answers, or the call
comes back to the same telephonist, or to the head of the queue for another one."""

from __future__ import annotations

import json
import time

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    LENA,
    RING_S,
    answered_return,
    bridged_together,
    caller_channel_destroyed,
    finish,
    first_ring,
    returned_entry,
    start,
    transfer_keys,
)
from tests.support.queue_calls import caller, log_in
from tests.support.sipp import (
    answering_phone,
    phone,
    softphone,
)


def test_followed_call_answered_connects_caller_and_target_and_frees_telephonist(
    pbx, tmp_path, ari_watch
):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740701"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=6000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        # The telephonist is freed at once: Asterisk hangs up their leg after the keys.
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        row = handoffs.wait_state("Done", timeout=30)
        assert json.loads(row.state)["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        person = view.telephonist("t1001")
        assert person is not None and person.status == "available"
        assert target.wait(timeout=30) == 0, target.tail()
        assert citizen.wait(timeout=20) == 0, citizen.tail()  # hung up after the target left
    finally:
        finish(pbx, controller, telephonist, target, citizen)


def test_unanswered_transfer_returns_to_same_telephonist(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740702"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, "never")
    citizen = back = None
    try:
        log_in(pbx, view, "1001")
        began = time.time()  # the sandbox is shared: only rings from now on are ours
        citizen = caller(pbx, number)
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", hold_ms=9000)  # the same phone, ready for the return
        rang = wait_until(lambda: first_ring(ari_watch, f"PJSIP/{LENA}", after=began), 20,
                          what="target ring")  # fmt: skip
        returned = wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=rang), 20,
                              what="the telephonist rung back")  # fmt: skip
        assert returned - rang <= RING_S + 2, returned - rang
        assert back.wait(timeout=30) == 0, back.tail() + controller.log()
        assert bridged_together(ari_watch, number, "PJSIP/1001")
        row = handoffs.latest()
        assert row is not None and row.state_kind in ("Returned", "Done")
        state = json.loads(row.state)
        failure = state.get("failure") or {}
        assert failure.get("outcome", {}).get("v") == "no_answer" or state["$t"] == "Done"
        entry = returned_entry(view, number)
        assert entry is not None and entry.returned_reason == "no_answer"
        assert entry.answered_by == "t1001"
        assert citizen.wait(timeout=20) == 0, citizen.tail()
        # The caller's channel stayed up until the telephonist hung up at the end.
        ended = [e for e in ari_watch.events if e["type"] == "ChannelDestroyed"
                 and e["channel"]["caller"]["number"] == number]  # fmt: skip
        assert ended and all(first_ring(ari_watch, "PJSIP/1001", after=rang) for _ in ended)
    finally:
        finish(pbx, controller, telephonist, target, citizen, back)


def test_busy_telephonist_sends_returned_call_to_head_of_queue(pbx, tmp_path, ari_watch):
    controller, view, _handoffs, _ = start(tmp_path, pbx=pbx)
    first, second = "0701740703", "0701740704"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, "never")
    citizens = []
    busy = other = None
    try:
        log_in(pbx, view, "1001")
        citizens.append(caller(pbx, first))
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        # 1001 is free at once and takes the next caller: busy when the transfer fails.
        busy = answering_phone(pbx, "1001", hold_ms=20000)
        citizens.append(caller(pbx, second))
        wait_until(lambda: (e := view.by_number(second)) and e.answered_by == "t1001",
                   what="1001 busy with the second caller")  # fmt: skip
        other = softphone(pbx, "1002", hold_ms=9000)
        log_in(pbx, view, "1002")
        entry = wait_until(lambda: returned_entry(view, first), timeout=20,
                           what="the first caller back in the queue")  # fmt: skip
        assert entry.returned_reason == "no_answer"
        assert other.wait(timeout=40) == 0, other.tail() + controller.log()
        entry = answered_return(view, first)
        assert entry.answered_by == "t1002"
        assert bridged_together(ari_watch, first, "PJSIP/1002")
        assert not caller_channel_destroyed(ari_watch, first) or citizens[0].wait(5) == 0
    finally:
        finish(pbx, controller, telephonist, target, busy, other, *citizens)
