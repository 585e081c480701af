"""Asterisk's device states -> the directory's live presence.

The app subscribes to every device state (``deviceState:`` with an empty name is
Asterisk's "all devices" subscription). ARI does not replay events missed during a
disconnect, and ``GET /deviceStates`` lists only ARI-controlled ``Stasis:`` devices (it
returns [] for phones), so a (re)connect rebuilds the picture from ``GET /endpoints/PJSIP``
and ``GET /channels``: two requests however many extensions there are.
"""

from __future__ import annotations

import re
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient
from vaxel.directory.model import EXTENSION, DeviceState
from vaxel.directory.service import DirectoryService

log = structlog.get_logger("vaxel.directory")
DEVICE = re.compile(r"PJSIP/([0-9]{3,6})")


def extension_of(device: str) -> str | None:
    match = DEVICE.fullmatch(device)
    return match.group(1) if match else None


def device_state(text: str) -> DeviceState:
    try:
        return DeviceState(text)
    except ValueError:
        return DeviceState.UNKNOWN


def states_from_endpoints(
    endpoints: list[dict[str, Any]], channels: list[dict[str, Any]]
) -> dict[str, DeviceState]:
    """What device states would say, from the endpoint list and the live channels."""
    channel_state = {c["id"]: c.get("state", "") for c in channels}
    states: dict[str, DeviceState] = {}
    for endpoint in endpoints:
        extension = endpoint.get("resource", "")
        if not EXTENSION.fullmatch(extension):
            continue  # the trunk and other non-extension endpoints
        ids = endpoint.get("channel_ids") or []
        if endpoint.get("state") == "offline":
            states[extension] = DeviceState.UNAVAILABLE
        elif not ids:
            states[extension] = DeviceState.NOT_INUSE
        elif all(channel_state.get(i) == "Ringing" for i in ids):
            states[extension] = DeviceState.RINGING
        else:
            states[extension] = DeviceState.INUSE
    return states


class PresenceEvents:
    def __init__(self, *, ari: AriClient, service: DirectoryService) -> None:
        self.ari, self.service = ari, service

    async def on_connected(self) -> None:
        app = self.ari.settings.app
        await self.ari.request(
            "POST", f"/applications/{app}/subscription", params={"eventSource": "deviceState:"}
        )
        endpoints = await self.ari.request("GET", "/endpoints/PJSIP")
        channels = await self.ari.channels()
        states = states_from_endpoints(endpoints or [], channels or [])
        self.service.set_devices(states)
        log.info("presence_resynced", extensions=len(states))

    async def handle(self, event: dict[str, Any]) -> None:
        if event.get("type") != "DeviceStateChanged":
            return
        found = event.get("device_state") or {}
        extension = extension_of(found.get("name", ""))
        if extension is None:
            return
        self.service.device_changed(extension, device_state(found.get("state", "")))
