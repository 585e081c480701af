"""What the IVR says: default prompt texts (the site file's [prompts] replace any of them)
and the sentences composed at run time. Pure: text only, no audio."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from vaxel.calendar import BusinessCalendar
from vaxel.config import SiteConfig
from vaxel.ivr.model import Decision, Reason, decide, late_day_of
from vaxel.ivr.speech import (
    Language,
    closed_reason_sentence,
    next_opening_sentence,
    number,
    position_announcement,
)
from vaxel.numbers import ASCII_DIGITS

# name -> (Swedish, English). Digits are prompts too, so a read-back phone number is played
# digit by digit and never rendered into a cached file of its own (it is personal data).
DEFAULT_PROMPTS: Mapping[str, tuple[str, str]] = {
    "greeting": ("Välkommen.", "Welcome."),
    "menu_person": (
        "Tryck noll, eller vänta kvar, så kopplar vi dig till en medarbetare.",
        "Press zero, or stay on the line, and we will connect you to a member of staff.",
    ),
    "language_choice": ("Tryck ett för engelska.", "For English, press one."),
    "callback_offer": (
        "Vill du att vi ringer upp dig när vi har öppnat, tryck ett. Annars kan du lägga på.",
        "If you would like us to call you back when we are open, press one. "
        "Otherwise you can hang up.",
    ),
    "callback_number_is": ("Vi ringer upp dig på numret", "We will call you back on the number"),
    "callback_confirm": (
        "Tryck ett för att bekräfta, eller två för att ange ett annat nummer.",
        "Press one to confirm, or two to enter another number.",
    ),
    "callback_enter": (
        "Slå numret vi ska ringa, med riktnummer, och avsluta med fyrkant.",
        "Enter the number we should call, with the area code, and finish with the hash key.",
    ),
    "callback_registered": (
        "Tack. Vi har tagit emot din begäran och ringer upp dig när vi har öppnat.",
        "Thank you. We have received your request and will call you back when we are open.",
    ),
    "callback_not_taken": (
        "Vi kunde tyvärr inte ta emot någon begäran om återuppringning.",
        "Sorry, we could not take a callback request.",
    ),
    "callback_refused_invalid": (
        "Det är inte ett fullständigt telefonnummer, så vi kan inte ringa upp det.",
        "That is not a complete phone number, so we cannot call it.",
    ),
    "callback_refused_premium": (
        "Vi kan inte ringa upp betalnummer eller servicenummer.",
        "We cannot call premium-rate or service numbers.",
    ),
    "callback_refused_international": (
        "Vi kan bara ringa upp svenska telefonnummer.",
        "We can only call Swedish phone numbers.",
    ),
    "office_connecting": (
        "Vi kopplar dig till samhällsvägledaren.",
        "We are connecting you to the community guide.",
    ),
    "goodbye": ("Tack för att du ringde. Hej då.", "Thank you for calling. Goodbye."),
    **{f"digit-{d}": (number(d), number(d, "en")) for d in range(10)},
}

REFUSAL_PROMPTS: Mapping[str, str] = {
    "invalid": "callback_refused_invalid",
    "length": "callback_refused_invalid",
    "premium": "callback_refused_premium",
    "international": "callback_refused_international",
}


def closed_message(
    decision: Decision, now: datetime, lang: Language, calendar: BusinessCalendar
) -> str:
    """'Vi har stängt just nu. Vi öppnar igen måndag klockan åtta.'"""
    detail = decision.detail
    if decision.reason is Reason.HOLIDAY and lang != "sv":
        detail = calendar.holiday_name(now.astimezone(calendar.tz).date(), lang) or detail
    parts = (
        closed_reason_sentence(decision.reason, detail, lang),
        next_opening_sentence(decision.next_open, now, lang),
    )
    return " ".join(p for p in parts if p)


def spoken_digits(e164: str, home_country_code: str = "46") -> list[str]:
    """The digit prompts that read a number back the way the caller knows it: 070..."""
    home = f"+{home_country_code}"
    national = "0" + e164[len(home) :] if e164.startswith(home) else e164.lstrip("+")
    return [f"digit-{d}" for d in national if d in ASCII_DIGITS]


def generated_sentences(
    config: SiteConfig,
    calendar: BusinessCalendar,
    now: datetime,
    *,
    days: int = 7,
    step: timedelta = timedelta(minutes=15),
    positions: int = 20,
) -> Iterator[tuple[str, str, Language]]:
    """(name, text, language) of every sentence the IVR may compose in the next ``days``:
    closed messages for each schedule and position announcements, so ``prompts build``
    can render them ahead of the first call."""
    seen: set[tuple[str, Language]] = set()
    late_days = {o.schedule: late_day_of(o) for o in config.offices}
    langs: tuple[Language, ...] = ("sv", "en")
    for name, schedule in config.schedules.items():
        t = now.astimezone(calendar.tz).replace(second=0, microsecond=0)
        end = t + timedelta(days=days)
        while t < end:
            decision = decide(schedule, calendar, t, late_day=late_days.get(name))
            if not decision.open:
                for lang in langs:
                    text = closed_message(decision, t, lang, calendar)
                    if text and (text, lang) not in seen:
                        seen.add((text, lang))
                        yield f"closed-{name}", text, lang
            t += step
    for position in range(1, positions + 1):
        for lang in langs:
            yield f"position-{position}", position_announcement(position, lang=lang), lang
