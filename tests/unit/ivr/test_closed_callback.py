"""The closed-hours callback dialogue with a scripted caller: confirm, another number,
refusals said in words, and the request handed to the queue port. No Asterisk."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from tests.support.controller import EXAMPLE
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.ivr.closed import _callback
from vaxel.ivr.dialog import AskState, Phase

CONFIG = load_site_config(EXAMPLE)


class ScriptedCaller:
    """Answers each question from a script; None means the caller pressed nothing."""

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = answers
        self.heard: list[str] = []

    async def ask(self, ask, media):  # type: ignore[no-untyped-def]
        self.heard.extend(media)
        answer = self.answers.pop(0)
        return AskState(Phase.DONE, answer=answer)

    async def say(self, media):  # type: ignore[no-untyped-def]
        self.heard.extend(media)


class Prompts:
    def sound(self, name: str, lang: str) -> str:
        return name


class Queues:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    async def request_callback(self, **kwargs):  # type: ignore[no-untyped-def]
        self.requests.append(kwargs)
        return "CB000001"


def run(answers: list[str | None], caller_number: str | None = "0701740650"):  # type: ignore[no-untyped-def]
    queues = Queues()
    service = SimpleNamespace(
        prompts=Prompts(),
        config=CONFIG,
        queues=lambda: queues,
        clock=FixedClock(datetime(2026, 11, 27, 17, tzinfo=ZoneInfo("Europe/Stockholm"))),
    )
    conversation = ScriptedCaller(answers)
    call = SimpleNamespace(
        conversation=conversation, language="sv", caller_number=caller_number, call_id="c1"
    )
    reference = asyncio.run(_callback(service, call, "centre"))  # type: ignore[arg-type]
    return reference, queues.requests, conversation.heard


def test_confirming_the_calling_number_stores_it_for_the_queue_with_a_receipt() -> None:
    reference, requests, heard = run(["1", "1"])
    assert reference == "CB000001"
    assert [(r["queue"], r["number"].e164, r["call_id"]) for r in requests] == [
        ("centre", "+46701740650", "c1")
    ]
    assert heard[heard.index("callback_number_is") + 1] == "digit-0"
    assert heard[-1] == "callback_registered"


def test_a_premium_number_is_refused_in_words_and_another_can_be_keyed_in() -> None:
    reference, requests, heard = run(["1", "2", "0900123456", "0701740699", "1"])
    assert "callback_refused_premium" in heard
    assert [r["number"].e164 for r in requests] == ["+46701740699"]
    assert reference is not None


def test_an_international_number_is_refused_and_giving_up_says_nothing_was_taken() -> None:
    reference, requests, heard = run(["1", "2", "004412345678", None])
    assert "callback_refused_international" in heard
    assert requests == [] and reference is None
    assert heard[-1] == "callback_not_taken"


def test_a_hidden_caller_number_goes_straight_to_keying_in_one() -> None:
    _reference, requests, heard = run(["1", "0701740699", "1"], caller_number=None)
    assert heard[1] == "callback_enter"
    assert [r["number"].e164 for r in requests] == ["+46701740699"]


def test_no_key_at_the_offer_takes_no_request_and_does_not_ask_again() -> None:
    reference, requests, heard = run([None])
    assert reference is None and requests == [] and heard == ["callback_offer"]
