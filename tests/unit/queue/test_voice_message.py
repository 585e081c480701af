"""What a caller who leaves a voice message hears about its reference."""

from __future__ import annotations

from vaxel.queue.texts import say
from vaxel.queue.voice_message import spoken_reference


def test_reference_is_read_digit_by_digit_in_the_callers_language():
    assert spoken_reference("M-2026-000123") == "M, två noll två sex, noll noll noll ett två tre"
    assert (
        spoken_reference("M-2026-000123", "en")
        == "M, two zero two six, zero zero zero one two three"
    )


def test_receipt_names_the_reference():
    text = say("message_taken", "sv", reference=spoken_reference("M-2026-000007"))
    assert "referensnummer M, två noll två sex, noll noll noll noll noll sju" in text
