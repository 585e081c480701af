"""What people hear: whispers to the telephonist and target, and what the caller is told.

Swedish, because it is spoken to Swedish telephonists and citizens (see style.md).
"""

from __future__ import annotations

from datetime import datetime

from vaxel.handoff.states import STOCKHOLM, TARGET_WHISPER, Context, Failure, Outcome, Target

__all__ = [
    "TARGET_WHISPER",
    "no_phone_hours_text",
    "phone_hours_text",
    "receipt_text",
    "spoken_time",
    "whisper_for",
]

_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def spoken_time(t: datetime) -> str:
    """'tisdag 13 maj klockan 10.00', in Stockholm time."""
    local = t.astimezone(STOCKHOLM)
    day = f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    return f"{day} klockan {local:%H.%M}"


def whisper_for(ctx: Context, failure: Failure) -> str:
    """What the telephonist, or the next one from the queue, hears before the caller."""
    name = failure.target.name
    match failure.outcome:
        case Outcome.BUSY:
            text = f"Upptaget hos {name}"
        case Outcome.REJECTED:
            text = f"{name} avböjde samtalet"
        case Outcome.ABSENT if failure.absent_until is not None:
            text = f"{name} är frånvarande, tillbaka {spoken_time(failure.absent_until)}"
        case Outcome.ABSENT:
            text = f"{name} är frånvarande"
        case Outcome.CLOSED:
            text = f"Stängd anknytning hos {name}"
        case Outcome.OUTSIDE_PHONE_HOURS if failure.next_phone_hours is not None:
            when = spoken_time(failure.next_phone_hours)
            text = f"Utanför telefontid hos {name}, nästa telefontid {when}"
        case Outcome.OUTSIDE_PHONE_HOURS:
            text = f"Utanför telefontid hos {name}"
        case Outcome.FORWARD_LOOP:
            text = f"Vidarekopplingen från {name} går runt i cirkel"
        case Outcome.CANCELLED:
            text = f"Överlämningen till {name} avbröts"
        case _:
            text = f"Inget svar hos {name}"
    if failure.target != ctx.requested:
        text += f", vidarekopplat från {ctx.requested.name}"
    if failure.colleague:
        text += f". Ledig kollega: {failure.colleague}"
    return text


def phone_hours_text(target: Target, next_start: datetime) -> str:
    return f"{target.name} har telefontid {spoken_time(next_start)}."


def no_phone_hours_text(target: Target) -> str:
    """To the telephonist after ``*4``: nothing to refer to, the caller is still theirs."""
    return (
        f"{target.name} har ingen kommande telefontid. "
        "Välj en kollega, ett meddelande eller en ny koppling."
    )


def receipt_text(reference: str) -> str:
    return f"Ditt meddelande är registrerat. Ditt referensnummer är {reference}."
