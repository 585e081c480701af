"""A citizen office's direct number rings the duty guide's mobile through the trunk and,
unanswered, lands in the centre's queue labelled with the office."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.controller import DEFAULT_AS_IF, ControllerProcess
from tests.support.ivr_calls import (
    CENTRE_BRIDGE,
    channel_of,
    entered_bridge,
    media_played,
    sound_of,
    start_controller,
)
from tests.support.sipp import call_in, free_port, phone_scenario, run_sipp
from vaxel.ivr.texts import DEFAULT_PROMPTS

DALBY = "+46406280421"
MONDAY_GUIDE = "+46701740605"  # the roster's mon for Dalby
PSTN_PORT = 29999


def short_ring(text: str) -> str:
    # Dalby is the first office and the only one with late_until written out.
    return text.replace('late_until = "18:00"\n', 'late_until = "18:00"\nring_timeout_s = 5\n', 1)


@pytest.fixture()
def controller(pbx, tmp_path: Path) -> Iterator[ControllerProcess]:
    proc = start_controller(tmp_path, DEFAULT_AS_IF, short_ring)
    yield proc
    proc.stop()


def test_office_call_in_phone_hours_rings_the_duty_guide_then_lands_in_the_centre_queue(
    pbx, controller, ari_watch
):
    mobile = run_sipp(
        "mobile",
        phone_scenario("never"),
        ["-m", "1", "-p", str(PSTN_PORT), "-mp", str(free_port())],
    )
    time.sleep(0.5)
    caller_number = "0701740671"
    steps = [("pause", 2500), ("dtmf", "0"), ("pause", 20000)]
    caller = call_in(pbx, DALBY, steps, caller=caller_number)
    channel_id = channel_of(ari_watch, caller_number)

    assert mobile.wait(timeout=30) == 0, mobile.tail()  # rang, was cancelled, never answered
    invite = re.search(r"^INVITE sip:([^@]+)@", (mobile.workdir / "messages.log").read_text(), re.M)
    assert invite and invite.group(1) == MONDAY_GUIDE

    entered_bridge(ari_watch, channel_id, CENTRE_BRIDGE, timeout=15)
    tags = ari_watch.wait_for(
        lambda e: (
            e["type"] == "ChannelVarset"
            and e.get("variable") == "VAXEL_QUEUE_TAGS"
            and (e.get("channel") or {}).get("id") == channel_id
        ),
        what="the queue tags",
    )
    assert tags["value"] == "number=office-dalby;office=dalby"
    assert sound_of(DEFAULT_PROMPTS["office_connecting"][0]) in media_played(ari_watch, channel_id)
    caller.stop()
    record = controller.calls.get(channel_id)
    assert record is not None and record.number_name == "office-dalby"
