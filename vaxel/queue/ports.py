"""What other packages may ask of the queues. The queue service implements it.

Contract relied on by the IVR, the handoff and their tests: ``enter`` puts the caller's
channel into the queue's holding bridge, whose ARI bridge id is ``holding_bridge_id(queue)``,
within one second, and persists the entry before returning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from vaxel.numbers import CheckedNumber

# Tag on a call sent on because its queue was full: a full queue there too ends the chain.
FULL_FROM = "full_from"


def holding_bridge_id(queue: str) -> str:
    return f"vaxel-queue-{queue}"


@dataclass(frozen=True)
class Returned:
    """A call coming back from a handoff nobody answered: it goes to the head of the queue."""

    reason: str  # e.g. "no_answer"
    whisper: str  # spoken to the telephonist who gets it, e.g. "Ingen svar hos Anna Svensson"
    preferred_telephonist: str | None = None


@dataclass(frozen=True)
class QueueCall:
    channel_id: str
    call_id: str
    queue: str
    language: str = "sv"
    caller_number: str | None = None
    tags: dict[str, str] = field(default_factory=dict)  # e.g. {"office": "dalby"}
    entered_at: datetime | None = None
    returned: Returned | None = None


class QueuePort(Protocol):
    async def enter(self, call: QueueCall) -> None:
        """Take over the channel: hold music, announcements, distribution."""

    async def request_callback(self, *, queue: str, number: CheckedNumber, language: str,
                               requested_at: datetime, call_id: str) -> str:  # fmt: skip
        """Store a callback request (e.g. left in closed hours); returns its reference."""
