"""What the queue says, in Swedish and English. Pure: text in, text out.

Numbers are read digit by digit ("noll sju noll ...") so a caller can check the number
they will be called back on.
"""

from __future__ import annotations

from typing import Literal

from vaxel.ivr.speech import number
from vaxel.numbers import ASCII_DIGITS

Language = Literal["sv", "en"]


def lang_of(text: str | None) -> Language:
    return "en" if text == "en" else "sv"


def digits(e164_or_local: str, lang: Language = "sv") -> str:
    """'+46701740650' is read the way Swedes write it: 'noll sju noll, ...'."""
    text = e164_or_local
    if text.startswith("+46"):
        text = "0" + text[3:]
    spoken = [number(int(d), lang) for d in text if d in ASCII_DIGITS]
    return " ".join(spoken)


_TEXTS: dict[str, tuple[str, str]] = {
    "callback_offer": (
        "Om du vill bli uppringd i stället, tryck ett. Du behåller din plats i kön.",
        "If you would like us to call you back instead, press one. You keep your place.",
    ),
    "callback_menu_known": (
        "Tryck ett för att bli uppringd på {number}. Eller slå ett annat nummer och avsluta "
        "med fyrkant. Tryck stjärna för att vänta kvar i kön.",
        "Press one to be called back on {number}. Or key in another number followed by "
        "the hash key. Press star to stay in the queue.",
    ),
    "callback_menu_unknown": (
        "Slå det nummer vi ska ringa upp, och avsluta med fyrkant. Tryck stjärna för att "
        "vänta kvar i kön.",
        "Key in the number we should call, followed by the hash key. Press star to stay in "
        "the queue.",
    ),
    "callback_accepted": (
        "Tack. Vi ringer upp dig på {number} när det är din tur. Du behåller din plats i "
        "kön. Du kan lägga på nu.",
        "Thank you. We will call you on {number} when it is your turn. You keep your "
        "place in the queue. You can hang up now.",
    ),
    "callback_refused": (
        "Det numret kan vi tyvärr inte ringa upp. Vi ringer inte betalnummer, "
        "servicenummer eller utländska nummer. Du står kvar i kön.",
        "Sorry, we cannot call that number. We do not call premium-rate, service or "
        "international numbers. You are still in the queue.",
    ),
    "closing": (
        "Kön stänger nu. {next_open} Om du vill bli uppringd när vi öppnar, tryck ett.",
        "The queue is closing now. {next_open} If you would like a call back when we "
        "open, press one.",
    ),
    "closing_no_callback": (
        "Kön stänger nu. {next_open} Välkommen att ringa igen.",
        "The queue is closing now. {next_open} Please call again.",
    ),
    "closed": (
        "Vi har stängt just nu. {next_open} Välkommen att ringa igen.",
        "We are closed right now. {next_open} Please call again.",
    ),
    "full": (
        "Just nu är det många som ringer och kön är full. Välkommen att ringa igen om en stund.",
        "Many people are calling right now and the queue is full. Please call again later.",
    ),
    "full_moving": (
        "Just nu är det många som ringer och kön är full. Du kopplas vidare, vänta kvar.",
        "Many people are calling right now and the queue is full. We are putting you "
        "through to another queue; please hold.",
    ),
    "nobody_moving": (
        "Just nu finns ingen här som kan svara. Du kopplas vidare, vänta kvar.",
        "There is nobody here who can answer right now. We are putting you through to "
        "another queue; please hold.",
    ),
    "nobody": (
        "Just nu finns ingen som kan svara. Välkommen att ringa igen.",
        "There is nobody who can answer right now. Please call again.",
    ),
    "overflow_message": (
        "Tyvärr kan ingen svara just nu. Tryck ett för att bli uppringd, så behåller du din plats.",
        "Sorry, nobody can answer right now. Press one to be called back; you keep your place.",
    ),
    "message_prompt": (
        "Tyvärr kan ingen svara just nu. Lämna ett meddelande efter tonen: säg ditt namn, "
        "ditt telefonnummer och vad det gäller. Tryck fyrkant eller lägg på när du är klar.",
        "Sorry, nobody can answer right now. Please leave a message after the tone: your "
        "name, your phone number and what it is about. Press the hash key or hang up when "
        "you are done.",
    ),
    "message_taken": (
        "Tack. Ditt meddelande är registrerat med referensnummer {reference}. Vi återkommer "
        "till dig. Hej då.",
        "Thank you. Your message is registered with reference {reference}. We will get back "
        "to you. Goodbye.",
    ),
    "message_failed": (
        "Tyvärr gick det inte att spara meddelandet. Välkommen att ringa igen.",
        "Sorry, the message could not be saved. Please call again.",
    ),
    "goodbye": ("Hej då.", "Goodbye."),
    "login": ("Du är inloggad.", "You are logged in."),
    "logout": ("Du är utloggad.", "You are logged out."),
    "pause": ("Du har paus.", "You are paused."),
    "unpause": ("Pausen är slut. Du kan få samtal.", "Your pause has ended."),
    "wrapup_code": ("Koden är sparad.", "The code is saved."),
    "unknown_code": ("Den koden finns inte.", "There is no such code."),
    "not_telephonist": (
        "Den här telefonen hör inte till någon telefonist.",
        "This phone does not belong to a telephonist.",
    ),
    "not_now": ("Det går inte just nu.", "That is not possible right now."),
    "callback_whisper": ("Återuppringning till {number}.", "Callback to {number}."),
}


def say(key: str, lang: Language = "sv", **values: str) -> str:
    sv, en = _TEXTS[key]
    text = sv if lang == "sv" else en
    return " ".join(text.format(**values).split())
