"""A handoff as the API and a console read it: plain JSON values, no decisions.

``describe`` keeps the first, flat fields every client already reads (``reason``,
``colleague`` as text) and adds the structured ones a console needs for a returned call:
why, from whom, the target's next phone hours or that there are none, the free colleagues.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaxel.handoff.states import Done, Failure, ReferredToPhoneHours, Returned, State, Target
from vaxel.handoff.wording import whisper_for

if TYPE_CHECKING:
    from vaxel.handoff.service import Live


def describe(live: Live) -> dict[str, Any]:
    """A handoff as the API and the console show it: plain JSON values."""
    state = live.state
    ctx = getattr(state, "ctx", None)
    failure = getattr(state, "failure", None)
    target = getattr(state, "target", None) or getattr(failure, "target", None)
    return {
        "id": live.id,
        "state": type(state).__name__,
        "mode": ctx.mode.value if ctx else None,
        "telephonist": live.telephonist,
        "target": target.name if target else None,
        "connected": live.connected,
        "outcome": state.outcome.value if isinstance(state, Done) else None,
        # Why the call came back, and the free colleague in the unit to try instead.
        "reason": failure.outcome.value if failure is not None else None,
        "colleague": failure.colleague if failure is not None else None,
        "call_id": live.call_id,
        "queue": live.queue,
        "requested": _target_json(ctx.requested) if ctx else None,
        "target_detail": _target_json(target) if target else None,
        "returned": _returned_json(state, failure) if failure is not None else None,
        "referred_to": (
            state.next_start.isoformat() if isinstance(state, ReferredToPhoneHours) else None
        ),
    }


def _target_json(target: Target) -> dict[str, Any]:
    return {
        "name": target.name,
        "person_id": target.person_id,
        "extension": target.extension,
        "unit": target.unit,
        "department": target.department,
    }


def _returned_json(state: State, failure: Failure) -> dict[str, Any]:
    """Why the call came back and what the telephonist can do instead, for a console.

    ``phone_hours`` is "next" (``next_phone_hours`` says when), "none" (the directory
    knows the target has none ahead: ``*4`` only tells the telephonist so) or "unknown"
    (not looked up yet, or a target the directory does not know)."""
    next_start = failure.next_phone_hours
    phone_hours = "next" if next_start else "none" if failure.no_phone_hours else "unknown"
    returned_to = state.returned_to.value if isinstance(state, Returned) else None
    return {
        "reason": failure.outcome.value,
        "target": _target_json(failure.target),
        "ring_time_s": failure.ring_time_s,
        "absent_until": failure.absent_until.isoformat() if failure.absent_until else None,
        "next_phone_hours": next_start.isoformat() if next_start else None,
        "phone_hours": phone_hours,
        "colleagues": [
            {"name": c.name, "person_id": c.person_id, "extension": c.extension}
            for c in failure.colleagues
        ],
        "returned_to": returned_to,
        "looking_up_phone_hours": isinstance(state, Returned) and state.looking_up,
        "whisper": whisper_for(state.ctx, failure) if hasattr(state, "ctx") else None,
    }
