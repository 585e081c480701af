"""Small builders for hand-made contacts: times are seconds after T0 (a Monday, 09:00)."""

from __future__ import annotations

from datetime import datetime, timedelta

from vaxel.stats.model import (
    STOCKHOLM,
    Contact,
    NumberKind,
    OpeningState,
    Stint,
    StintKind,
    StintOutcome,
    WrapUp,
)

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=STOCKHOLM)
KINDS = {"switchboard": NumberKind.SWITCHBOARD, "centre": NumberKind.CENTRE}


def at(seconds: float, base: datetime = T0) -> datetime:
    return base + timedelta(seconds=seconds)


def queue(start: float, end: float, outcome: StintOutcome, name: str = "q") -> Stint:
    return Stint(StintKind.QUEUE_WAIT, at(start), at(end), outcome, queue=name)


def talk(start: float, end: float, telephonist: str = "t1", wrap_up_s: int = 0) -> Stint:
    return Stint(
        StintKind.TELEPHONIST,
        at(start),
        at(end),
        StintOutcome.COMPLETED,
        telephonist=telephonist,
        wrap_up_seconds=wrap_up_s,
    )


def attempt(
    start: float,
    end: float,
    outcome: StintOutcome,
    person: str = "p1",
    unit: str = "u1",
    department: str = "d1",
) -> Stint:
    return Stint(
        StintKind.HANDOFF_ATTEMPT,
        at(start),
        at(end),
        outcome,
        target_person=person,
        target_unit=unit,
        target_department=department,
    )


def back(start: float, end: float, telephonist: str = "t1") -> Stint:
    return Stint(
        StintKind.RETURN, at(start), at(end), StintOutcome.COMPLETED, telephonist=telephonist
    )


def callback(start: float, end: float | None, outcome: StintOutcome) -> Stint:
    return Stint(StintKind.CALLBACK, at(start), at(end) if end is not None else None, outcome)


def message(start: float, end: float | None, deadline: float | None = None) -> Stint:
    return Stint(
        StintKind.MESSAGE,
        at(start),
        at(end) if end is not None else None,
        StintOutcome.COMPLETED if end is not None else StintOutcome.PENDING,
        deadline=at(deadline) if deadline is not None else None,
    )


def ivr(start: float, end: float, outcome: StintOutcome = StintOutcome.COMPLETED) -> Stint:
    return Stint(StintKind.IVR, at(start), at(end), outcome)


def contact(
    *stints: Stint,
    number: str = "switchboard",
    kind: NumberKind | None = None,
    opening: OpeningState = OpeningState.OPEN,
    wrap_up: WrapUp | None = None,
    started: datetime = T0,
    contact_id: str = "1709539200.1",
) -> Contact:
    return Contact(
        contact_id=contact_id,
        started_at=started,
        number_dialled=number,
        number_kind=kind or KINDS.get(number, NumberKind.OFFICE),
        opening=opening,
        caller="+46701234567",
        wrap_up=wrap_up,
        stints=stints,
    )


def answered(wait: float, wrap_up: WrapUp | None, number: str = "switchboard") -> Contact:
    return contact(
        queue(0, wait, StintOutcome.ANSWERED), talk(wait, wait + 60), number=number, wrap_up=wrap_up
    )


def transferred(
    reached: bool, wrap_up: WrapUp | None, number: str = "switchboard", **more: Stint
) -> Contact:
    """Answered after 10 s, then one transfer; unanswered ones come back to the telephonist."""
    if reached:
        return contact(
            queue(0, 10, StintOutcome.ANSWERED),
            talk(10, 40),
            attempt(40, 50, StintOutcome.ANSWERED),
            number=number,
            wrap_up=wrap_up,
        )
    return contact(
        queue(0, 10, StintOutcome.ANSWERED),
        talk(10, 40),
        attempt(40, 65, StintOutcome.NO_ANSWER),
        back(65, 80),
        *more.values(),
        number=number,
        wrap_up=wrap_up,
    )


def handoff_attempt(at: datetime, **changes: object):  # type: ignore[no-untyped-def]
    """A followed transfer to Anna that nobody answered and that came back to t1."""
    from vaxel.handoff.events import HandoffAttempt

    values: dict[str, object] = {
        "handoff_id": "h1", "at": at, "telephonist": "t1", "mode": "follow",
        "initiated_by": "keys", "target_name": "Anna", "target_person": "p1",
        "target_unit": "u1", "target_department": "building", "reached_name": None,
        "ring_time_s": 5.0, "outcome": "no_answer", "override": False, "returned": True,
        "returned_to": "telephonist", "contact_id": "c1",
    }  # fmt: skip
    return HandoffAttempt(**{**values, **changes})  # type: ignore[arg-type]
