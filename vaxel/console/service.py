"""Keeps every open console's view live: gathers the facts from the queue, handoff and
directory services, asks the model for the view, and publishes it on the bus when it
changed.

Watching by comparison rather than by hooks into every package: a view is a few dozen
small objects, so building the watched views five times a second costs little, and no
package has to know the console exists. A change reaches the page within one tick plus
the network.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.console.model import (
    CallFacts,
    Colleague,
    ConsoleFacts,
    ConsoleView,
    HandoffFacts,
    TalkFacts,
    console_view,
    to_json,
)
from vaxel.context import Bus
from vaxel.errors import Conflict, DomainError
from vaxel.handoff.view import describe
from vaxel.numbers import NumberRefused, check_number, normalise
from vaxel.queue.model import Entry

log = structlog.get_logger("vaxel.console")
TICK_S = 0.2
# Enough for a busy day's callers; older ones are dropped from the look-up caches.
CACHE_LIMIT = 2000


@dataclass(frozen=True)
class EntryInfo:
    """What a connected call shows of the queue entry it came from."""

    call_id: str | None
    caller_number: str | None
    language: str
    office: str | None
    returned_reason: str | None

    @classmethod
    def of(cls, entry: Any) -> EntryInfo:
        """From an ``Entry`` (``returned.reason``) or a stored row (``returned_reason``)."""
        returned = getattr(entry, "returned", None)
        reason = returned.reason if returned is not None else None
        return cls(entry.call_id, entry.caller_number, entry.language, entry.office,
                   reason or getattr(entry, "returned_reason", None))  # fmt: skip


def console_topic(telephonist_id: str) -> str:
    return f"console:{telephonist_id}"


def handoff_facts(live: Any) -> HandoffFacts:
    """The one place the console reads the handoff engine's state: the engine's own
    description (``handoff.view.describe``, the same one GET /api/v1/handoffs returns), so
    the console and the API show the same reason, target and phone hours."""
    seen = describe(live)
    returned = seen["returned"] or {}
    target = seen["target_detail"] or seen["requested"] or {}
    return HandoffFacts(
        id=seen["id"],
        state=seen["state"],
        mode=seen["mode"],
        telephonist=seen["telephonist"],
        caller_channel=live.caller,
        call_id=seen["call_id"],
        caller_number=live.caller_number,
        target_name=target.get("name"),
        target_person_id=target.get("person_id"),
        reason=returned.get("reason"),
        ring_time_s=returned.get("ring_time_s"),
        absent_until=_moment(returned.get("absent_until")),
        next_phone_hours=_moment(returned.get("next_phone_hours")),
        phone_hours=returned.get("phone_hours", "unknown"),
        looking_up_phone_hours=returned.get("looking_up_phone_hours", False),
    )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class ConsoleService:
    def __init__(
        self, *, config: SiteConfig, clock: Clock, bus: Bus, services: dict[str, Any]
    ) -> None:
        self.config, self.clock, self.bus, self.services = config, clock, bus, services
        self.queue_labels = {q.name: q.label for q in config.queues}
        self.watchers: dict[str, int] = {}
        self._published: dict[str, ConsoleView] = {}
        self._entries: dict[str, EntryInfo] = {}  # every entry seen, for the call it becomes
        self._answered: dict[str, datetime] = {}  # entry id -> when the talk began
        self._calls: dict[str, CallFacts] = {}
        self._fetching: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        # Asterisk's timestamp of the first ARI event since the last pass: a changed view
        # carries it as ``event_at``, so event-to-screen latency can be measured (bench/).
        self._first_event_at: str | None = None

    # --- who is whose telephonist -------------------------------------------------------
    def telephonist_of(self, username: str, person_id: str | None) -> str | None:
        """The same rule as the queue API: the account's name is the telephonist id, or the
        account's directory person is the telephonist's person."""
        for t in self.config.telephonists:
            if t.id == username or (t.person is not None and t.person == person_id):
                return t.id
        return None

    def exists(self, telephonist_id: str) -> bool:
        return any(t.id == telephonist_id for t in self.config.telephonists)

    # --- facts --------------------------------------------------------------------------
    def record_call(self, call_id: str, fields: dict[str, object]) -> None:
        """CallStore hook (a worker thread): the number dialled, as soon as the call starts."""
        dialled = fields.get("dialled_number")
        if isinstance(dialled, str):
            self._calls[call_id] = self._call_facts(dialled)

    def _call_facts(self, dialled: str) -> CallFacts:
        try:
            number = self.config.number_by_e164(normalise(dialled))
        except NumberRefused:
            number = None
        if number is None:
            return CallFacts(None, dialled or None)
        return CallFacts(number.name, number.label)

    def facts(self, telephonist_id: str, read_only: bool = False) -> ConsoleFacts | None:
        queues = self.services.get("queues")
        if queues is None or telephonist_id not in queues.people:
            return None
        now = self.clock.now()
        entries = list(queues.entries.values())
        for entry in entries:
            self._entries[entry.id] = EntryInfo.of(entry)
        talk = self._talk(queues, telephonist_id, now)
        handoffs = self.services.get("handoffs")
        directory = self.services.get("directory")
        lives = list(handoffs.lives.values()) if handoffs is not None else []
        found = [handoff_facts(live) for live in lives]
        call_ids = {e.call_id for e in entries if e.call_id}
        call_ids |= {h.call_id for h in found if h.call_id}
        if talk is not None and talk.call_id:
            call_ids.add(talk.call_id)
        for call_id in call_ids - self._calls.keys():
            self._fetch_call(call_id)
        colleagues = {
            h.target_person_id: self._colleagues(directory, h.target_person_id, now)
            for h in found
            if h.telephonist == telephonist_id and h.reason and h.target_person_id
        }
        self._prune(entries)
        return ConsoleFacts(
            telephonist=queues.people[telephonist_id],
            queue_labels=self.queue_labels,
            entries=entries,
            talk=talk,
            handoffs=found,
            calls=dict(self._calls),
            colleagues=colleagues,
            read_only=read_only,
        )

    def _talk(self, queues: Any, telephonist_id: str, now: datetime) -> TalkFacts | None:
        talk = next(
            (t for t in list(queues.calls.talks.values()) if t.telephonist_id == telephonist_id),
            None,
        )
        if talk is None:
            return None
        entry = self._entries.get(talk.entry_id)
        if entry is None:
            self._fetch_entry(queues, talk.entry_id)
        since = self._answered.setdefault(talk.entry_id, now)
        return TalkFacts(
            entry_id=talk.entry_id, queue=talk.queue, caller_channel=talk.caller,
            call_id=entry.call_id if entry else None,
            caller_number=entry.caller_number if entry else None,
            language=entry.language if entry else "sv", office=entry.office if entry else None,
            since=since, returned_reason=entry.returned_reason if entry else None,
        )  # fmt: skip

    def _colleagues(self, directory: Any, person_id: str, now: datetime) -> list[Colleague]:
        if directory is None:
            return []
        from vaxel.directory.views import presence_label

        found = []
        with contextlib.suppress(Exception):
            by_ext = directory.snapshot.by_extension
            for person in directory.free_colleagues(person_id, now):
                presence = directory.presence(person.id, now)
                found.append(Colleague(person.id, person.name, person.extension,
                                       presence.status.kind.value,
                                       presence_label(presence, "sv", by_ext)))  # fmt: skip
        return found

    def _fetch_entry(self, queues: Any, entry_id: str) -> None:
        """After a restart the talk's entry is only in the store: read it once."""
        if entry_id in self._fetching:
            return
        self._fetching.add(entry_id)

        async def fetch() -> None:
            try:
                row = await asyncio.to_thread(queues.store.entry, entry_id)
                if row is not None:
                    self._entries[entry_id] = EntryInfo.of(row)
                    if row.left_at is not None:
                        self._answered[entry_id] = row.left_at
            finally:
                self._fetching.discard(entry_id)

        self._spawn(fetch())

    def _fetch_call(self, call_id: str) -> None:
        calls = self.services.get("calls")
        if calls is None or call_id in self._fetching:
            return
        self._fetching.add(call_id)

        async def fetch() -> None:
            try:
                record = await asyncio.to_thread(calls.get, call_id)
                self._calls[call_id] = (
                    self._call_facts(record.dialled_number) if record is not None else CallFacts()
                )
            finally:
                self._fetching.discard(call_id)

        self._spawn(fetch())

    def _spawn(self, coro: Any) -> None:
        try:
            asyncio.get_running_loop().create_task(coro)
        except RuntimeError:
            coro.close()

    def _prune(self, entries: list[Entry]) -> None:
        if len(self._entries) > CACHE_LIMIT:
            live = {e.id for e in entries}
            for key in [k for k in self._entries if k not in live][: CACHE_LIMIT // 2]:
                self._entries.pop(key, None)
                self._answered.pop(key, None)
        if len(self._calls) > CACHE_LIMIT:
            for key in list(self._calls)[: CACHE_LIMIT // 2]:
                self._calls.pop(key, None)

    # --- actions the queue owns -------------------------------------------------------
    async def book_callback(self, telephonist_id: str, number: str | None) -> dict[str, str]:
        """A callback for the caller on this telephonist's call, on their own number unless
        another is given: the queue's own callback request, served in its order."""
        queues = self.services.get("queues")
        facts = self.facts(telephonist_id)
        talk = facts.talk if facts is not None else None
        if queues is None or talk is None:
            raise Conflict("there is no call to book a callback for")
        raw = (number or "").strip() or talk.caller_number or ""
        try:
            checked = check_number(raw, self.config.number_policy)
        except NumberRefused as refused:
            raise DomainError(str(refused), code="number_refused", status=422) from None
        reference = await queues.request_callback(
            queue=talk.queue, number=checked, language=talk.language,
            requested_at=self.clock.now(), call_id=talk.call_id or talk.entry_id,
        )  # fmt: skip
        log.info("console_callback_booked", telephonist=telephonist_id, entry=reference)
        return {"reference": reference, "number": checked.e164, "queue": talk.queue}

    # --- views --------------------------------------------------------------------------
    def view(self, telephonist_id: str, read_only: bool = False) -> dict[str, Any] | None:
        built = self._view(telephonist_id, read_only)
        return None if built is None else to_json(*built)

    def _view(
        self, telephonist_id: str, read_only: bool = False
    ) -> tuple[ConsoleView, datetime] | None:
        facts = self.facts(telephonist_id, read_only)
        if facts is None:
            return None
        now = self.clock.now()
        return console_view(facts, now), now

    def watch(self, telephonist_id: str) -> asyncio.Queue[Any]:
        self.watchers[telephonist_id] = self.watchers.get(telephonist_id, 0) + 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return self.bus.subscribe(console_topic(telephonist_id))

    def unwatch(self, telephonist_id: str, queue: asyncio.Queue[Any]) -> None:
        self.bus.unsubscribe(console_topic(telephonist_id), queue)
        left = self.watchers.get(telephonist_id, 0) - 1
        if left <= 0:
            self.watchers.pop(telephonist_id, None)
            self._published.pop(telephonist_id, None)
        else:
            self.watchers[telephonist_id] = left

    def note_event(self, event: dict[str, Any]) -> None:
        """Router observer: called for every ARI event, so only a comparison and a store."""
        if self._first_event_at is None and self.watchers:
            self._first_event_at = event.get("timestamp")

    def publish_changes(self) -> int:
        """Publish every watched view that differs from the one last published. A changed
        view carries the first ARI event since the previous pass as its likeliest cause
        (the earliest, so the latency it gives is an upper bound)."""
        event_at, self._first_event_at = self._first_event_at, None
        changed, shared = 0, dict[Any, Any]()
        for telephonist_id in list(self.watchers):
            built = self._view(telephonist_id)
            # The frozen view compares by value: JSON only for the views that changed.
            if built is None or self._published.get(telephonist_id) == built[0]:
                continue
            self._published[telephonist_id] = built[0]
            view = {**to_json(*built, shared), "event_at": event_at}
            self.bus.publish(console_topic(telephonist_id), view)
            changed += 1
        return changed

    async def _run(self) -> None:
        while self.watchers:
            try:
                self.publish_changes()
            except Exception:
                log.exception("console_view_failed")
            await asyncio.sleep(TICK_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
