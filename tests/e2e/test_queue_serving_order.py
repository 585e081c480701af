"""The controller's own queues with real SIP: sipp citizens, sipp softphones, the sandbox PBX."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import QueueView, caller, log_in, queue_site
from tests.support.sipp import answering_phone, phone


def test_longest_waiting_caller_is_answered_first(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    phone_1001 = answering_phone(pbx, "1001", calls=3, hold_ms=1500)
    numbers = ["0701740651", "0701740652", "0701740653"]
    callers = []
    try:
        for count, number in enumerate(numbers, start=1):
            callers.append(caller(pbx, number))
            view.wait_open(count)
        log_in(pbx, view, "1001")
        for sipp in callers:
            assert sipp.wait(timeout=60) == 0, sipp.tail()
        rows = wait_until(
            lambda: (
                all(view.by_number(n) and view.by_number(n).left_at for n in numbers)
                and [view.by_number(n) for n in numbers]
            ),
            what="all three answered",
        )
        assert [r.left_reason for r in rows] == ["answered"] * 3
        assert [r.answered_by for r in rows] == ["t1001"] * 3
        answered_order = sorted(rows, key=lambda r: r.left_at)
        assert [r.caller_number for r in answered_order] == numbers
    finally:
        for sipp in [*callers, phone_1001]:
            sipp.stop()
        controller.stop()


def test_unanswered_ring_moves_to_next_telephonist_and_pauses_the_first(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, ring_timeout_s=5)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    never = phone(pbx, "1001", "never")
    answers = answering_phone(pbx, "1002", calls=1, hold_ms=1500)
    citizen = None
    try:
        log_in(pbx, view, "1001")  # idle longest: rings first
        log_in(pbx, view, "1002")
        citizen = caller(pbx, "0701740654")
        assert citizen.wait(timeout=60) == 0, citizen.tail()
        row = wait_until(lambda: (r := view.by_number("0701740654")) and r.left_at and r,
                         what="the call answered")  # fmt: skip
        assert row.answered_by == "t1002"
        missed = view.telephonist("t1001")
        assert missed is not None and missed.status == "paused"
        assert missed.reason == "missed call" and missed.missed == 1
        assert answers.wait(timeout=20) == 0, answers.tail()
    finally:
        for sipp in [never, answers, citizen]:
            if sipp is not None:
                sipp.stop()
        controller.stop()
