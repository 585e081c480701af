"""A disruption notice set from the CLI plays first on the next call, without a restart,
and stops by itself when it ends."""

from __future__ import annotations

import time

from tests.conftest import run_vaxel
from tests.support.ivr_calls import (
    SWITCHBOARD,
    channel_of,
    media_played,
    sound_of,
    start_controller,
)
from tests.support.sipp import call_in

NOTICE = "Vattenläcka i Dalby. Vattnet är avstängt till klockan arton."
LASTS_S = 20


def test_disruption_notice_plays_first_and_stops_after_it_expires(pbx, tmp_path, ari_watch):
    # Real time on both sides: the notice plays whether the centre is open or closed, and
    # the CLI and the controller then share one clock (with --as-if each process would set
    # its offset at its own start-up, seconds apart on a busy machine).
    controller = start_controller(tmp_path, None)
    try:
        result = run_vaxel("disruption", "set", "--config", str(controller.site_file),
                           "--text", NOTICE, "--number", "switchboard", "--for", f"{LASTS_S}s")  # fmt: skip
        assert result.returncode == 0, result.stderr
        set_at = time.monotonic()
        greeting = sound_of(controller.config.prompts["greeting"].sv)

        first = call_in(pbx, SWITCHBOARD, [("pause", 9000)], caller="0701740681")
        channel = channel_of(ari_watch, "0701740681")
        ari_watch.wait_for(
            lambda e: (
                e["type"] == "PlaybackStarted"
                and e["playback"]["target_uri"] == f"channel:{channel}"
            ),
            what="the first playback",
        )
        assert first.wait(timeout=30) == 0, first.tail()
        assert media_played(ari_watch, channel)[:2] == [sound_of(NOTICE), greeting]

        time.sleep(max(0.0, LASTS_S + 2 - (time.monotonic() - set_at)))
        second = call_in(pbx, SWITCHBOARD, [("pause", 3000)], caller="0701740682")
        channel = channel_of(ari_watch, "0701740682")
        assert second.wait(timeout=30) == 0, second.tail()
        played = media_played(ari_watch, channel)
        assert played[0] == greeting and sound_of(NOTICE) not in played
        listing = run_vaxel("disruption", "list", "--config", str(controller.site_file))
        assert "no active disruption notices" in listing.stdout
    finally:
        controller.stop()
