"""The spoken wait estimate rests on persisted handle times, so a restarted controller still
has its basis; and a caller who chose English hears their place in English."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import QueueView, caller, log_in, queue_site, said, stop_all
from tests.support.sipp import answering_phone
from vaxel.ivr.speech import position_announcement
from vaxel.queue.texts import say

CENTRE = "+46406280410"  # the citizen centre's number, with the language menu
ENGLISH = [("pause", 2500), ("dtmf", "1")]


def answered(view: QueueView, numbers: list[str]) -> bool:
    return all(
        (r := view.by_number(n)) is not None and r.left_reason == "answered" for n in numbers
    )


def test_restarted_controller_keeps_the_estimate_basis_and_speaks_english(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    earlier = ["0701740865", "0701740866", "0701740867"]
    runs = [answering_phone(pbx, "1001", calls=3, hold_ms=1500)]
    restarted = None
    try:
        log_in(pbx, view, "1001")
        runs += [caller(pbx, number) for number in earlier]
        wait_until(lambda: answered(view, earlier), timeout=60, what="three calls answered")
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()
        controller.stop()

        restarted = ControllerProcess(site, tmp_path, as_if="2026-11-23T10:20:00+01:00")
        restarted.start()
        runs.append(answering_phone(pbx, "1001", calls=1, hold_ms=40000))
        runs.append(caller(pbx, "0701740871"))  # keeps t1001 busy
        wait_until(lambda: answered(view, ["0701740871"]), timeout=30, what="t1001 busy")
        runs.append(caller(pbx, "0701740872", ENGLISH, dialled=CENTRE))
        row = view.wait_open(1)[0]
        assert row.caller_number == "0701740872" and row.language == "en"
        # Three persisted calls of about two seconds, one telephonist: "about one minute".
        text = position_announcement(1, timedelta(minutes=1), "en")
        text += " " + say("callback_offer", "en")
        assert "about one minute" in text
        wait_until(lambda: said(restarted, text, "en"), timeout=30,
                   what="the English position with the estimate")  # fmt: skip
    finally:
        stop_all(runs, restarted, controller)
