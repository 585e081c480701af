"""The queue runtime: holds the state, asks the model, and carries out what it decides.

Every state change is one synchronous step (no ``await`` between the model's decision and
applying it), so on the event loop it is atomic: two events can never both take the same
caller or the same telephonist. I/O (ARI, the store) follows the step. Store writes are
submitted in order to one worker thread (``Persister``), so the database always ends with
the last decision. Multi-step I/O on one queue (entering: bridge, then persist) runs under
that queue's lock; there is no global lock.

Ringing and callback dialling live in ``legs.py``, connected calls in ``calls.py``; what the
waiting caller hears and presses in ``announce.py``; restart and reconnect in ``restart.py``;
what the passing of time decides in ``tick.py``.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from datetime import datetime, timedelta
from typing import Any

import structlog

from vaxel.asterisk.ari import AriClient, AriError
from vaxel.asterisk.router import Router
from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock
from vaxel.config import Queue, SiteConfig
from vaxel.errors import DomainError, NotFound
from vaxel.ivr.model import decide
from vaxel.numbers import CheckedNumber
from vaxel.queue import events as ev
from vaxel.queue.distribution import offers
from vaxel.queue.estimate import (
    Admit,
    RefuseReason,
    admit,
    logged_in_count,
    parse_overflow,
)
from vaxel.queue.model import (
    CallbackPolicy,
    Entry,
    EntryKind,
    EntryState,
    InvalidTransition,
    request_callback,
)
from vaxel.queue.ports import FULL_FROM, QueueCall, holding_bridge_id
from vaxel.queue.state import Persister, Waiter
from vaxel.queue.store import QueueStore
from vaxel.queue.telephonists import (
    Login,
    Logout,
    Membership,
    Pause,
    Telephonist,
    TelephonistChange,
    Unpause,
    transition,
)
from vaxel.stats.model import WRAP_UP_KEYS

log = structlog.get_logger("vaxel.queue")
# The wait estimate is based on this many recent handle times, none older than the age
# below: after a restart the estimate rests on the same calls it did before.
HANDLE_TIME_SAMPLES = 20
HANDLE_TIME_MAX_AGE = timedelta(hours=24)


class QueueService:
    def __init__(
        self,
        *,
        config: SiteConfig,
        clock: Clock,
        calendar: BusinessCalendar,
        ari: AriClient,
        router: Router,
        store: QueueStore,
        services: dict[str, Any],
    ) -> None:
        self.config, self.clock, self.calendar = config, clock, calendar
        self.ari, self.router, self.store, self.services = ari, router, store, services
        self.queues: dict[str, Queue] = {q.name: q for q in config.queues}
        self.entries: dict[str, Entry] = {}
        self.waiters: dict[str, Waiter] = {}
        self.by_channel: dict[str, str] = {}  # caller channel -> entry id
        self.people: dict[str, Telephonist] = {
            t.id: Telephonist(
                t.id, t.endpoint, tuple(Membership(q, p) for q, p in t.queues.items())
            )
            for t in config.telephonists
        }
        self.handle_times: dict[str, deque[float]] = {
            q: deque(maxlen=HANDLE_TIME_SAMPLES) for q in self.queues
        }
        self.open: dict[str, bool] = {}
        self.persist = Persister()
        self._unsaved: dict[str, tuple[Telephonist, datetime]] = {}
        self._unsaved_lock = threading.Lock()
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._bridges: set[str] = set()
        # Set by the wiring: the collaborators that ring, connect, speak and restart.
        self.legs: Any = None
        self.calls: Any = None
        self.announcer: Any = None
        self.stasis: Any = None
        self.voice_messages: Any = None

    # --- small helpers -------------------------------------------------------------------
    def queue(self, name: str) -> Queue:
        found = self.queues.get(name)
        if found is None:
            raise NotFound(f"no queue '{name}' in the site file")
        return found

    def lock(self, queue: str) -> asyncio.Lock:
        return self._locks.setdefault(queue, asyncio.Lock())

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("queue_task_failed", error=repr(task.exception()), exc_info=task.exception())

    def emit(self, event: Any, channel_id: str | None = None) -> None:
        sink = self.services.get("labels")
        if sink is not None:
            self.spawn(sink.emit(event, channel_id=channel_id))

    def contact(self, entry: Entry) -> str:
        return entry.call_id or entry.id

    def set_entry(self, entry: Entry) -> asyncio.Future[Any]:
        self.entries[entry.id] = entry
        return self.persist.submit(self.store.save_entry, entry)

    def set_person(self, person: Telephonist) -> None:
        self.people[person.id] = person
        # At most one write per telephonist waits in the writer; it saves the latest state.
        with self._unsaved_lock:
            waiting = person.id in self._unsaved
            self._unsaved[person.id] = (person, self.clock.now())
        if not waiting:
            self.persist.submit(self._save_person, person.id)

    def _save_person(self, telephonist_id: str) -> None:
        with self._unsaved_lock:
            person, at = self._unsaved.pop(telephonist_id)
        self.store.save_telephonist(person, at)

    def is_open(self, queue: str, now: datetime | None = None) -> bool:
        cfg = self.queue(queue)
        return decide(
            self.config.schedules[cfg.schedule], self.calendar, now or self.clock.now()
        ).open

    def next_open(self, queue: str) -> datetime | None:
        cfg = self.queue(queue)
        now = self.clock.now()
        return decide(self.config.schedules[cfg.schedule], self.calendar, now).next_open

    def waiting_in(self, queue: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.queue == queue]

    def record_handle_time(self, queue: str, seconds: float) -> None:
        self.handle_times[queue].append(seconds)
        self.persist.submit(self.store.add_handle_time, queue, self.clock.now(), seconds)

    def load_handle_times(self) -> None:
        """Blocking (the store): call from a worker thread."""
        since = self.clock.now() - HANDLE_TIME_MAX_AGE
        for queue, samples in self.handle_times.items():
            samples.clear()
            samples.extend(self.store.recent_handle_times(queue, since, HANDLE_TIME_SAMPLES))

    def callback_policy(self, queue: str) -> CallbackPolicy:
        cfg = self.queue(queue)
        return CallbackPolicy(
            cfg.callback_max_attempts, timedelta(seconds=cfg.callback_retry_delay_s)
        )

    async def ensure_bridge(self, queue: str) -> str:
        bridge_id = holding_bridge_id(queue)
        if bridge_id not in self._bridges:
            try:
                await self.ari.create_bridge(bridge_id, "holding")
            except AriError as exc:
                if exc.status != 409:  # 409: it exists, e.g. from before a restart
                    raise
            try:
                # One music stream for the whole bridge (an announcer channel), not one per caller.
                await self.ari.start_moh(f"bridges/{bridge_id}")
            except AriError as exc:
                log.info("queue_bridge_moh", bridge=bridge_id, reason=str(exc))
            self._bridges.add(bridge_id)
        return bridge_id

    def forget_bridges(self) -> None:
        """After a reconnect the bridges may be gone (an Asterisk restart): check again."""
        self._bridges.clear()

    # --- entering and leaving ------------------------------------------------------------
    async def enter(self, call: QueueCall) -> None:
        """QueuePort.enter: into the holding bridge within a second, persisted on return."""
        cfg = self.queue(call.queue)
        now = self.clock.now()
        async with self.lock(cfg.name):
            verdict = admit(
                cfg,
                len(self.waiting_in(cfg.name)),
                logged_in_count(self.people.values(), cfg.name),
                self.is_open(cfg.name, now),
                admit_when_nobody_logged_in=cfg.when_nobody_logged_in == "admit",
            )
            if not isinstance(verdict, Admit) and call.returned is None:
                # A returned call is never refused: the caller must not be dropped.
                self.emit(ev.QueueRefused(now, cfg.name, call.call_id, verdict.reason.value))
                sent_on = {RefuseReason.FULL: cfg.when_full,
                           RefuseReason.NOBODY_LOGGED_IN: cfg.when_nobody_logged_in}  # fmt: skip
                if verdict.reason in sent_on and FULL_FROM not in call.tags:
                    destination = parse_overflow(sent_on[verdict.reason])
                    self.spawn(self.announcer.send_on(call, destination, verdict.reason))
                else:
                    self.spawn(self.announcer.refused(call, verdict.reason))
                return
            returned = None
            if call.returned is not None:
                from vaxel.queue.model import Returned

                r = call.returned
                returned = Returned(r.reason, r.whisper, now, r.preferred_telephonist)
            entry = Entry(
                id=uuid.uuid4().hex[:16],
                queue=cfg.name,
                entered_at=call.entered_at or now,
                channel_id=call.channel_id,
                call_id=call.call_id,
                language="en" if call.language == "en" else "sv",
                caller_number=call.caller_number,
                office=call.tags.get("office"),
                returned=returned,
                queued_at=now if call.entered_at else None,
            )
            self.adopt(entry, previous_owner=self.router.owner(call.channel_id))
            saved = self.set_entry(entry)
            bridge = await self.ensure_bridge(cfg.name)
        # The place in the queue is decided above, under the lock; joining the bridge and the
        # store write need not hold up the callers arriving behind this one.
        try:
            await self.ari.add_to_bridge(bridge, call.channel_id)
        except AriError as exc:
            log.info("queue_enter_failed", channel=call.channel_id, reason=str(exc))
        await saved
        self.emit(
            ev.QueueEntered(
                now, cfg.name, call.call_id, entry.id, entry.kind.value, bool(returned)
            ),
            call.channel_id,
        )
        log.info("queue_entered", queue=cfg.name, entry=entry.id, returned=bool(returned))
        self.announcer.start(entry.id)
        self.distribute()

    def adopt(self, entry: Entry, previous_owner: Any = None) -> None:
        """Own a waiting caller's channel: its events now come to the queue."""
        self.waiters.setdefault(entry.id, Waiter(previous_owner=previous_owner))
        if entry.channel_id and entry.kind is EntryKind.CALLER:
            self.by_channel[entry.channel_id] = entry.id
            self.router.claim(entry.channel_id, self.stasis)

    def leave(
        self, entry_id: str, reason: ev.LeaveReason | str, answered_by: str | None = None
    ) -> Entry | None:
        """Take the entry out of the queue (synchronously) and record why."""
        entry = self.entries.pop(entry_id, None)
        if entry is None:
            return None
        waiter = self.waiters.pop(entry_id, None)
        if waiter and waiter.announcer:
            waiter.announcer.cancel()
        if entry.channel_id:
            self.by_channel.pop(entry.channel_id, None)
        now = self.clock.now()
        self.persist.submit(
            self.store.leave, entry, at=now, reason=str(reason), answered_by=answered_by
        )
        if isinstance(reason, ev.LeaveReason):
            self.emit(ev.QueueLeft(now, entry.queue, self.contact(entry), entry.id, reason))
        return entry

    async def caller_gone(self, channel_id: str) -> None:
        """The caller hung up while waiting (or ringing a telephonist)."""
        entry_id = self.by_channel.get(channel_id)
        entry = self.entries.get(entry_id) if entry_id else None
        if entry is None or entry.kind is not EntryKind.CALLER:
            return
        if entry.state is EntryState.OFFERED:
            self.legs.cancel_ring(entry.id)
        self.leave(entry.id, ev.LeaveReason.ABANDONED)
        log.info("queue_abandoned", entry=entry.id, queue=entry.queue)
        self.distribute()

    # --- distribution --------------------------------------------------------------------
    def distribute(self) -> None:
        """Ask the model for every offer to make now and start ringing them."""
        now = self.clock.now()
        found = offers(
            list(self.entries.values()),
            list(self.people.values()),
            now,
            queue_priorities={q.name: q.priority for q in self.queues.values()},
            open_queues={name for name, is_open in self.open.items() if is_open},
        )
        for offer in found:
            self.legs.ring(offer, now)

    # --- telephonists --------------------------------------------------------------------
    def change(self, telephonist_id: str, change: TelephonistChange) -> Telephonist:
        person = self.people.get(telephonist_id)
        if person is None:
            raise NotFound(f"no telephonist '{telephonist_id}' in the site file")
        now = self.clock.now()
        try:
            updated = transition(person, change, now)
        except InvalidTransition as exc:
            raise DomainError(str(exc), code="invalid_transition", status=409) from None
        self.set_person(updated)
        match change:
            case Login():
                self.emit(ev.TelephonistLoggedIn(now, telephonist_id))
            case Logout():
                self.emit(ev.TelephonistLoggedOut(now, telephonist_id))
            case Pause(reason):
                self.emit(ev.TelephonistPaused(now, telephonist_id, reason))
            case Unpause():
                self.emit(ev.TelephonistUnpaused(now, telephonist_id))
        log.info("telephonist_changed", telephonist=telephonist_id, change=type(change).__name__)
        self.distribute()
        return updated

    def by_endpoint(self, endpoint: str) -> Telephonist | None:
        return next((t for t in self.people.values() if t.endpoint == endpoint), None)

    def set_wrapup_code(self, telephonist_id: str, digits: str) -> str | None:
        """Raises DomainError for digits that are no wrap-up code."""
        code = WRAP_UP_KEYS.get(digits)
        if code is None:
            raise DomainError(f"'{digits}' is not a wrap-up code")
        entry_id = self.calls.last_call.get(telephonist_id)
        if entry_id is None:
            return None
        now = self.clock.now()

        def emit(saved: asyncio.Future[tuple[str, str] | None]) -> None:
            if not saved.cancelled() and saved.exception() is None and saved.result():
                queue, contact = saved.result()  # type: ignore[misc]
                self.emit(ev.WrapUpKeyed(now, queue, contact, entry_id, code.value, telephonist_id))

        self.persist.submit(self.store.set_wrapup_code, entry_id, digits).add_done_callback(emit)
        return entry_id

    # --- callbacks -----------------------------------------------------------------------
    def make_callback(self, entry_id: str, number: CheckedNumber) -> Entry:
        """The waiting caller chose a callback: same entry, same place, no channel."""
        entry = self.entries[entry_id]
        now = self.clock.now()
        updated = request_callback(entry, number=number.e164, now=now)
        if entry.channel_id:
            self.by_channel.pop(entry.channel_id, None)
        self.set_entry(updated)
        contact = self.contact(entry)
        self.emit(ev.CallbackRequested(now, entry.queue, contact, entry.id), entry.channel_id)
        self.emit(
            ev.QueueLeft(now, entry.queue, contact, entry.id, ev.LeaveReason.CALLBACK_REQUESTED)
        )
        return updated

    async def request_callback(
        self,
        *,
        queue: str,
        number: CheckedNumber,
        language: str,
        requested_at: datetime,
        call_id: str,
    ) -> str:
        """QueuePort.request_callback, e.g. left in closed hours: served when the queue opens,
        in the place its request time gives it."""
        self.queue(queue)
        entry = Entry(
            id=uuid.uuid4().hex[:16],
            queue=queue,
            entered_at=requested_at,
            kind=EntryKind.CALLBACK,
            call_id=call_id,
            language="en" if language == "en" else "sv",
            caller_number=number.e164,
        )
        self.waiters[entry.id] = Waiter()
        await self.set_entry(entry)
        now = self.clock.now()
        self.emit(ev.QueueEntered(now, queue, call_id, entry.id, entry.kind.value))
        self.emit(ev.CallbackRequested(now, queue, call_id, entry.id))
        self.distribute()
        return entry.id
