"""Pure parts of the Asterisk adapters: device states from a resync, internal-dial dispatch."""

from __future__ import annotations

import asyncio

from vaxel.directory.calls import InternalDialer
from vaxel.directory.model import DeviceState
from vaxel.directory.stasis import device_state, extension_of, states_from_endpoints


def test_resync_reads_device_states_from_endpoints_and_channels():
    endpoints = [
        {"resource": "2005", "state": "online", "channel_ids": ["c1"]},
        {"resource": "2006", "state": "online", "channel_ids": ["c2"]},
        {"resource": "2007", "state": "online", "channel_ids": []},
        {"resource": "2099", "state": "offline", "channel_ids": []},
        {"resource": "trunk", "state": "online", "channel_ids": ["c3"]},
    ]
    channels = [{"id": "c1", "state": "Up"}, {"id": "c2", "state": "Ringing"}]
    assert states_from_endpoints(endpoints, channels) == {
        "2005": DeviceState.INUSE,
        "2006": DeviceState.RINGING,
        "2007": DeviceState.NOT_INUSE,
        "2099": DeviceState.UNAVAILABLE,
    }


def test_only_plain_pjsip_extensions_are_people():
    assert extension_of("PJSIP/2005") == "2005"
    assert extension_of("PJSIP/trunk") is None
    assert extension_of("Local/2005@x") is None
    assert device_state("RINGINUSE") == DeviceState.RINGINUSE
    assert device_state("whatever") == DeviceState.UNKNOWN


def test_internal_dial_goes_to_the_longest_registered_prefix_else_the_directory():
    seen: list[tuple[str, str]] = []

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def handle(event: dict, digits: str) -> None:
            seen.append((name, digits))

        return handle

    registry = {"*": handler("queue"), "*8": handler("pickup")}
    dialer = InternalDialer(registry, handler("directory"))
    for digits in ("2005", "*21", "*81", ""):
        asyncio.run(dialer.on_internal({"channel": {"id": "c"}}, [digits]))
    assert seen == [("directory", "2005"), ("queue", "*21"), ("pickup", "*81"), ("directory", "")]
