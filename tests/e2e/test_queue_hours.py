"""A departmental queue's opening hours with real SIP: closing while callers wait, and
callbacks left while it is closed served when it opens. Time is set with ``--as-if`` a few
seconds before the bygglov queue's hours (weekdays 10-12) begin or end."""

from __future__ import annotations

import time
from datetime import datetime

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import (
    QueueView,
    caller,
    full_log,
    log_in,
    queue_site,
    said,
    sound_key,
    stop_all,
)
from tests.support.sipp import answering_phone, outside_phone
from vaxel.clock import STOCKHOLM
from vaxel.ivr.speech import next_opening_sentence
from vaxel.queue.texts import digits, say

BYGGLOV = "+46406280430"  # the bygglov queue's number, no language menu
AS_IF_BEFORE_CLOSING_S = 15


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def bygglov_site(tmp_path, **bygglov: object):  # type: ignore[no-untyped-def]
    return queue_site(tmp_path, queues={"bygglov": {"wrapup_s": 0, **bygglov}})


def test_closing_queue_says_when_it_opens_and_a_callback_taken_then_is_served_at_opening(
    pbx, tmp_path
):
    site = bygglov_site(tmp_path, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path, as_if="2026-11-23T11:59:45+01:00")
    controller.start()
    closes_by = time.monotonic() + AS_IF_BEFORE_CLOSING_S  # 12:00 comes no later than this
    view = QueueView(controller)
    runs = []
    restarted = None
    try:
        runs.append(caller(pbx, "0701740821", dialled=BYGGLOV))  # stays and says nothing
        view.wait_open(1)
        # The second caller presses 1 (callback), then 1 (the number they call from), some
        # seconds into the closing message.
        pause_ms = int((closes_by + 8 - time.monotonic()) * 1000)
        keys = [("pause", pause_ms), ("dtmf", "1"), ("pause", 4500), ("dtmf", "1")]
        runs.append(caller(pbx, "0701740822", keys, dialled=BYGGLOV))
        waiting = {r.caller_number: r for r in view.wait_open(2)}

        opening = next_opening_sentence(local("2026-11-24T10:00"), local("2026-11-23T12:00"))
        closing = say("closing", next_open=opening)
        assert "Vi öppnar igen i morgon klockan tio" in closing
        wait_until(lambda: said(controller, closing), timeout=30, what="the closing message")

        callback = wait_until(
            lambda: (r := view.by_number("+46701740822")) and r.kind == "callback" and r,
            timeout=40, what="the callback taken while closing",
        )  # fmt: skip
        assert callback.id == waiting["0701740822"].id and callback.left_at is None
        assert callback.entered_at == waiting["0701740822"].entered_at  # same place
        text = full_log(controller)
        assert text.index(sound_key(closing)) < text.index('"event": "queue_key"')
        assert runs[1].wait(timeout=30) == 0, runs[1].tail()  # thanked, then hung up by us

        stayed = wait_until(lambda: (r := view.by_number("0701740821")) and r.left_at and r,
                            timeout=45, what="the caller who stayed to leave")  # fmt: skip
        assert stayed.left_reason == "closed"
        assert said(controller, say("goodbye"))
        assert runs[0].wait(timeout=20) == 0, runs[0].tail()  # hung up by us, not dropped

        log_in(pbx, view, "1003")  # a bygglov member, logged in while the queue is closed
        time.sleep(2)
        assert view.by_number("+46701740822").state == "waiting"  # closed: nobody is rung
        controller.stop()

        # The next morning, seconds before the queue opens.
        restarted = ControllerProcess(site, tmp_path, as_if="2026-11-24T09:59:52+01:00")
        restarted.start()
        runs.append(answering_phone(pbx, "1003", calls=1, hold_ms=25000))
        runs.append(outside_phone(pbx, calls=1, hold_ms=2000))
        served = wait_until(lambda: (r := view.by_number("+46701740822")) and r.left_at and r,
                            timeout=60, what="the callback served at opening")  # fmt: skip
        assert served.left_reason == "answered" and served.answered_by == "t1003"
        assert served.left_at >= local("2026-11-24T10:00")
        assert said(restarted, say("callback_whisper", number=digits("+46701740822")))
        assert runs[-1].wait(timeout=20) == 0, runs[-1].tail()  # the citizen answered
    finally:
        stop_all(runs, restarted, controller)


def test_callback_left_in_closed_hours_is_served_when_the_queue_opens(pbx, tmp_path):
    site = bygglov_site(tmp_path)
    controller = ControllerProcess(site, tmp_path, as_if="2026-11-23T09:59:00+01:00")
    controller.start()
    view = QueueView(controller)
    telephonist = answering_phone(pbx, "1003", calls=1, hold_ms=25000)
    citizen_phone = outside_phone(pbx, calls=1, hold_ms=2000)
    # The closed flow offers a callback (1) and then the number called from (1 confirms).
    # Keys pressed while a message plays are ignored, so the caller keeps pressing 1.
    keys = [("pause", 3000), *[step for _ in range(8) for step in (("dtmf", "1"), ("pause", 4100))]]
    citizen = caller(pbx, "0701740831", keys, dialled=BYGGLOV)
    try:
        log_in(pbx, view, "1003")
        request = wait_until(lambda: view.by_number("+46701740831"), timeout=50,
                             what="the callback request stored")  # fmt: skip
        assert request.kind == "callback" and request.queue == "bygglov"
        assert request.entered_at < local("2026-11-23T10:00")  # left while closed
        assert telephonist.process.poll() is None, telephonist.tail()  # free, not rung yet

        served = wait_until(lambda: (r := view.by_number("+46701740831")) and r.left_at and r,
                            timeout=60, what="the callback served")  # fmt: skip
        assert served.left_reason == "answered" and served.answered_by == "t1003"
        assert served.left_at >= local("2026-11-23T10:00")
        assert said(controller, say("callback_whisper", number=digits("+46701740831")))
        assert citizen_phone.wait(timeout=20) == 0, citizen_phone.tail()
    finally:
        stop_all([telephonist, citizen_phone, citizen], controller)
