"""IVR helpers shared by the end-to-end tests: a controller with short key timeouts, and
what Asterisk reports about a citizen's channel (the media played to it, the bridge it
entered)."""

from __future__ import annotations

from pathlib import Path

from tests.support.controller import ControllerProcess, write_site_file
from vaxel.ivr.prompts import PromptRenderer
from vaxel.queue.ports import holding_bridge_id

SWITCHBOARD = "+46406280400"
CENTRE_BRIDGE = holding_bridge_id("centre")
_KEYS = PromptRenderer(Path("/nonexistent"), "/var/lib/vaxel/sounds")


def sound_of(text: str, lang: str = "sv") -> str:
    """The media URI the controller plays for a text: named by the same content hash."""
    return f"sound:/var/lib/vaxel/sounds/{_KEYS.cache_key(text, lang)}"


def channel_of(ari_watch, caller: str, timeout: float = 10) -> str:
    created = ari_watch.wait_for(
        lambda e: (
            isinstance(e.get("channel"), dict)
            and (e["channel"].get("caller") or {}).get("number") == caller
        ),
        timeout=timeout,
        what=f"the call from {caller}",
    )
    return created["channel"]["id"]


def media_played(ari_watch, channel_id: str) -> list[str]:
    """Every media started on the channel, in order (a list of media gives one each)."""
    # A media list gives PlaybackStarted per item (PlaybackContinuing marks the end of one).
    return [
        e["playback"]["media_uri"]
        for e in list(ari_watch.events)
        if e["type"] == "PlaybackStarted" and e["playback"]["target_uri"] == f"channel:{channel_id}"
    ]


def entered_bridge(ari_watch, channel_id: str, bridge_id: str, timeout: float = 30) -> dict:
    return ari_watch.wait_for(
        lambda e: (
            e["type"] == "ChannelEnteredBridge"
            and e["channel"]["id"] == channel_id
            and e["bridge"]["id"] == bridge_id
        ),
        timeout=timeout,
        what=f"{channel_id} entering {bridge_id}",
    )


def start_controller(tmp_path: Path, as_if: str | None, extra_edit=None) -> ControllerProcess:  # type: ignore[no-untyped-def]
    site = write_site_file(tmp_path)
    text = site.read_text()
    # Short key timeouts keep the tests quick; the flow is the same as with 4 s.
    text = text.replace("menu_timeout_s = 4", "menu_timeout_s = 1.5")
    text = text.replace("digit_timeout_s = 6", "digit_timeout_s = 3")
    # The queue refuses callers while no telephonist is logged in; these tests have none.
    text = text.replace(
        'label = "Medborgarcenter och växel"\n',
        'label = "Medborgarcenter och växel"\nwhen_nobody_logged_in = "admit"\n',
    )
    site.write_text(extra_edit(text) if extra_edit else text)
    proc = ControllerProcess(site, tmp_path, as_if=as_if)
    proc.start(timeout=60)
    return proc
