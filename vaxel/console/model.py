"""What one telephonist's console shows, derived from the queue, the handoff and the
directory. No I/O, no clock: the service gathers the facts and passes ``now``.

The console decides nothing about calls. Queue order is ``queue.model.queue_order``, which
state changes are allowed is ``queue.telephonists.transition``, and which colleagues are
free is the directory's free-colleague rule; this module only puts their answers together
into one view, which is sent whole on every change (a reload or a reconnect then shows
exactly what was on screen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from vaxel.queue.model import Entry, EntryKind, InvalidTransition, queue_order
from vaxel.queue.telephonists import (
    Available,
    LoggedOut,
    Login,
    Logout,
    OnCall,
    Pause,
    Paused,
    Ringing,
    Telephonist,
    TelephonistChange,
    Unpause,
    Wrapup,
    transition,
)

# The handoff's states, by name, as the console groups them.
TRANSFER_STATES = frozenset({"Resolving", "Ringing", "Whispering", "Consulting"})
RETURNED_STATES = frozenset(
    {"RingingTelephonist", "Returned", "ReferredToPhoneHours", "TakingMessage"}
)
STATE_CHANGES: dict[str, TelephonistChange] = {
    "login": Login(),
    "logout": Logout(),
    "pause": Pause("paused"),
    "unpause": Unpause(),
}


@dataclass(frozen=True)
class CallFacts:
    """What the entry service recorded about a call: which published number was dialled."""

    number_name: str | None = None
    number_label: str | None = None


@dataclass(frozen=True)
class TalkFacts:
    """A call the queue connected to this telephonist."""

    entry_id: str
    queue: str
    caller_channel: str
    call_id: str | None
    caller_number: str | None
    language: str
    office: str | None
    since: datetime | None
    returned_reason: str | None = None


@dataclass(frozen=True)
class Colleague:
    person_id: str
    name: str
    extension: str
    status: str
    label: str


@dataclass(frozen=True)
class HandoffFacts:
    """One handoff as the console reads it (``service.handoff_facts`` adapts the engine's)."""

    id: str
    state: str
    mode: str | None
    telephonist: str
    caller_channel: str
    call_id: str | None
    caller_number: str | None
    target_name: str | None
    target_person_id: str | None
    reason: str | None = None
    ring_time_s: float | None = None
    absent_until: datetime | None = None
    next_phone_hours: datetime | None = None
    # As the engine says it (handoff.view): "next", "none" (no phone hours ahead) or "unknown".
    phone_hours: str = "unknown"
    looking_up_phone_hours: bool = False


@dataclass(frozen=True)
class ConsoleFacts:
    telephonist: Telephonist
    queue_labels: Mapping[str, str]
    entries: Sequence[Entry]
    talk: TalkFacts | None
    handoffs: Sequence[HandoffFacts]
    calls: Mapping[str, CallFacts]
    colleagues: Mapping[str, Sequence[Colleague]]  # target person id -> free, in rule order
    read_only: bool = False


# --- the view -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueMembership:
    name: str
    label: str
    logged_in: bool


@dataclass(frozen=True)
class StateView:
    status: str
    reason: str | None
    wrapup_until: datetime | None
    ringing_entry: str | None
    queues: tuple[QueueMembership, ...]
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class ReturnedMark:
    reason: str
    from_name: str | None


@dataclass(frozen=True)
class WaitingCaller:
    entry_id: str
    queue: str
    queue_label: str
    position: int
    entered_at: datetime
    callback: bool
    ringing: str | None  # the telephonist it is offered to
    caller_number: str | None
    number_name: str | None
    number_label: str | None
    language: str
    office: str | None
    returned: ReturnedMark | None


@dataclass(frozen=True)
class CurrentCall:
    entry_id: str | None
    call_id: str | None
    handoff_id: str | None
    queue: str
    queue_label: str
    caller_number: str | None
    number_name: str | None
    number_label: str | None
    language: str
    office: str | None
    since: datetime | None


@dataclass(frozen=True)
class TransferView:
    handoff_id: str
    state: str
    mode: str | None
    target_name: str | None


@dataclass(frozen=True)
class ReturnedPanel:
    handoff_id: str
    state: str
    reason: str | None
    target_name: str | None
    target_person_id: str | None
    ring_time_s: float | None
    absent_until: datetime | None
    next_phone_hours: datetime | None
    phone_hours: str
    can_refer: bool
    colleagues: tuple[Colleague, ...]


@dataclass(frozen=True)
class ConsoleView:
    telephonist: str
    read_only: bool
    state: StateView
    waiting: tuple[WaitingCaller, ...]
    call: CurrentCall | None
    transfer: TransferView | None
    returned: ReturnedPanel | None
    extra: dict[str, Any] = field(default_factory=dict)


def state_view(person: Telephonist, labels: Mapping[str, str], now: datetime) -> StateView:
    status = person.status
    allowed = []
    for name, change in STATE_CHANGES.items():
        try:
            transition(person, change, now)
        except InvalidTransition:
            continue
        allowed.append(name)
    return StateView(
        status=status_name(person, now),
        reason=status.reason if isinstance(status, Paused) else None,
        wrapup_until=status.until if isinstance(status, Wrapup) and status.until > now else None,
        ringing_entry=status.entry_id if isinstance(status, Ringing) else None,
        queues=tuple(
            QueueMembership(m.queue, labels.get(m.queue, m.queue), person.logged_in)
            for m in person.queues
        ),
        allowed=tuple(allowed),
    )


def status_name(person: Telephonist, now: datetime) -> str:
    status = person.status
    if isinstance(status, Wrapup):
        return "wrapup" if status.until > now else "available"
    names = {LoggedOut: "logged_out", Available: "available", Ringing: "ringing",
             OnCall: "on_call", Paused: "paused"}  # fmt: skip
    return names.get(type(status), type(status).__name__.lower())


def waiting_callers(facts: ConsoleFacts) -> tuple[WaitingCaller, ...]:
    """Every caller waiting in the queues this telephonist serves, in each queue's order."""
    served = [m.queue for m in facts.telephonist.queues]
    returned_from = {h.caller_channel: h.target_name for h in facts.handoffs}
    rows: list[WaitingCaller] = []
    for queue in served:
        for place, entry in enumerate(queue_order(facts.entries, queue), start=1):
            call = facts.calls.get(entry.call_id or "") or CallFacts()
            mark = None
            if entry.returned is not None:
                source = returned_from.get(entry.channel_id or "")
                mark = ReturnedMark(entry.returned.reason, source)
            rows.append(WaitingCaller(
                entry_id=entry.id, queue=queue, queue_label=facts.queue_labels.get(queue, queue),
                position=place, entered_at=entry.entered_at,
                callback=entry.kind is EntryKind.CALLBACK, ringing=entry.offered_to,
                caller_number=entry.caller_number, number_name=call.number_name,
                number_label=call.number_label, language=entry.language,
                office=entry.office, returned=mark,
            ))  # fmt: skip
    return tuple(rows)


def current_call(facts: ConsoleFacts, mine: Sequence[HandoffFacts]) -> CurrentCall | None:
    """The queue's connected call, or the caller of an attended transfer in progress (the
    handoff holds that call while the telephonist consults)."""
    talk = facts.talk
    labels = facts.queue_labels
    if talk is not None:
        call = facts.calls.get(talk.call_id or "") or CallFacts()
        handoff = next((h for h in mine if h.caller_channel == talk.caller_channel), None)
        return CurrentCall(
            entry_id=talk.entry_id, call_id=talk.call_id,
            handoff_id=handoff.id if handoff else None,
            queue=talk.queue, queue_label=labels.get(talk.queue, talk.queue),
            caller_number=talk.caller_number, number_name=call.number_name,
            number_label=call.number_label, language=talk.language, office=talk.office,
            since=talk.since,
        )  # fmt: skip
    consulting = next((h for h in mine if h.mode == "attended" and h.state in TRANSFER_STATES),
                      None)  # fmt: skip
    if consulting is None:
        return None
    call = facts.calls.get(consulting.call_id or "") or CallFacts()
    return CurrentCall(
        entry_id=None, call_id=consulting.call_id, handoff_id=consulting.id, queue="",
        queue_label="",
        caller_number=consulting.caller_number, number_name=call.number_name,
        number_label=call.number_label, language="sv", office=None, since=None,
    )  # fmt: skip


def can_refer(back: HandoffFacts, read_only: bool) -> bool:
    """Any call that came back may be referred to the target's phone hours, whatever the
    reason. When the target has none, the engine tells the telephonist and keeps the call,
    so the key stays live; only a referral already under way or a read-only seat stops it."""
    return not read_only and back.state == "Returned" and not back.looking_up_phone_hours


def console_view(facts: ConsoleFacts, now: datetime) -> ConsoleView:
    me = facts.telephonist.id
    mine = [h for h in facts.handoffs if h.telephonist == me]
    transfer = next((h for h in mine if h.state in TRANSFER_STATES), None)
    back = next((h for h in mine if h.state in RETURNED_STATES), None)
    panel = None
    if back is not None:
        colleagues = facts.colleagues.get(back.target_person_id or "", ())
        panel = ReturnedPanel(
            handoff_id=back.id, state=back.state, reason=back.reason,
            target_name=back.target_name, target_person_id=back.target_person_id,
            ring_time_s=back.ring_time_s, absent_until=back.absent_until,
            next_phone_hours=back.next_phone_hours, phone_hours=back.phone_hours,
            can_refer=can_refer(back, facts.read_only), colleagues=tuple(colleagues),
        )  # fmt: skip
    return ConsoleView(
        telephonist=me,
        read_only=facts.read_only,
        state=state_view(facts.telephonist, facts.queue_labels, now),
        waiting=waiting_callers(facts),
        call=current_call(facts, mine),
        transfer=None if transfer is None else TransferView(
            transfer.id, transfer.state, transfer.mode, transfer.target_name
        ),
        returned=panel,
    )  # fmt: skip


def to_json(
    view: ConsoleView, now: datetime, shared: dict[Any, Any] | None = None
) -> dict[str, Any]:
    """The view as JSON, with the server's time so the page can count waits and wrap-up.

    ``shared``: a memo kept over one pass of many views. Everyone serving a queue sees the
    same waiting callers, and turning them into JSON was most of a pass's cost, so they are
    converted once per distinct list (the list is shared: nobody may change it)."""
    if shared is None:
        return {**_plain(asdict(view)), "now": now.isoformat()}
    waiting = shared.get(view.waiting)
    if waiting is None:
        waiting = shared[view.waiting] = [_plain(asdict(w)) for w in view.waiting]
    return {**_plain(asdict(replace(view, waiting=()))), "waiting": waiting,
            "now": now.isoformat()}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
