"""kill -9 of the controller while the target rings: after the restart the handoff is
reconciled from the store and the live channels, and the caller comes back to the
telephonist; the caller's channel is never dropped."""

from __future__ import annotations

import time

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    LENA,
    bridged_together,
    finish,
    first_ring,
    start,
    transfer_keys,
)
from tests.support.queue_calls import caller, log_in
from tests.support.sipp import phone, softphone


def caller_gone(ari_watch, number: str) -> bool:  # type: ignore[no-untyped-def]
    return any(
        e["type"] == "ChannelDestroyed" and e["channel"]["name"].startswith("PJSIP/trunk-")
        and e["channel"]["caller"]["number"] == number
        for e in ari_watch.events
    )  # fmt: skip


def test_kill_9_while_ringing_returns_caller_to_telephonist_after_restart(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740707"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, "never")
    citizen = back = None
    try:
        log_in(pbx, view, "1001")
        began = time.time()
        citizen = caller(pbx, number)
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        wait_until(lambda: first_ring(ari_watch, f"PJSIP/{LENA}", after=began), 20,
                   what="target ringing")  # fmt: skip
        handoffs.wait_state("Ringing")
        controller.kill9()
        killed_at = time.time()
        back = softphone(pbx, "1001", hold_ms=9000)
        time.sleep(1.0)
        assert not caller_gone(ari_watch, number)  # on hold in its bridge, controller dead
        controller.start()
        rung = wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=killed_at), 30,
                          what="the telephonist rung back after the restart")  # fmt: skip
        assert rung > killed_at
        assert back.wait(timeout=40) == 0, back.tail() + controller.log()
        assert bridged_together(ari_watch, number, "PJSIP/1001")
        row = handoffs.latest()
        assert row is not None and row.state_kind in ("Returned", "Done", "Requeued")
        assert "handoff_reconcile" in controller.log_path.read_text()
    finally:
        finish(pbx, controller, telephonist, target, citizen, back)
