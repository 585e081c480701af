"""Spoken Swedish and English: numbers, clock times, days, and the IVR's sentences.

Everything returns plain text for the speech synthesiser, with numbers written out in words
so the synthesiser never has to guess "1" between "en" and "ett". Clock times use the
24-hour clock read digitally ("klockan åtta och trettio"), the style of Swedish public
announcements, and never "halv nio", which callers mishear as 08:30 versus 09:30.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from vaxel.ivr.model import Reason

Language = Literal["sv", "en"]
Gender = Literal["neuter", "common"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SV_ONES = _words(
    "noll ett två tre fyra fem sex sju åtta nio tio elva tolv tretton fjorton femton "
    "sexton sjutton arton nitton"
)
_SV_TENS = _words("_ _ tjugo trettio fyrtio femtio sextio sjuttio åttio nittio")
_EN_ONES = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_EN_TENS = _words("_ _ twenty thirty forty fifty sixty seventy eighty ninety")

_SV_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_EN_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_SV_MONTHS = _words(
    "januari februari mars april maj juni juli augusti september oktober november december"
)
_EN_MONTHS = _words(
    "January February March April May June July August September October November December"
)
_SV_ORDINALS = _words(
    "_ första andra tredje fjärde femte sjätte sjunde åttonde nionde tionde elfte tolfte "
    "trettonde fjortonde femtonde sextonde sjuttonde artonde nittonde tjugonde"
)
_EN_ORDINALS = _words(
    "_ first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
    "twentieth"
)

# Beyond an hour an estimate is too uncertain to state in minutes.
_MAX_ESTIMATE_MINUTES = 60


def number(n: int, lang: Language = "sv", gender: Gender = "neuter") -> str:
    """0-999 in words. Swedish "en" only for exactly one of a common-gender noun.

    Compounds keep "ett" (tjugoett minuter), which Språkrådet accepts beside "tjugoen".
    """
    if not 0 <= n <= 999:
        raise ValueError(f"{n} is outside 0-999")
    if lang == "en":
        return _english_number(n)
    if n == 1 and gender == "common":
        return "en"
    return _swedish_number(n)


def _swedish_number(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = ""
    if hundreds:
        words = ("" if hundreds == 1 else _SV_ONES[hundreds]) + "hundra"
        if not rest:
            return words
    if rest < 20:
        return words + _SV_ONES[rest]
    tens, ones = divmod(rest, 10)
    return words + _SV_TENS[tens] + (_SV_ONES[ones] if ones else "")


def _english_number(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(f"{_EN_ONES[hundreds]} hundred")
        if not rest:
            return parts[0]
        parts.append("and")
    if rest < 20:
        parts.append(_EN_ONES[rest])
    else:
        tens, ones = divmod(rest, 10)
        parts.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    return " ".join(parts)


def ordinal(n: int, lang: Language = "sv") -> str:
    """Day-of-month ordinals, 1-31."""
    if not 1 <= n <= 31:
        raise ValueError(f"{n} is not a day of the month")
    words = _SV_ORDINALS if lang == "sv" else _EN_ORDINALS
    if n <= 20:
        return words[n]
    tens, ones = divmod(n, 10)
    if lang == "sv":
        return _SV_TENS[tens] + (_SV_ORDINALS[ones] if ones else "nde")
    return f"{_EN_TENS[tens]}-{_EN_ORDINALS[ones]}" if ones else "thirtieth"


def clock(t: datetime, lang: Language = "sv") -> str:
    """The local time of day as spoken after "at": "klockan åtta och trettio"."""
    hour, minute = t.hour, t.minute
    if lang == "sv":
        if hour == 0 and minute == 0:
            return "vid midnatt"
        words = f"klockan {number(hour)}"
        return f"{words} och {number(minute)}" if minute else words
    if hour == 0 and minute == 0:
        return "at midnight"
    if hour == 12 and minute == 0:
        return "at noon"
    twelve = hour % 12 or 12
    words = number(twelve, "en")
    if minute:
        words += " " + (f"oh {number(minute, 'en')}" if minute < 10 else number(minute, "en"))
    else:
        words += " o'clock"
    part = "in the morning" if hour < 12 else "in the afternoon" if hour < 18 else "in the evening"
    return f"at {words} {part}"


def weekday(t: datetime, lang: Language = "sv") -> str:
    return (_SV_WEEKDAYS if lang == "sv" else _EN_WEEKDAYS)[t.weekday()]


def day_phrase(when: datetime, now: datetime, lang: Language = "sv") -> str:
    """'i dag', 'i morgon', a weekday within the week, else weekday and date.

    Both instants must be in the same (local) zone; the caller converts.
    """
    days = (when.date() - now.date()).days
    if days == 0:
        return "i dag" if lang == "sv" else "today"
    if days == 1:
        return "i morgon" if lang == "sv" else "tomorrow"
    if 1 < days < 7:
        return weekday(when, lang) if lang == "sv" else f"on {weekday(when, lang)}"
    if lang == "sv":
        month = _SV_MONTHS[when.month - 1]
        return f"{weekday(when)} den {ordinal(when.day)} {month}"
    month = _EN_MONTHS[when.month - 1]
    return f"on {weekday(when, 'en')} the {ordinal(when.day, 'en')} of {month}"


def minutes(n: int, lang: Language = "sv") -> str:
    """'en minut', 'tre minuter', 'one minute', 'three minutes'."""
    if lang == "sv":
        return f"{number(n, 'sv', 'common')} {'minut' if n == 1 else 'minuter'}"
    return f"{number(n, 'en')} {'minute' if n == 1 else 'minutes'}"


def position_announcement(
    position: int, wait: timedelta | None = None, lang: Language = "sv"
) -> str:
    """'Du är nummer två i kön. Beräknad väntetid är ungefär tre minuter.'

    Without a usable estimate (None, zero or negative) only the position is said, because a
    made-up wait is worse than none.
    """
    if position < 1:
        raise ValueError("queue positions start at 1")
    if position > 999:
        first = "Du står i kö." if lang == "sv" else "You are in the queue."
    else:
        place = number(position, lang)
        first = (
            f"Du är nummer {place} i kön."
            if lang == "sv"
            else f"You are number {place} in the queue."
        )
    if wait is None or wait <= timedelta(0):
        return first
    return f"{first} {_wait_sentence(wait, lang)}"


def _wait_sentence(wait: timedelta, lang: Language) -> str:
    whole = max(1, round(wait.total_seconds() / 60))
    if whole > _MAX_ESTIMATE_MINUTES:
        if lang == "sv":
            return "Beräknad väntetid är mer än en timme."
        return "The expected waiting time is more than one hour."
    if lang == "sv":
        return f"Beräknad väntetid är ungefär {minutes(whole)}."
    return f"The expected waiting time is about {minutes(whole, 'en')}."


def next_opening_sentence(next_open: datetime | None, now: datetime, lang: Language = "sv") -> str:
    """'Vi öppnar igen måndag klockan åtta.' Empty when no opening is known, so nothing is
    promised that the schedule does not say."""
    if next_open is None:
        return ""
    local_now = now.astimezone(next_open.tzinfo)
    when = day_phrase(next_open, local_now, lang)
    if lang == "sv":
        return f"Vi öppnar igen {when} {clock(next_open)}."
    return f"We open again {when} {clock(next_open, 'en')}."


def closed_reason_sentence(reason: Reason, detail: str | None = None, lang: Language = "sv") -> str:
    """Why the service is closed. Empty for the open reasons.

    ``detail`` is the holiday name (from the calendar in ``lang``) or a dated exception's
    reason; exception reasons are written in Swedish in the site file, so English callers
    get the generic sentence.
    """
    sv = lang == "sv"
    if reason is Reason.HOLIDAY:
        if detail:
            name = detail.lower() if sv else detail
            return (
                f"I dag är det {name} och vi har stängt."
                if sv
                else f"Today is {name} and we are closed."
            )
        return (
            "Vi har stängt i dag för helgdag."
            if sv
            else "We are closed today for a public holiday."
        )
    if reason is Reason.HALF_DAY:
        return "Vi har stängt tidigare i dag." if sv else "We closed early today."
    if reason is Reason.EXCEPTION:
        if not sv:
            return "Our opening hours are different today, and we are closed right now."
        sentence = "I dag har vi ändrade öppettider och just nu har vi stängt."
        return f"{sentence} {detail.rstrip('.')}." if detail else sentence
    if reason is Reason.OVERRIDE_CLOSED:
        return "Vi har tillfälligt stängt." if sv else "We are temporarily closed."
    if reason is Reason.OUTSIDE_HOURS:
        return "Vi har stängt just nu." if sv else "We are closed right now."
    return ""
