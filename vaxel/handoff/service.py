"""The handoff runtime: one ``Live`` per follow-the-call, a lock each, state persisted on
every transition.

``feed`` is the only way a handoff changes: under the handoff's own lock it asks the model
for the next state, writes it to the store, re-arms the deadline timer and runs the
commands (``actions.py``). Commands never feed events directly (that would deadlock on
the lock); what they learn is posted and fed next. There is no global lock.

The queue owns a call until a handoff starts: ``Legs.hand_over`` makes it forget the talk
without hanging up, and the handoff owns caller, telephonist and target channels from then
on. A call that comes back through the queue is the queue's again until the next start.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from vaxel.asterisk.router import Router
from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.errors import DomainError, NotFound
from vaxel.handoff import store as codec
from vaxel.handoff.inputs import Event, Start, TelephonistAnswered, TelephonistNoAnswer
from vaxel.handoff.model import transition
from vaxel.handoff.states import (
    Done,
    Idle,
    Initiator,
    Mode,
    Requeued,
    Returned,
    Ringing,
    RingingTelephonist,
    State,
    Target,
)
from vaxel.handoff.store import HandoffStore
from vaxel.handoff.targets import Targets
from vaxel.handoff.view import describe

log = structlog.get_logger("vaxel.handoff")
# The queue tells us a returned call was answered (``on_talk``) only after it has whispered
# the reason to the telephonist, which may take this long (``queue/announce.py``); without
# it a long whisper ("Utanför telefontid hos ..., nästa telefontid ...") counted as no answer.
QUEUE_WHISPER_MAX_S = 15


class NoCall(DomainError):
    code = "no_call"
    status = 409


@dataclass
class Live:
    id: str
    state: State
    caller: str
    telephonist: str
    queue: str
    created_at: datetime
    call_id: str | None = None
    caller_number: str | None = None
    telephonist_channel: str | None = None
    talk_bridge: str | None = None
    target_channel: str | None = None
    legs: dict[str, str] = field(default_factory=dict)  # ringing leg -> device
    connected: bool = False  # bridged by us, still talking (also after Done)
    freed: bool = False
    message_mode: str = "voice"
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timer: asyncio.TimerHandle | None = None
    playbacks: dict[str, str] = field(default_factory=dict)  # playback id -> purpose
    previous_owner: Any = None
    leg_count: int = 0

    @property
    def over(self) -> bool:
        """Done, nobody we connected still talking, and nothing left to tell the caller (a
        message's receipt: the caller is hung up when it has been played)."""
        pending = "final" in self.playbacks.values()
        return isinstance(self.state, Done) and not self.connected and not pending

    @property
    def caller_bridge(self) -> str:
        return f"vaxel-ho-{self.id}"

    @property
    def consult_bridge(self) -> str:
        return f"vaxel-hoc-{self.id}"


class HandoffService:
    def __init__(self, *, config: SiteConfig, clock: Clock, ari: Any, router: Router,
                 store: HandoffStore, targets: Targets, services: dict[str, Any]) -> None:  # fmt: skip
        self.config, self.clock, self.ari, self.router = config, clock, ari, router
        self.store, self.targets, self.services = store, targets, services
        self.lives: dict[str, Live] = {}
        self.by_channel: dict[str, str] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # Set by the wiring.
        self.actions: Any = None
        self.stasis: Any = None

    # --- helpers -------------------------------------------------------------------------
    @property
    def queues(self) -> Any:
        return self.services.get("queues")

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("handoff_task_failed", error=repr(exc), exc_info=exc)

    def own(self, live: Live, channel_id: str | None) -> None:
        if channel_id:
            self.by_channel[channel_id] = live.id
            self.router.claim(channel_id, self.stasis)

    def live_of(self, channel_id: str) -> Live | None:
        handoff_id = self.by_channel.get(channel_id)
        return self.lives.get(handoff_id) if handoff_id else None

    def emit(self, event: Any, channel_id: str | None = None) -> None:
        sink = self.services.get("labels")
        if sink is not None:
            self.spawn(sink.emit(event, channel_id=channel_id))

    # --- starting ------------------------------------------------------------------------
    async def start(
        self,
        *,
        target: Target,
        channel: str | None = None,
        telephonist: str | None = None,
        mode: Mode = Mode.FOLLOW,
        initiator: Initiator = Initiator.API,
        override: bool = False,
    ) -> Live:
        """Transfer the call a telephonist is on (found by their leg or their id)."""
        live = self._returned_live(channel, telephonist)
        if live is None:
            live = await self._take_from_queue(channel, telephonist)
        else:
            await self.actions.take_talk_back(live)
        cfg = self.config.handoff
        queue_cfg = next((q for q in self.config.queues if q.name == live.queue), None)
        ring_s = queue_cfg.ring_timeout_s if queue_cfg else cfg.telephonist_ring_s
        ring_back = ring_s + 2 + QUEUE_WHISPER_MAX_S
        start = Start(
            handoff_id=live.id,
            mode=mode,
            target=target,
            telephonist=live.telephonist,
            initiated_by=initiator,
            override=override,
            ring_timeout=timedelta(seconds=cfg.ring_timeout_s),
            telephonist_ring_timeout=timedelta(seconds=ring_back),
            music=cfg.music,
        )
        log.info("handoff_start", handoff=live.id, target=target.name, mode=mode.value,
                 by=initiator.value, telephonist=live.telephonist)  # fmt: skip
        await self.feed(live, start)
        return live

    def _returned_live(self, channel: str | None, telephonist: str | None) -> Live | None:
        """A call that already came back to a telephonist may be transferred again."""
        for live in self.lives.values():
            if not isinstance(live.state, Returned):
                continue
            if channel and channel in (live.telephonist_channel, live.caller):
                return live
            if telephonist and live.telephonist == telephonist and live.telephonist_channel:
                return live
        return None

    async def _take_from_queue(self, channel: str | None, telephonist: str | None) -> Live:
        queues = self.queues
        if queues is None:
            raise NoCall("the queues are not running in this process")
        talk = None
        if channel:
            entry_id = queues.calls.talk_by_channel.get(channel)
            talk = queues.calls.talks.get(entry_id) if entry_id else None
        elif telephonist:
            talk = next(
                (t for t in queues.calls.talks.values() if t.telephonist_id == telephonist), None
            )
        if talk is None:
            raise NoCall("that telephonist has no call to transfer")
        queues.calls.hand_over(talk.caller)
        row = await asyncio.to_thread(queues.store.entry, talk.entry_id)
        from vaxel.queue.calls import talk_bridge_id

        live = Live(
            id=uuid.uuid4().hex[:16],
            state=Idle(),
            caller=talk.caller,
            telephonist=talk.telephonist_id,
            queue=talk.queue,
            created_at=self.clock.now(),
            call_id=row.call_id if row is not None else None,
            caller_number=row.caller_number if row is not None else None,
            telephonist_channel=talk.leg,
            talk_bridge=talk_bridge_id(talk.entry_id),
        )
        live.previous_owner = self.router.owner(talk.caller)
        self.lives[live.id] = live
        self.own(live, live.caller)
        self.own(live, live.telephonist_channel)
        return live

    # --- the one way a handoff changes ---------------------------------------------------
    async def feed(self, live: Live, event: Event) -> None:
        async with live.lock:
            before = live.state
            state, commands = transition(before, event, self.clock.now())
            if state is before and not commands:
                return
            live.state = state
            ctx = getattr(state, "ctx", None)
            if ctx is not None:
                live.telephonist = ctx.telephonist
            log.info("handoff_step", handoff=live.id, on=type(event).__name__,
                     before=type(before).__name__, after=type(state).__name__,
                     commands=[type(c).__name__ for c in commands])  # fmt: skip
            await self.persist(live)
            self._arm(live)
            for command in commands:
                try:
                    await self.actions.run(live, command)
                except Exception:
                    log.exception("handoff_command_failed", handoff=live.id,
                                  command=type(command).__name__)  # fmt: skip
            if commands:
                await self.persist(live)  # the channels the commands created (rings, legs)
            if live.over:
                self.forget(live)

    def post(self, live: Live, event: Event) -> None:
        self.spawn(self.feed(live, event))

    async def persist(self, live: Live) -> None:
        now = self.clock.now()
        values = {
            "id": live.id,
            "state_kind": type(live.state).__name__,
            "state": codec.dumps(live.state),
            "done": isinstance(live.state, Done),
            "caller_channel": live.caller,
            "call_id": live.call_id,
            "caller_number": live.caller_number,
            "telephonist": live.telephonist,
            "telephonist_channel": live.telephonist_channel,
            "target_channel": live.target_channel,
            "legs": json.dumps(live.legs),
            "connected": live.connected,
            "created_at": live.created_at,
            "updated_at": now,
        }
        await asyncio.to_thread(self.store.save, values)

    def _arm(self, live: Live) -> None:
        if live.timer is not None:
            live.timer.cancel()
            live.timer = None
        state = live.state
        if isinstance(state, Ringing):
            due, event = state.deadline, "ring"
        elif isinstance(state, RingingTelephonist):
            due, event = state.deadline, "telephonist"
        else:
            return
        delay = max(0.0, (due - self.clock.now()).total_seconds())
        loop = asyncio.get_running_loop()
        live.timer = loop.call_later(delay, lambda: self.spawn(self._deadline(live, event)))

    async def _deadline(self, live: Live, kind: str) -> None:
        from vaxel.handoff.inputs import RingTimeout

        if kind == "ring" and isinstance(live.state, Ringing):
            await self.feed(live, RingTimeout())
        elif kind == "telephonist" and isinstance(live.state, RingingTelephonist):
            await self.feed(live, TelephonistNoAnswer())

    def forget(self, live: Live) -> None:
        if live.timer is not None:
            live.timer.cancel()
        self.lives.pop(live.id, None)
        for channel, handoff_id in list(self.by_channel.items()):
            if handoff_id == live.id:
                self.by_channel.pop(channel, None)

    # --- the queue connected a call ------------------------------------------------------
    def on_talk(self, talk: Any) -> None:
        """Every call the queue connects: watch the telephonist's leg for keys and REFER;
        a returned call that a telephonist took goes on in the handoff's model."""
        self.stasis.watch_talk(talk)
        live = next((lv for lv in self.lives.values() if lv.caller == talk.caller), None)
        if live is None:
            return
        live.telephonist_channel = talk.leg
        self.by_channel.pop(talk.leg, None)

        async def answered() -> None:
            if isinstance(live.state, RingingTelephonist):
                if talk.telephonist_id != live.state.ctx.telephonist:
                    await self.feed(live, TelephonistNoAnswer())
            if isinstance(live.state, RingingTelephonist | Requeued):
                await self.feed(live, TelephonistAnswered(talk.telephonist_id))

        self.spawn(answered())

    # --- what the API shows --------------------------------------------------------------
    def get(self, handoff_id: str) -> Live:
        live = self.lives.get(handoff_id)
        if live is None:
            raise NotFound(f"no handoff '{handoff_id}' in progress")
        return live

    def snapshot(self) -> list[dict[str, Any]]:
        return [describe(live) for live in self.lives.values()]
