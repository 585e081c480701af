"""ARI events in, service calls out: nothing is decided here.

The queue owns (``Router.claim``) every waiting caller, every ring leg and every call it
connected. A waiting caller's previous owner (the IVR's entry service) still gets the
caller's ``StasisEnd``, so it can close its call record.
"""

from __future__ import annotations

from typing import Any

import structlog

from vaxel.asterisk.ari import AriError
from vaxel.errors import DomainError
from vaxel.queue import keys
from vaxel.queue.keys import Action
from vaxel.queue.telephonists import Login, Logout, Pause, Unpause
from vaxel.queue.texts import Language, say

log = structlog.get_logger("vaxel.queue")

Event = dict[str, Any]
GONE = ("StasisEnd", "ChannelDestroyed")


class QueueStasis:
    def __init__(self, service: Any) -> None:
        self.s = service

    async def handle(self, event: Event) -> None:
        s = self.s
        kind = event.get("type")
        if kind == "PlaybackFinished":
            s.announcer.media.finished(event)
            return
        if await s.voice_messages.on_event(event):
            return
        if kind == "StasisStart":
            args = event.get("args") or []
            if args[:2] == ["leg", "queue"]:
                # As a task: answering plays a whisper and waits for it to finish, and the
                # PlaybackFinished event is dispatched under this same channel's lock.
                s.spawn(s.legs.answered(event["channel"]["id"], args[2:]))
            return
        channel_id = (event.get("channel") or {}).get("id", "")
        if kind == "ChannelLeftBridge":
            s.announcer.left_bridge(channel_id)
        elif kind == "ChannelDtmfReceived":
            s.spawn(s.announcer.on_dtmf(channel_id, event.get("digit", "")))
        elif kind in GONE:
            await self._gone(channel_id, event)

    async def _gone(self, channel_id: str, event: Event) -> None:
        s = self.s
        entry_id = s.by_channel.get(channel_id)
        previous = s.waiters[entry_id].previous_owner if entry_id in s.waiters else None
        previous = s.announcer.lent.pop(channel_id, None) or previous
        if await s.calls.channel_gone(channel_id) or await s.legs.channel_gone(channel_id):
            pass
        elif entry_id is not None:
            await s.caller_gone(channel_id)
        if previous is not None and previous is not self and event.get("type") == "StasisEnd":
            try:
                await previous.handle(event)
            except Exception:
                log.exception("queue_previous_owner_failed")

    # --- feature codes -------------------------------------------------------------------
    async def on_feature_code(self, event: Event, digits: str) -> None:
        """StasisStart ["internal", "*2x..."] from a telephonist's softphone."""
        s = self.s
        channel = event["channel"]
        channel_id = channel["id"]
        s.router.claim(channel_id, self)
        endpoint = _endpoint_of(channel.get("name", ""))
        person = s.by_endpoint(endpoint)
        code = keys.parse_feature_code(digits)
        lang: Language = "sv"
        if person is None:
            text = say("not_telephonist", lang)
        elif code is None:
            text = say("not_now", lang)
        else:
            text = self._apply(person.id, code)
        log.info("feature_code", digits=digits, endpoint=endpoint, said=text)
        s.spawn(self._confirm(channel_id, text, lang))

    async def _confirm(self, channel_id: str, text: str, lang: Language) -> None:
        s = self.s
        try:
            await s.ari.answer(channel_id)
            await s.announcer.media.say(channel_id, text, lang, wait=True, timeout=10)
        except AriError:
            pass
        await s.ari.hangup(channel_id)
        s.router.release(channel_id)

    def _apply(self, telephonist_id: str, code: keys.FeatureCode) -> str:
        s = self.s
        change = {
            Action.LOGIN: Login(),
            Action.LOGOUT: Logout(),
            Action.PAUSE: Pause(keys.pause_reason(code)),
            Action.UNPAUSE: Unpause(),
        }.get(code.action)
        try:
            if change is not None:
                s.change(telephonist_id, change)
            elif s.set_wrapup_code(telephonist_id, code.argument) is None:
                return say("not_now")
        except DomainError:
            return say("unknown_code")
        except Exception as exc:  # noqa: BLE001 - a refused change is spoken, not raised
            log.info("feature_code_refused", telephonist=telephonist_id, reason=str(exc))
            return say("not_now")
        return say(code.action.value)


def _endpoint_of(channel_name: str) -> str:
    """'PJSIP/1001-00000012' -> 'PJSIP/1001'."""
    tech, _, rest = channel_name.partition("/")
    return f"{tech}/{rest.rsplit('-', 1)[0]}" if rest else channel_name
