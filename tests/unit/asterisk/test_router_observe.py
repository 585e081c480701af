"""The router's observers see every event, before it is routed and whether or not any
service owns it (the console notes ARI event times this way)."""

from __future__ import annotations

import asyncio

from vaxel.asterisk.router import Router


def test_an_observer_sees_owned_and_unowned_events_before_the_owner():
    router = Router()
    order: list[str] = []

    class Owner:
        async def handle(self, event: dict) -> None:
            order.append("owner:" + event["type"])

    router.observe(lambda event: order.append("observer:" + event["type"]))
    router.claim("ch1", Owner())
    asyncio.run(router.dispatch({"type": "ChannelDtmfReceived", "channel": {"id": "ch1"}}))
    asyncio.run(router.dispatch({"type": "DeviceStateChanged"}))
    assert order == ["observer:ChannelDtmfReceived", "owner:ChannelDtmfReceived",
                     "observer:DeviceStateChanged"]  # fmt: skip
