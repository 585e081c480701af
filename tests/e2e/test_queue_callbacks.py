"""Callback attempts with real SIP: a citizen who does not answer is called again after the
configured delay, up to the maximum attempts, and never more callback calls are placed at
once than there are free telephonists."""

from __future__ import annotations

import time

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.events import AriWatcher
from tests.support.queue_calls import (
    CALLBACK_ON_OWN_NUMBER,
    QueueView,
    caller,
    labels_named,
    log_in,
    queue_site,
    stop_all,
)
from tests.support.sipp import answering_phone, outside_phone

RETRY_S = 10
RING_S = 10


def callback_site(tmp_path, attempts: int):  # type: ignore[no-untyped-def]
    return queue_site(
        tmp_path, wrapup_s=0, when_nobody_logged_in="admit", callback_max_attempts=attempts,
        callback_retry_delay_s=RETRY_S, callback_ring_s=RING_S,
    )  # fmt: skip


def request_callbacks(pbx, view: QueueView, numbers: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Each caller asks for a callback on their own number and is hung up by us."""
    runs = [caller(pbx, number, CALLBACK_ON_OWN_NUMBER) for number in numbers]
    for run in runs:
        assert run.wait(timeout=40) == 0, run.tail()
    for number in numbers:
        row = view.by_number("+46" + number[1:])
        assert row is not None and row.kind == "callback" and row.left_at is None


def most_citizen_calls_at_once(watch: AriWatcher) -> int:
    """Callback legs to citizens (channel ids ``vc-...``) up at the same time."""
    up: set[str] = set()
    most = 0
    for event in list(watch.events):
        channel = (event.get("channel") or {}).get("id", "")
        if not channel.startswith("vc-"):
            continue
        if event["type"] == "ChannelCreated":
            up.add(channel)
        elif event["type"] == "ChannelDestroyed":
            up.discard(channel)
        most = max(most, len(up))
    return most


def test_unanswered_callback_is_retried_after_the_delay_and_completed(pbx, tmp_path):
    site = callback_site(tmp_path, attempts=3)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    number, e164 = "0701740851", "+46701740851"
    telephonist = answering_phone(pbx, "1001", calls=2, hold_ms=40000)
    runs = [telephonist]
    try:
        request_callbacks(pbx, view, [number])
        unanswered = outside_phone(pbx, calls=1, answers=False)
        runs.append(unanswered)
        log_in(pbx, view, "1001")
        assert unanswered.wait(timeout=40) == 0, unanswered.tail()  # rang, nobody answered
        gave_up_at = time.monotonic()
        answers = outside_phone(pbx, calls=1, hold_ms=2000)
        runs.append(answers)
        row = wait_until(lambda: (r := view.by_number(e164)) and r.attempts == 1 and r,
                         what="the first attempt counted")  # fmt: skip
        assert row.left_at is None and row.not_before is not None  # waiting for the retry
        wait_until(lambda: view.by_number(e164).state == "offered", timeout=30,
                   what="the second attempt")  # fmt: skip
        assert time.monotonic() - gave_up_at >= RETRY_S - 2  # not before the delay
        served = wait_until(lambda: (r := view.by_number(e164)) and r.left_at and r,
                            timeout=40, what="the callback completed")  # fmt: skip
        assert served.left_reason == "answered" and served.answered_by == "t1001"
        assert answers.wait(timeout=20) == 0, answers.tail()  # the citizen was connected
    finally:
        stop_all(runs, controller)


def test_callbacks_never_answered_give_up_after_max_attempts_one_call_per_free_telephonist(
    pbx, tmp_path, ari_watch
):
    site = callback_site(tmp_path, attempts=2)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    numbers = ["0701740852", "0701740853"]
    telephonist = answering_phone(pbx, "1001", calls=4, hold_ms=40000)
    never = outside_phone(pbx, calls=4, answers=False)
    try:
        request_callbacks(pbx, view, numbers)
        log_in(pbx, view, "1001")  # one free telephonist for two callbacks
        rows = wait_until(
            lambda: (
                all((r := view.by_number("+46" + n[1:])) and r.left_at for n in numbers)
                and [view.by_number("+46" + n[1:]) for n in numbers]
            ),
            timeout=150, what="both callbacks given up",
        )  # fmt: skip
        assert [r.left_reason for r in rows] == ["callback_given_up"] * 2
        assert [r.attempts for r in rows] == [2, 2]
        assert never.wait(timeout=20) == 0, never.tail()  # exactly four calls rang out
        assert most_citizen_calls_at_once(ari_watch) == 1
        attempts = labels_named(controller, "CallbackAttempted")
        assert sorted(a["attempt"] for a in attempts) == ["1", "1", "2", "2"]
        assert len(labels_named(controller, "CallbackGivenUp")) == 2
    finally:
        stop_all([telephonist, never], controller)
