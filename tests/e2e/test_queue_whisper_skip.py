"""A telephonist who has heard enough presses any key: the rest of the whisper is skipped and
the call is put through at once (here a callback, whose citizen is then dialled)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import (
    CALLBACK_ON_OWN_NUMBER,
    QueueView,
    caller,
    log_in,
    queue_site,
    stop_all,
)
from tests.support.sipp import outside_phone, softphone
from vaxel.ivr.prompts import PromptRenderer
from vaxel.queue.texts import digits, say


def at(event: dict) -> float:
    return datetime.fromisoformat(event["timestamp"].replace("+0000", "+00:00")).timestamp()


def test_any_key_skips_the_callback_whisper_and_the_citizen_is_dialled_at_once(
    pbx, tmp_path, ari_watch
):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit",
                      callback_max_attempts=1, callback_ring_s=15)  # fmt: skip
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    number, e164 = "0701740861", "+46701740861"
    whisper = say("callback_whisper", "sv", number=digits(e164))
    full = PromptRenderer(tmp_path / "sounds", "/x").render("queue", whisper, "sv").seconds
    assert full > 3  # long enough for a cut to show
    runs = []
    try:
        request = caller(pbx, number, CALLBACK_ON_OWN_NUMBER)
        runs.append(request)
        assert request.wait(timeout=40) == 0, request.tail()
        wait_until(lambda: (r := view.by_number(e164)) and r.kind == "callback", timeout=10,
                   what="the callback request")  # fmt: skip
        # The telephonist answers, listens half a second and presses 1.
        telephonist = softphone(pbx, "1001", steps=[("pause", 500), ("dtmf", "1")], hold_ms=20000)
        citizen = outside_phone(pbx, calls=1, hold_ms=2000)
        runs += [telephonist, citizen]
        log_in(pbx, view, "1001")
        served = wait_until(lambda: (r := view.by_number(e164)) and r.left_at and r, timeout=40,
                            what="the callback completed")  # fmt: skip
        assert served.left_reason == "answered" and served.answered_by == "t1001"
        assert citizen.wait(timeout=20) == 0, citizen.tail()

        events = list(ari_watch.events)
        sound = Path(PromptRenderer(Path("/x"), "/x").cache_key(whisper, "sv")).name
        started = next(e for e in events if e["type"] == "PlaybackStarted"
                       and e["playback"]["media_uri"].endswith(sound))  # fmt: skip
        finished = next(e for e in events if e["type"] == "PlaybackFinished"
                        and e["playback"]["id"] == started["playback"]["id"])  # fmt: skip
        dialled = next(e for e in events if e["type"] == "ChannelCreated"
                       and e["channel"]["id"].startswith("vc-"))  # fmt: skip
        assert at(finished) - at(started) < full - 1.5, (at(finished) - at(started), full)
        assert at(dialled) - at(started) < full - 1.0  # not after the whole whisper
        assert Path(controller.log_path).read_text().count('"queue_whisper_skipped"') == 1
    finally:
        stop_all(runs, controller)
