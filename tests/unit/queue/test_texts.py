"""What a caller in a closing queue hears, in their own language."""

from __future__ import annotations

from datetime import datetime

from vaxel.clock import STOCKHOLM
from vaxel.ivr.speech import next_opening_sentence
from vaxel.queue.texts import say

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=STOCKHOLM)
TUESDAY_TEN = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)


def test_closing_says_when_the_queue_opens_and_offers_a_callback_in_both_languages():
    sv = say("closing", "sv", next_open=next_opening_sentence(TUESDAY_TEN, MONDAY_NOON, "sv"))
    en = say("closing", "en", next_open=next_opening_sentence(TUESDAY_TEN, MONDAY_NOON, "en"))
    assert sv.startswith("Kön stänger nu. Vi öppnar igen i morgon klockan tio.")
    assert "tryck ett" in sv
    assert en.startswith("The queue is closing now. We open again tomorrow")
    assert "press one" in en


def test_closing_without_callbacks_does_not_offer_one():
    text = say("closing_no_callback", "en", next_open="")
    assert "press" not in text and text == "The queue is closing now. Please call again."
