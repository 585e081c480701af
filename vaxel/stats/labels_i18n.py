"""Report labels: Swedish first, English available (one word per concept, see style.md)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # report names
    "accessibility": ("Tillgänglighet", "Accessibility"),
    "transfers": ("Kopplingar", "Transfers"),
    "audit": ("Utfall per nummer (granskningstabell)", "Outcomes by number (audit table)"),
    "telephonists": ("Telefonister", "Telephonists"),
    "heatmap": ("Belastning per veckodag och timme", "Load by weekday and hour"),
    # tables
    "summary": ("Hela perioden", "Whole period"),
    "by_period": ("Per period", "By period"),
    "by_number": ("Per nummer", "By number dialled"),
    "key_figures": ("Nyckeltal", "Key figures"),
    "figure": ("Mått", "Figure"), "value": ("Värde", "Value"),
    # columns
    "period": ("Period", "Period"), "number": ("Nummer", "Number dialled"),
    "working_days": ("Arbetsdagar", "Working days"), "holiday": ("Helgdag", "Holiday"),
    "offered": ("Erbjudna", "Offered"), "closed": ("Stängt", "Closed"),
    "short_abandons": ("Korta avbrott (< 5 s)", "Short abandons (< 5 s)"),
    "answered": ("Besvarade", "Answered"), "abandoned": ("Avbrutna i kö", "Abandoned"),
    "answer_rate": ("Svarsfrekvens", "Answer rate"),
    "sl_60": ("Servicenivå 60 s", "Service level 60 s"),
    "sl_120": ("Servicenivå 120 s", "Service level 120 s"),
    "sl2_60": ("SL2 60 s", "SL2 60 s"), "sl2_120": ("SL2 120 s", "SL2 120 s"),
    "asterisk_sl2_60": ("SL2 enl. Asterisk 60 s", "Asterisk SL2 60 s"),
    "asterisk_sl2_120": ("SL2 enl. Asterisk 120 s", "Asterisk SL2 120 s"),
    "asa": ("Medelväntetid (s)", "ASA (s)"), "median_wait": ("Median väntetid (s)", "Median wait (s)"),
    "p90_wait": ("90:e percentil väntetid (s)", "90th percentile wait (s)"),
    "longest_wait": ("Längsta väntetid (s)", "Longest wait (s)"),
    "direct_answer_60": ("Direkt svar 60 s (KKiK)", "Direct answer 60 s (KKiK)"),
    "direct_answer_120": ("Direkt svar 120 s (KKiK)", "Direct answer 120 s (KKiK)"),
    "callbacks_requested": ("Återuppringning begärd", "Callbacks requested"),
    "callbacks_completed": ("Återuppringning genomförd", "Callbacks completed"),
    "mean_time_to_callback": ("Medeltid till återuppringning (s)", "Mean time to callback (s)"),
    "messages_taken": ("Meddelanden", "Messages taken"),
    "messages_within_deadline": ("Meddelanden i tid", "Messages within deadline"),
    "messages_within_deadline_rate": ("Andel meddelanden i tid", "Messages within deadline %"),
    "level": ("Nivå", "Level"), "target": ("Mål", "Target"),
    "attempted": ("Försök", "Attempts"), "reach": ("Andel besvarade", "Answered %"),
    "returned": ("Återkomna", "Returned"), "returned_rate": ("Andel återkomna", "Returned %"),
    "reasons": ("Orsaker", "Reasons"),
    "person": ("Person", "Person"), "unit": ("Enhet", "Unit"),
    "department": ("Förvaltning", "Department"), "all": ("Alla", "All"), "queue": ("Kö", "Queue"),
    "outcome": ("Utfall", "Outcome"), "total": ("Totalt", "Total"),
    "telephonist": ("Telefonist", "Telephonist"), "calls": ("Samtal", "Calls"),
    "talk_s": ("Samtalstid (s)", "Talk time (s)"), "wrap_up_s": ("Efterarbete (s)", "Wrap-up (s)"),
    "pause_s": ("Paus (s)", "Pause (s)"),
    "weekday": ("Veckodag", "Weekday"), "hour": ("Timme", "Hour"),
    # outcomes
    "answered_by_centre": ("Besvarat av medborgarcenter", "Answered by the centre"),
    "answered_by_switchboard": ("Besvarat av växeln", "Answered by the switchboard"),
    "answered_by_officer_after_transfer": ("Besvarat av handläggare efter koppling",
                                           "Answered by a case officer after transfer"),
    "referred_to_phone_hours": ("Hänvisad till telefontid", "Referred to phone hours"),
    "message_taken": ("Meddelande", "Message taken"), "callback": ("Återuppringning", "Callback"),
    "abandoned_in_queue": ("Avbrutet i kö", "Abandoned in queue"),
    "no_answer": ("Inget svar", "No answer"),
    # charts
    "chart_sl": ("Servicenivå över tid", "Service level over time"),
    "chart_waits": ("Väntetider (besvarade)", "Waiting times (answered)"),
    "chart_heatmap": ("Erbjudna samtal per veckodag och timme", "Offered calls by weekday and hour"),
    "seconds": ("sekunder", "seconds"), "share": ("andel", "share"),
    "from": ("Från", "From"), "to": ("Till", "To"), "generated": ("Skapad", "Generated"),
}  # fmt: skip

WEEKDAYS = {"sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}  # fmt: skip


def label(key: str, lang: str = "sv") -> str:
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]
