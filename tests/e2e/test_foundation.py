"""A real SIP call through the sandbox Asterisk reaches the controller and the store."""

from __future__ import annotations

from tests.conftest import wait_until
from tests.support.sipp import call_in

SWITCHBOARD = "+46406280400"
CENTRE = "+46406280410"


def test_call_to_main_number_hears_greeting_and_is_recorded_with_dialled_number(
    pbx, controller, ari_watch
):
    caller = call_in(pbx, SWITCHBOARD, [("pause", 6000)])

    started = ari_watch.wait_for(
        lambda e: e["type"] == "PlaybackStarted" and "vaxel/sounds" in e["playback"]["media_uri"],
        timeout=10,
        what="greeting playback",
    )
    finished = ari_watch.wait_for(
        lambda e: (
            e["type"] == "PlaybackFinished" and e["playback"]["id"] == started["playback"]["id"]
        ),
        timeout=15,
        what="greeting to finish",
    )
    assert finished["playback"]["state"] == "done"
    assert caller.wait(timeout=30) == 0, caller.tail()

    channel_id = started["playback"]["target_uri"].removeprefix("channel:")
    record = wait_until(
        lambda: next((c for c in controller.calls.recent() if c.channel_id == channel_id), None),
        what="the call record",
    )
    assert record.dialled_number == SWITCHBOARD
    assert record.number_name == "switchboard"
    assert record.caller_number == "0701740650"
    assert record.greeting_played_at is not None
    ended = wait_until(lambda: controller.calls.get(record.id).ended_at, what="end of call")
    assert ended >= record.greeting_played_at


def test_both_published_numbers_reach_the_same_service_and_keep_which_was_dialled(pbx, controller):
    callers = [call_in(pbx, number, [("pause", 1500)]) for number in (SWITCHBOARD, CENTRE)]
    for caller in callers:
        assert caller.wait(timeout=30) == 0, caller.tail()
    records = wait_until(lambda: len(controller.calls.recent()) >= 2 and controller.calls.recent())
    assert {r.number_name for r in records} == {"switchboard", "centre"}
    assert {r.dialled_number for r in records} == {SWITCHBOARD, CENTRE}
