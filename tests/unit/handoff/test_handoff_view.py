"""What the API and a console read about a handoff: the returned call's reason, target,
next phone hours (or that there are none) and free colleagues, as structured JSON."""

from __future__ import annotations

import json
from datetime import datetime

from handoff_builders import DESK, TELEPHONIST, at, run, start

from vaxel.handoff import store
from vaxel.handoff.inputs import (
    DirectoryVerdict,
    PhoneHoursLookedUp,
    Reachable,
    ReferToPhoneHoursPressed,
    RingTimeout,
    TelephonistAnswered,
)
from vaxel.handoff.service import Live
from vaxel.handoff.states import STOCKHOLM, Advice, Colleague, State
from vaxel.handoff.view import describe

NEXT = datetime(2026, 5, 12, 13, 0, tzinfo=STOCKHOLM)
PER_FREE = Colleague("Per Olsson", "p-per", "2002")


def live(state: State) -> Live:
    return Live(id="h-1", state=state, caller="c", telephonist=TELEPHONIST, queue="centre",
                created_at=at(0), call_id="1700000000.1")  # fmt: skip


def returned(advice: Advice) -> State:
    state, _ = run([start(), DirectoryVerdict(Reachable((DESK,)), "Per Olsson", advice),
                    RingTimeout(), TelephonistAnswered(TELEPHONIST)])  # fmt: skip
    return state


def test_a_returned_call_shows_why_from_whom_and_what_to_offer_instead() -> None:
    shown = describe(live(returned(Advice((PER_FREE,), NEXT))))
    json.dumps(shown)  # plain JSON values only
    assert (shown["state"], shown["reason"], shown["colleague"]) == ("Returned", "no_answer",
                                                                    "Per Olsson")  # fmt: skip
    assert shown["call_id"] == "1700000000.1"
    back = shown["returned"]
    assert back["reason"] == "no_answer" and back["ring_time_s"] == 1.0
    assert back["target"] == {"name": "Anna Svensson", "person_id": "p-anna",
                              "extension": "2001", "unit": "bygglov", "department": "sbf"}  # fmt: skip
    assert (back["phone_hours"], back["next_phone_hours"]) == ("next", NEXT.isoformat())
    assert back["colleagues"] == [{"name": "Per Olsson", "person_id": "p-per",
                                   "extension": "2002"}]  # fmt: skip
    assert back["returned_to"] == "telephonist"
    assert back["whisper"] == "Inget svar hos Anna Svensson. Ledig kollega: Per Olsson"


def test_no_phone_hours_and_unknown_ones_are_told_apart() -> None:
    none = describe(live(returned(Advice((), None, no_phone_hours=True))))["returned"]
    assert (none["phone_hours"], none["next_phone_hours"]) == ("none", None)
    unknown = describe(live(returned(Advice())))["returned"]
    assert unknown["phone_hours"] == "unknown"


def test_star_four_with_nothing_ahead_shows_none_and_the_call_stays_returned() -> None:
    looking, _ = run([ReferToPhoneHoursPressed()], returned(Advice()))
    assert describe(live(looking))["returned"]["looking_up_phone_hours"] is True
    told, _ = run([PhoneHoursLookedUp(None)], looking)
    shown = describe(live(told))
    assert shown["state"] == "Returned" and shown["returned"]["phone_hours"] == "none"
    assert shown["returned"]["looking_up_phone_hours"] is False


def test_a_referral_shows_when_the_caller_was_told_to_call() -> None:
    referred, _ = run([ReferToPhoneHoursPressed()], returned(Advice((), NEXT)))
    assert describe(live(referred))["referred_to"] == NEXT.isoformat()


def test_the_new_states_and_events_survive_the_store_codec() -> None:
    looking, commands = run([ReferToPhoneHoursPressed()], returned(Advice((PER_FREE,), None, True)))
    assert store.loads(store.dumps(looking)) == looking
    for command in commands:
        assert store.loads(store.dumps(command)) == command
    referred, commands = run([PhoneHoursLookedUp(NEXT)], looking)
    assert store.loads(store.dumps(referred)) == referred
    for command in commands:
        assert store.loads(store.dumps(command)) == command
