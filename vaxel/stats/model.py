"""Caller-view contacts, their stints, and the audit classification. Pure: no I/O.

One *contact* is one citizen's call as the citizen experienced it, however many queues,
telephonists, transfers and returns it passed through (QueueMetrics calls this
"multi-stint"). Asterisk's ``linkedid`` ties the channels of one contact together.

Outcome precedence (first rule that matches wins; ``classify`` implements exactly this):

1. ``closed``: the contact arrived while closed. It was never offered, so nothing else counts.
2. ``answered_by_officer_after_transfer``: some handoff attempt was answered by its target.
3. ``callback``: a callback was requested (in the queue or by the telephonist).
4. ``message_taken``: a message stint exists, or the handoff concluded with a message.
5. ``referred_to_phone_hours``: the handoff concluded with a referral to phone hours (the
   telephonist pressed ``*4`` after a return).
   Only when the handoff concluded nothing: ``message_taken`` if the wrap-up code is
   ``message``, ``referred_to_phone_hours`` if it says the caller was told to call in
   phone hours.
6. ``answered_by_switchboard`` / ``answered_by_centre``: a telephonist answered and the
   wrap-up is ``answered_directly``, ``referred_to_e_service`` or ``other``, or there is no
   wrap-up and no transfer was tried. Which of the two depends on the number dialled: the
   switchboard number gives the switchboard, the centre and office numbers give the centre.
7. ``abandoned_in_queue``: no telephonist answered and the caller hung up while waiting.
8. ``no_answer``: everything else: hung up in the IVR or during a transfer, or a failed
   transfer after which the caller got neither an answer, a message nor a referral.

Facts recorded as stints (an answered transfer, a callback, a message) and the handoff's
own conclusion outrank the telephonist's wrap-up code, because the code is typed by hand
after the call: it may confirm a conclusion, it is never needed for one, and a contact is
counted once whatever was keyed.

A callback ends the caller's own call: the wait is up to the request, and the later talk is
the callback's (time to callback), not an answer of the call after hours of "waiting".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECOND = timedelta(seconds=1)


class StintKind(StrEnum):
    IVR = "ivr"
    QUEUE_WAIT = "queue_wait"
    TELEPHONIST = "telephonist"
    HANDOFF_ATTEMPT = "handoff_attempt"
    RETURN = "return"
    CALLBACK = "callback"
    MESSAGE = "message"


class StintOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    # Left a queue without hanging up: for a callback, a message, or overflow to another queue.
    LEFT = "left"
    COMPLETED = "completed"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    # Absent, closed extension, or a mobile that cannot be reached.
    UNAVAILABLE = "unavailable"
    DECLINED = "declined"
    FAILED = "failed"
    PENDING = "pending"


class NumberKind(StrEnum):
    SWITCHBOARD = "switchboard"
    CENTRE = "centre"
    OFFICE = "office"


class OpeningState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class WrapUp(StrEnum):
    ANSWERED_DIRECTLY = "answered_directly"
    TRANSFERRED = "transferred"
    MESSAGE = "message"
    REFERRED_TO_PHONE_HOURS = "referred_to_phone_hours"
    REFERRED_TO_E_SERVICE = "referred_to_e_service"
    OTHER = "other"


# What a telephonist dials after ``*25`` (README, "Keys for telephonists").
WRAP_UP_KEYS: Mapping[str, WrapUp] = {
    "1": WrapUp.ANSWERED_DIRECTLY,
    "2": WrapUp.TRANSFERRED,
    "3": WrapUp.MESSAGE,
    "4": WrapUp.REFERRED_TO_PHONE_HOURS,
    "5": WrapUp.REFERRED_TO_E_SERVICE,
    "6": WrapUp.OTHER,
}


class Outcome(StrEnum):
    ANSWERED_BY_CENTRE = "answered_by_centre"
    ANSWERED_BY_SWITCHBOARD = "answered_by_switchboard"
    ANSWERED_BY_OFFICER_AFTER_TRANSFER = "answered_by_officer_after_transfer"
    REFERRED_TO_PHONE_HOURS = "referred_to_phone_hours"
    MESSAGE_TAKEN = "message_taken"
    CALLBACK = "callback"
    ABANDONED_IN_QUEUE = "abandoned_in_queue"
    CLOSED = "closed"
    NO_ANSWER = "no_answer"


@dataclass(frozen=True, slots=True)
class Stint:
    """One leg of a contact.

    ``end`` is None while a stint is still running, for a callback not yet made, and for a
    message not yet handled. For a callback ``start`` is when it was requested; for a
    message ``start`` is when it was taken and ``end`` when it was handled.
    """

    kind: StintKind
    start: datetime
    end: datetime | None = None
    outcome: StintOutcome | None = None
    queue: str | None = None
    telephonist: str | None = None
    target_person: str | None = None
    target_unit: str | None = None
    target_department: str | None = None
    deadline: datetime | None = None
    wrap_up_seconds: int = 0


@dataclass(frozen=True, slots=True)
class Contact:
    contact_id: str
    started_at: datetime
    number_dialled: str
    number_kind: NumberKind
    opening: OpeningState
    caller: str | None = None
    wrap_up: WrapUp | None = None
    stints: tuple[Stint, ...] = ()
    # What the handoff concluded after a return (referral or message), in the wrap-up
    # codes' terms; the latest one stands.
    concluded: WrapUp | None = None


@dataclass(frozen=True, slots=True)
class Pause:
    telephonist: str
    start: datetime
    end: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class LabelledEvent:
    """A business event as the controller emits it, keyed by the contact's linkedid.

    Kinds are ``contact.start`` (attrs: number_dialled, number_kind, opening, caller),
    ``contact.wrap_up`` (attrs: code), ``contact.concluded`` (attrs: outcome, a wrap-up
    code's name), ``contact.end``, and ``<stint kind>.start`` /
    ``<stint kind>.end`` for every ``StintKind``. Stint attrs use the ``Stint`` field names;
    ``deadline`` is ISO 8601 and ``wrap_up_seconds`` an integer.
    """

    contact_id: str
    ts: datetime
    kind: str
    attrs: Mapping[str, str]


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds, truncated as Asterisk does, and correct across a DST change."""
    delta = end - start
    if end.tzinfo is start.tzinfo:
        # Python subtracts wall-clock times when both share a tzinfo; undo a DST shift.
        end_offset, start_offset = end.utcoffset(), start.utcoffset()
        if end_offset != start_offset and end_offset is not None and start_offset is not None:
            delta -= end_offset - start_offset
    return delta // SECOND


@dataclass(frozen=True, slots=True)
class Summary:
    """What the reports need to know about a contact, found in one pass over its stints.

    ``reached_service``: reached a queue or a person while open (offered, before the
    short-abandon rule). ``wait``: whole seconds from the first queue entry to the first
    telephonist answer, spanning every queue in between; unanswered, to the end of the last
    queue wait; 0 if answered without queueing; None if it never queued nor was answered.
    ``abandoned``: never answered by a telephonist and hung up while waiting in a queue.
    """

    outcome: Outcome
    reached_service: bool
    answered: bool
    abandoned: bool
    wait: int | None


_ANSWERED_WRAP_UPS = (
    WrapUp.ANSWERED_DIRECTLY,
    WrapUp.REFERRED_TO_E_SERVICE,
    WrapUp.OTHER,
)


_CALLERS_OWN = (StintKind.QUEUE_WAIT, StintKind.TELEPHONIST)


def summarise(contact: Contact) -> Summary:
    entered: datetime | None = None
    last_end: datetime | None = None
    answered_at: datetime | None = None
    queued = handoff = handoff_answered = callback = message = hung_up = False
    # A callback ends the caller's own call: what happens from its request on (the entry
    # served, the talk) is the callback's, not a wait or an answer of this call.
    promised_at = min(
        (s.start for s in contact.stints if s.kind is StintKind.CALLBACK), default=None
    )
    for stint in contact.stints:
        kind = stint.kind
        if promised_at is not None and stint.start >= promised_at and kind in _CALLERS_OWN:
            continue
        if kind is StintKind.QUEUE_WAIT:
            queued = True
            if answered_at is None:
                if entered is None:
                    entered = stint.start
                last_end = stint.end or last_end
                if stint.outcome is StintOutcome.ABANDONED:
                    hung_up = True
        elif kind is StintKind.TELEPHONIST:
            if answered_at is None:
                answered_at = stint.start
        elif kind is StintKind.HANDOFF_ATTEMPT:
            handoff = True
            if stint.outcome is StintOutcome.ANSWERED:
                handoff_answered = True
        elif kind is StintKind.CALLBACK:
            callback = True
        elif kind is StintKind.MESSAGE:
            message = True
    answered = answered_at is not None
    abandoned = hung_up and not answered
    wait: int | None = None
    if entered is not None:
        until = answered_at or last_end or entered
        wait = max(0, seconds_between(entered, until))
    elif answered:
        wait = 0
    is_open = contact.opening is OpeningState.OPEN
    wrap_up = contact.wrap_up

    # The precedence of the module docstring, in order.
    if not is_open:
        outcome = Outcome.CLOSED
    elif handoff_answered:
        outcome = Outcome.ANSWERED_BY_OFFICER_AFTER_TRANSFER
    elif callback:
        outcome = Outcome.CALLBACK
    elif message or contact.concluded is WrapUp.MESSAGE:
        outcome = Outcome.MESSAGE_TAKEN
    elif contact.concluded is WrapUp.REFERRED_TO_PHONE_HOURS:
        outcome = Outcome.REFERRED_TO_PHONE_HOURS
    elif contact.concluded is None and wrap_up is WrapUp.MESSAGE:
        outcome = Outcome.MESSAGE_TAKEN
    elif contact.concluded is None and wrap_up is WrapUp.REFERRED_TO_PHONE_HOURS:
        outcome = Outcome.REFERRED_TO_PHONE_HOURS
    elif answered and (wrap_up in _ANSWERED_WRAP_UPS or (wrap_up is None and not handoff)):
        if contact.number_kind is NumberKind.SWITCHBOARD:
            outcome = Outcome.ANSWERED_BY_SWITCHBOARD
        else:
            outcome = Outcome.ANSWERED_BY_CENTRE
    elif abandoned:
        outcome = Outcome.ABANDONED_IN_QUEUE
    else:
        outcome = Outcome.NO_ANSWER
    return Summary(
        outcome=outcome,
        reached_service=is_open and (queued or answered or handoff),
        answered=answered,
        abandoned=abandoned,
        wait=wait,
    )


def classify(contact: Contact) -> Outcome:
    """The audit category of a contact; see the module docstring for the precedence."""
    return summarise(contact).outcome


class _OpenStint:
    __slots__ = ("end", "kind", "start", "values")

    def __init__(self, kind: StintKind, start: datetime, attrs: Mapping[str, str]) -> None:
        self.kind = kind
        self.start = start
        self.end: datetime | None = None
        self.values = dict(attrs)

    def close(self, ts: datetime, attrs: Mapping[str, str]) -> None:
        self.values.update(attrs)
        self.end = ts

    def freeze(self) -> Stint:
        v = self.values
        deadline = v.get("deadline")
        outcome = v.get("outcome")
        return Stint(
            kind=self.kind,
            start=self.start,
            end=self.end,
            outcome=StintOutcome(outcome) if outcome else None,
            queue=v.get("queue") or None,
            telephonist=v.get("telephonist") or None,
            target_person=v.get("target_person") or None,
            target_unit=v.get("target_unit") or None,
            target_department=v.get("target_department") or None,
            deadline=datetime.fromisoformat(deadline) if deadline else None,
            wrap_up_seconds=int(v.get("wrap_up_seconds", "0")),
        )


_TALK = (StintKind.TELEPHONIST, StintKind.RETURN)


def merge_stints(events: Iterable[LabelledEvent]) -> list[Contact]:
    """Fold labelled events into contacts, ordered by start. Events may arrive out of order;
    within one contact they are ordered by timestamp, ties in arrival order. An ``.end``
    closes the latest open stint of its kind; an ``.end`` without a start is ignored. A
    handoff attempt's start closes the open telephonist and return stints."""
    by_contact: dict[str, list[LabelledEvent]] = {}
    for event in events:
        by_contact.setdefault(event.contact_id, []).append(event)
    contacts = [
        _fold(contact_id, sorted(evs, key=lambda e: e.ts)) for contact_id, evs in by_contact.items()
    ]
    contacts.sort(key=lambda c: (c.started_at.astimezone(UTC), c.contact_id))
    return contacts


def _fold(contact_id: str, events: list[LabelledEvent]) -> Contact:
    header: dict[str, str] = {}
    started_at = events[0].ts
    wrap_up: WrapUp | None = None
    concluded: WrapUp | None = None
    stints: list[_OpenStint] = []
    for event in events:
        subject, _, verb = event.kind.partition(".")
        if subject == "contact":
            if verb == "start":
                header.update(event.attrs)
                started_at = event.ts
            elif verb == "wrap_up":
                wrap_up = WrapUp(event.attrs["code"])
            elif verb == "concluded":
                concluded = WrapUp(event.attrs["outcome"])
            continue
        kind = StintKind(subject)
        if verb == "start":
            if kind is StintKind.HANDOFF_ATTEMPT:
                # The telephonist's talk ends when the transfer starts; neither has an end
                # event of its own.
                for open_stint in stints:
                    if open_stint.kind in _TALK and open_stint.end is None:
                        open_stint.close(event.ts, {})
            stints.append(_OpenStint(kind, event.ts, event.attrs))
        elif verb == "end":
            for open_stint in reversed(stints):
                if open_stint.kind is kind and open_stint.end is None:
                    open_stint.close(event.ts, event.attrs)
                    break
            else:
                # Talk a transfer already ended still takes the end's facts (wrap-up time).
                talk = next((s for s in reversed(stints) if s.kind is kind and kind in _TALK), None)
                if talk is not None:
                    talk.values.update(event.attrs)
    return Contact(
        contact_id=contact_id,
        started_at=started_at,
        number_dialled=header.get("number_dialled", "unknown"),
        number_kind=NumberKind(header.get("number_kind", NumberKind.SWITCHBOARD)),
        opening=OpeningState(header.get("opening", OpeningState.OPEN)),
        caller=header.get("caller") or None,
        wrap_up=wrap_up,
        stints=tuple(s.freeze() for s in stints),
        concluded=concluded,
    )
