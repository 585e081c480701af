"""Label records: the one wire and storage form of every labelled event. Pure.

Any package's labelled event (a frozen dataclass with ``name``, ``at`` and ``contact_id``)
becomes a ``LabelRecord``. Its ``key`` is a hash of its content, so the same event seen
through the sink, the AMI ``UserEvent`` and a journal replay is stored once (idempotent
upserts). ``labelled(record)`` maps a record to the ``model.LabelledEvent`` kinds the
caller-view folding understands; records that are not stints map to nothing.

The statistics package emits three events of its own: ``ContactStarted`` (the contact's
header: number dialled, opening state, caller), ``ContactEnded`` and ``WrapUpSet``. A
``Stint`` record carries a whole stint at once (synthetic logs, and the entry wait while
no queue runtime labels it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, ClassVar

from vaxel.stats.model import LabelledEvent

# The ARI user event's name and its single variable (holding the record's JSON).
USER_EVENT = "VaxelLabel"
VARIABLE = "vaxel"


@dataclass(frozen=True)
class ContactStarted:
    name: ClassVar[str] = "ContactStarted"

    at: datetime
    contact_id: str
    number_e164: str
    number_dialled: str
    number_kind: str
    opening: str
    caller: str | None = None


@dataclass(frozen=True)
class ContactEnded:
    name: ClassVar[str] = "ContactEnded"

    at: datetime
    contact_id: str
    reason: str = ""


@dataclass(frozen=True)
class WrapUpSet:
    name: ClassVar[str] = "WrapUpSet"

    at: datetime
    contact_id: str
    code: str
    by: str


@dataclass(frozen=True)
class LabelRecord:
    key: str
    name: str
    contact_id: str
    at: datetime
    fields: Mapping[str, str]

    @property
    def ref(self) -> str | None:
        """What ties later events to earlier ones without a contact: message, handoff."""
        return self.fields.get("reference") or self.fields.get("handoff_id")

    @property
    def links(self) -> tuple[str, ...]:
        """Every ref that can tie this record to a contact: a message taken during a
        handoff is stored by its reference but found through the handoff's attempt."""
        return tuple(v for v in (self.fields.get("reference"), self.fields.get("handoff_id")) if v)

    def to_json(self) -> str:
        return json.dumps(
            {"n": self.name, "c": self.contact_id, "t": self.at.isoformat(), "f": self.fields},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )


def make_record(name: str, contact_id: str, at: datetime, fields: Mapping[str, str]) -> LabelRecord:
    if at.tzinfo is None:
        raise ValueError(f"{name}: labelled events need an aware time")
    body = json.dumps(
        [name, contact_id, at.isoformat(), sorted(fields.items())], ensure_ascii=False
    )
    key = hashlib.sha1(body.encode()).hexdigest()
    return LabelRecord(key, name, contact_id, at, dict(fields))


def record_from_json(text: str) -> LabelRecord:
    data = json.loads(text)
    at = datetime.fromisoformat(data["t"])
    return make_record(data["n"], data["c"], at, {k: str(v) for k, v in data["f"].items()})


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def record_of(event: Any) -> LabelRecord:
    """The record of any labelled event dataclass. Events without a ``contact_id`` (a
    message handled days later) get an empty one; the store resolves it by ``ref``."""
    name = getattr(type(event), "name", None) or type(event).__name__
    fields: dict[str, str] = {}
    at: datetime | None = None
    contact_id = ""
    for field in dataclasses.fields(event):
        value = getattr(event, field.name)
        if field.name == "at":
            at = value
        elif field.name == "contact_id":
            contact_id = str(value)
        elif value is not None:
            fields[field.name] = _text(value)
    if at is None:
        raise ValueError(f"{name}: a labelled event needs an 'at'")
    return make_record(name, contact_id, at, fields)


# --- mapping to caller-view stint kinds --------------------------------------------------

# handoff model Outcome -> StintOutcome
_HANDOFF_OUTCOME = {
    "answered": "answered",
    "overridden": "answered",
    "no_answer": "no_answer",
    "busy": "busy",
    "rejected": "declined",
    "absent": "unavailable",
    "closed": "unavailable",
    "outside_phone_hours": "unavailable",
    "forward_loop": "failed",
    "cancelled": "failed",
    "referred": "left",
    "message": "left",
    "abandoned": "abandoned",
}
_TARGETS = ("target_person", "target_unit", "target_department")
# HandoffConcluded outcome -> the wrap-up code that says the same
_CONCLUSION = {"referred": "referred_to_phone_hours", "message": "message"}


def _queue_event(record: LabelRecord) -> Any | None:
    from vaxel.queue import events as queue_events

    cls = getattr(queue_events, record.name, None)
    if cls is None or not dataclasses.is_dataclass(cls):
        return None
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {"at": record.at, "contact_id": record.contact_id}
    for field in dataclasses.fields(cls):
        if field.name in values:
            continue
        raw = record.fields.get(field.name)
        if raw is None:
            if field.default is dataclasses.MISSING:
                return None
            continue
        values[field.name] = _parse(hints[field.name], raw)
    return cls(**values)  # type: ignore[operator]


def _parse(hint: Any, raw: str) -> Any:
    for candidate in typing.get_args(hint) or (hint,):
        if candidate is type(None):
            continue
        if candidate is bool:
            return raw.lower() == "true"
        if candidate is int:
            return int(raw)
        if candidate is float:
            return float(raw)
        if candidate is datetime:
            return datetime.fromisoformat(raw)
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate(raw)
    return raw


def labelled(record: LabelRecord) -> list[LabelledEvent]:
    """The caller-view events of one record (none for records that are not stints)."""
    cid, at, f = record.contact_id, record.at, record.fields

    def event(kind: str, ts: datetime, attrs: Mapping[str, str]) -> LabelledEvent:
        return LabelledEvent(cid, ts, kind, {k: v for k, v in attrs.items() if v})

    if record.name == "Stint":
        attrs = {k: v for k, v in f.items() if k not in ("kind", "end")}
        out = [event(f"{f['kind']}.start", at, attrs)]
        if f.get("end"):
            out.append(event(f"{f['kind']}.end", datetime.fromisoformat(f["end"]), attrs))
        return out
    if record.name == "HandoffAttempt":
        ring = float(f.get("ring_time_s") or 0)
        targets = {k: f.get(k, "") for k in _TARGETS}
        outcome = _HANDOFF_OUTCOME.get(f.get("outcome", ""), "failed")
        out = [
            event("handoff_attempt.start", at - timedelta(seconds=ring), targets),
            event("handoff_attempt.end", at, {"outcome": outcome}),
        ]
        if f.get("returned") == "true" and f.get("returned_to"):
            back = event("return.start", at, {"telephonist": f.get("telephonist", "")})
            out.append(back)
            if f.get("mode") != "attended" or f.get("returned_to") != "telephonist":
                # Followed calls come back through the queue, whose answer is the talk
                # stint; the return only marks the attempt as returned.
                out.append(event("return.end", at, {}))
        return out
    if record.name == "HandoffConcluded":
        # What the telephonist did with a returned call; the wrap-up code only confirms it.
        conclusion = _CONCLUSION.get(f.get("outcome", ""))
        return [event("contact.concluded", at, {"outcome": conclusion})] if conclusion else []
    if record.name == "MessageCreated":
        attrs = {
            "target_person": f.get("target_person", ""),
            "target_unit": f.get("target_unit", ""),
        }
        return [event("message.start", at, {**attrs, "deadline": f.get("deadline", "")})]
    if record.name == "MessageHandled":
        return [event("message.end", at, {"outcome": "completed"})]
    if record.contact_id and record.name not in ("ContactStarted", "ContactEnded", "WrapUpSet"):
        queue_event = _queue_event(record)
        if queue_event is not None:
            from vaxel.queue.events import stint_label

            mapped = stint_label(queue_event)
            if mapped is not None:
                return [event(mapped[0], at, mapped[1])]
    return []
