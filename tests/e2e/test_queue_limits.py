"""A queue's limits with real SIP: a full queue tells the caller and sends them to the
configured destination; with nobody logged in the caller is told so and sent on, or told
when to call again."""

from __future__ import annotations

import time

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import QueueView, caller, labels_named, queue_site, said, stop_all
from vaxel.queue.texts import say


def test_full_queue_tells_the_caller_and_sends_them_to_the_configured_queue(pbx, tmp_path):
    site = queue_site(
        tmp_path, when_nobody_logged_in="admit", max_length=1, when_full="queue:bygglov",
        queues={"bygglov": {"when_nobody_logged_in": "admit"}},
    )  # fmt: skip
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    first = caller(pbx, "0701740881")
    second = None
    try:
        view.wait_open(1)
        second = caller(pbx, "0701740882")
        moved = wait_until(lambda: view.by_number("0701740882"), timeout=30,
                           what="the second caller queued elsewhere")  # fmt: skip
        assert moved.queue == "bygglov" and moved.left_at is None
        assert said(controller, say("full_moving"))
        assert view.by_number("0701740881").queue == "centre"
        assert second.process.poll() is None and first.process.poll() is None  # both on
    finally:
        stop_all([first, second], controller)


def test_nobody_logged_in_is_told_and_hung_up_without_queueing(pbx, tmp_path):
    site = queue_site(tmp_path, when_nobody_logged_in="closed")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    started = time.monotonic()
    citizen = caller(pbx, "0701740883")
    try:
        assert citizen.wait(timeout=40) == 0, citizen.tail()  # told, then hung up by us
        # Greeting and sentence take under 15 s; hanging up waits for neither timeout.
        assert time.monotonic() - started < 20
        assert said(controller, say("nobody"))
        assert view.by_number("0701740883") is None  # never queued
        refused = wait_until(lambda: labels_named(controller, "QueueRefused"),
                             what="the refusal labelled")  # fmt: skip
        assert refused[0]["reason"] == "nobody_logged_in" and refused[0]["queue"] == "centre"
    finally:
        citizen.stop()
        controller.stop()


def test_nobody_logged_in_sends_the_caller_on_to_the_configured_queue(pbx, tmp_path):
    site = queue_site(tmp_path, when_nobody_logged_in="queue:bygglov",
                      queues={"bygglov": {"when_nobody_logged_in": "admit"}})  # fmt: skip
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    citizen = caller(pbx, "0701740884")
    try:
        moved = wait_until(lambda: view.by_number("0701740884"), timeout=30,
                           what="the caller queued in bygglov")  # fmt: skip
        assert moved.queue == "bygglov" and moved.left_at is None
        assert said(controller, say("nobody_moving"))
        assert citizen.process.poll() is None  # still connected, waiting
        refused = labels_named(controller, "QueueRefused")
        assert [(r["queue"], r["reason"]) for r in refused] == [("centre", "nobody_logged_in")]
    finally:
        stop_all([citizen], controller)
