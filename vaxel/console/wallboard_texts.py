"""The wallboard's words, in Swedish and English; the page's script gets them as data."""

from __future__ import annotations

from vaxel.web.i18n import register

TEXTS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Väggtavla",
        "waiting": "Väntar nu",
        "longest_wait_s": "Längsta väntan",
        "answered": "Besvarade idag",
        "abandoned": "Avbrutna idag",
        "service_level_60": "Svar inom 60 s",
        "service_level_120": "Svar inom 120 s",
        "asa_s": "Snittid till svar",
        "callbacks_pending": "Att ringa upp",
        "messages_overdue": "Meddelanden försenade",
        "level_ok": "✔ OK",
        "level_warn": "▲ Varning",
        "level_alarm": "✖ Larm",
        "level_none": "–",
        "available": "● Ledig",
        "ringing": "☎ Ringer",
        "on_call": "☎ I samtal",
        "wrap_up": "✎ Efterarbete",
        "paused": "Ⅱ Paus",
        "logged_out": "○ Utloggad",
        "telephonists": "Telefonister",
        "nobody": "Inga telefonister i kön",
        "live": "● Direkt",
        "reconnecting": "⟳ Återansluter …",
        "revoked": "✖ Skärmens länk är återkallad",
        "no_live": "Kön körs inte i den här processen: bara dagens statistik visas",
        "updated": "Uppdaterad",
    },
    "en": {
        "title": "Wallboard",
        "waiting": "Waiting now",
        "longest_wait_s": "Longest wait",
        "answered": "Answered today",
        "abandoned": "Abandoned today",
        "service_level_60": "Answered within 60 s",
        "service_level_120": "Answered within 120 s",
        "asa_s": "Average speed of answer",
        "callbacks_pending": "Callbacks pending",
        "messages_overdue": "Messages overdue",
        "level_ok": "✔ OK",
        "level_warn": "▲ Warning",
        "level_alarm": "✖ Alarm",
        "level_none": "–",
        "available": "● Available",
        "ringing": "☎ Ringing",
        "on_call": "☎ On a call",
        "wrap_up": "✎ Wrap-up",
        "paused": "Ⅱ Paused",
        "logged_out": "○ Logged out",
        "telephonists": "Telephonists",
        "nobody": "No telephonists in this queue",
        "live": "● Live",
        "reconnecting": "⟳ Reconnecting …",
        "revoked": "✖ This screen's link has been revoked",
        "no_live": "The queues do not run in this process: today's statistics only",
        "updated": "Updated",
    },
}

register("sv", {"wallboard": "Väggtavla"})
register("en", {"wallboard": "Wallboard"})
