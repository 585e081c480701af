"""What waiting callers hear and choose, overflow, and a kill -9 with 20 callers waiting."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.events import AriWatcher
from tests.support.queue_calls import (
    CALLBACK_ON_OWN_NUMBER,
    QueueView,
    caller,
    full_log,
    log_in,
    queue_site,
    sound_key,
    stop_all,
)
from tests.support.sipp import answering_phone, outside_phone
from vaxel.ivr.speech import position_announcement
from vaxel.queue.texts import say


def started_playbacks(watch: AriWatcher, channel_id: str) -> list[str]:
    return [
        e["playback"]["media_uri"]
        for e in list(watch.events)
        if e["type"] == "PlaybackStarted" and e["playback"]["target_uri"] == f"channel:{channel_id}"
    ]


def test_waiting_callers_hear_their_position_in_swedish(pbx, tmp_path, ari_watch):
    site = queue_site(tmp_path, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    callers = []
    try:
        for count, number in enumerate(["0701740661", "0701740662"], start=1):
            callers.append(caller(pbx, number))
            view.wait_open(count)
        for place, number in ((1, "0701740661"), (2, "0701740662")):
            row = view.by_number(number)
            assert row is not None and row.channel_id
            # No answered calls yet: no basis for an estimate, so only the place is said.
            text = position_announcement(place, None, "sv") + " " + say("callback_offer")
            assert f"nummer {['', 'ett', 'två'][place]} i kön" in text
            wait_until(
                lambda text=text, channel=row.channel_id: any(
                    m.endswith(sound_key(text)) for m in started_playbacks(ari_watch, channel)
                ),
                timeout=10,
                what=f"position {place} announced",
            )
            # The caller stays in the queue's holding bridge while the sentence plays.
            assert row.left_at is None
    finally:
        for sipp in callers:
            sipp.stop()
        controller.stop()


def test_callback_is_served_in_its_original_place_ahead_of_later_callers(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    runs = []
    try:
        # The first caller asks for a callback on the number they call from.
        first = caller(pbx, "0701740671", CALLBACK_ON_OWN_NUMBER)
        runs.append(first)
        view.wait_open(1)
        runs.append(caller(pbx, "0701740672"))
        view.wait_open(2)
        assert first.wait(timeout=40) == 0, first.tail()  # told, then hung up by us
        row = view.by_number("+46701740671")
        assert row is not None and row.kind == "callback" and row.left_at is None
        runs.append(outside_phone(pbx, calls=1, hold_ms=1500))
        runs.append(answering_phone(pbx, "1001", calls=2, hold_ms=8000))
        log_in(pbx, view, "1001")
        served = wait_until(
            lambda: (
                (a := view.by_number("+46701740671"))
                and a.left_at
                and (b := view.by_number("0701740672"))
                and b.left_at
                and (a, b)
            ),
            timeout=60,
            what="the callback and the later caller served",
        )
        callback, later = served
        assert callback.left_reason == "answered" and callback.answered_by == "t1001"
        assert later.left_reason == "answered"
        assert callback.left_at < later.left_at
        assert callback.entered_at < later.entered_at  # the original entry time was kept
    finally:
        for sipp in runs:
            sipp.stop()
        controller.stop()


def test_premium_rate_callback_number_is_refused_and_caller_keeps_waiting(pbx, tmp_path):
    site = queue_site(tmp_path, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    # The caller asks to be called back on the number they call from, a premium-rate one.
    citizen = caller(pbx, "0900123456", CALLBACK_ON_OWN_NUMBER)
    try:
        row = view.wait_open(1)[0]
        refused = sound_key(say("callback_refused"))
        # The controller's log names every sound it plays (the ARI watcher app is shared with
        # other test runs on this sandbox, which may take it over).
        wait_until(lambda: f"{refused}" in full_log(controller), timeout=40, what="the refusal")
        assert row.channel_id
        after = view.by_number("0900123456")
        assert after is not None and after.kind == "caller" and after.left_at is None
        assert citizen.process.poll() is None  # still on the line, still queued
        assert '"code": "premium"' in full_log(controller)
    finally:
        citizen.stop()
        controller.stop()


def test_caller_overflows_to_configured_queue_after_max_wait(pbx, tmp_path):
    site = queue_site(
        tmp_path, when_nobody_logged_in="admit", max_wait_s=10, overflow="queue:bygglov"
    )
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    citizen = caller(pbx, "0701740691")
    try:
        row = view.wait_open(1)[0]
        wait_until(lambda: '"to": "bygglov"' in full_log(controller), timeout=25,
                   what="the overflow")  # fmt: skip
        assert "queue_move_failed" not in full_log(controller)
        after = wait_until(
            lambda: (r := view.by_number("0701740691")) and r.queue == "bygglov" and r
        )
        assert after.entered_at == row.entered_at  # the place earned by waiting is kept
    finally:
        citizen.stop()
        controller.stop()


def test_kill9_with_20_waiting_callers_keeps_all_connected_and_serves_them_in_order(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit", max_length=60)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    numbers = [f"07017407{n:02d}" for n in range(10, 30)]
    runs = []
    restarted = None
    try:
        for count, number in enumerate(numbers, start=1):
            runs.append(caller(pbx, number))
            if count % 5 == 0:
                view.wait_open(count, timeout=40)
        # The original order is the order they entered (sipp start-up jitter may swap two).
        order = [r.caller_number for r in view.wait_open(20, timeout=40)]
        assert sorted(order) == numbers
        controller.kill9()
        assert all(run.process.poll() is None for run in runs), "a caller was dropped"
        restarted = ControllerProcess(site, tmp_path, as_if="2026-11-23T10:10:00+01:00")
        restarted.start()
        runs.append(answering_phone(pbx, "1001", calls=30, hold_ms=300))
        log_in(pbx, view, "1001")
        for run in runs[:20]:
            assert run.wait(timeout=120) == 0, run.tail()
        rows = wait_until(
            lambda: (
                all((r := view.by_number(n)) and r.left_at for n in numbers)
                and [view.by_number(n) for n in numbers]
            ),
            timeout=20,
            what="all 20 recorded",
        )
        assert {r.left_reason for r in rows} == {"answered"}
        assert [r.caller_number for r in sorted(rows, key=lambda r: r.left_at)] == order
    finally:
        stop_all(runs, restarted, controller)
