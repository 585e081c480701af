"""Missed rings with real SIP: the auto-pause never leaves a queue without anyone to answer."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.support.queue_calls import (
    caller,
    log_in,
    start_queue_controller,
    stop_all,
    wait_answered,
)
from tests.support.sipp import answering_phone, phone


def test_last_telephonist_who_misses_a_ring_is_not_paused_and_is_rung_again(pbx, tmp_path):
    controller, view = start_queue_controller(tmp_path, wrapup_s=0, ring_timeout_s=5)
    misses = phone(pbx, "1001", "never")
    answers = citizen = None
    try:
        log_in(pbx, view, "1001")  # the only telephonist logged in
        citizen = caller(pbx, "0701740655")
        assert misses.wait(timeout=30) == 0, misses.tail()  # rang 5 s, then cancelled
        kept = wait_until(lambda: (t := view.telephonist("t1001")) and t.missed == 1 and t,
                          what="the missed ring recorded")  # fmt: skip
        assert kept.status != "paused", kept.reason
        # Asterisk retransmits the next INVITE until this phone listens on the port again.
        answers = answering_phone(pbx, "1001", calls=1, hold_ms=1500)
        assert citizen.wait(timeout=60) == 0, citizen.tail()
        row = wait_answered(view, "0701740655")
        assert (row.left_reason, row.answered_by) == ("answered", "t1001")
        assert answers.wait(timeout=20) == 0, answers.tail()
    finally:
        stop_all([misses, answers, citizen], controller)
