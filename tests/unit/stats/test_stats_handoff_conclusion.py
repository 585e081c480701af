"""What the handoff concluded after a return (``HandoffConcluded``: a referral to phone
hours, a message) is the caller's outcome in the statistics; a wrap-up code confirms it
at most, and a contact is counted once whatever was keyed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from stats_builders import message, transferred

from tests.support.stats_store import Env, T, started, waits
from tests.unit.stats.stats_builders import handoff_attempt
from vaxel.handoff.events import HandoffConcluded, MessageCreated
from vaxel.queue.events import LeaveReason, WrapUpKeyed
from vaxel.stats.aggregates import aggregate
from vaxel.stats.events import labelled, record_of
from vaxel.stats.figures import audit_table
from vaxel.stats.ingest import label_item
from vaxel.stats.model import LabelledEvent, Outcome, WrapUp, classify, merge_stints


def concluded(at: datetime, outcome: str = "referred", **changes: object) -> HandoffConcluded:
    values: dict[str, object] = {
        "handoff_id": "h1", "at": at, "telephonist": "t1", "outcome": outcome,
        "reason": "no_answer", "target_name": "Anna", "target_person": "p1",
        "target_unit": "u1", "target_department": "building",
        "next_phone_hours": T + timedelta(days=1), "contact_id": "c1",
    }  # fmt: skip
    return HandoffConcluded(**{**values, **changes})  # type: ignore[arg-type]


def test_a_conclusion_is_a_contact_fact_not_a_stint() -> None:
    [event] = labelled(record_of(concluded(T)))
    assert (event.kind, dict(event.attrs)) == (
        "contact.concluded",
        {"outcome": "referred_to_phone_hours"},
    )
    [message_fact] = labelled(record_of(concluded(T, "message")))
    assert message_fact.attrs["outcome"] == "message"


def test_the_latest_conclusion_stands() -> None:
    start = LabelledEvent("c1", T, "contact.start", {"number_dialled": "switchboard"})
    later = T + timedelta(seconds=30)
    events = [start, *labelled(record_of(concluded(later, "message"))),
              *labelled(record_of(concluded(T + timedelta(seconds=10))))]  # fmt: skip
    [contact] = merge_stints(events)
    assert contact.concluded is WrapUp.MESSAGE


@pytest.mark.parametrize("keyed", [None, *WrapUp], ids=lambda w: str(w))
def test_a_referral_after_a_return_is_referred_whatever_wrap_up_was_keyed(keyed) -> None:  # type: ignore[no-untyped-def]
    call = replace(transferred(False, keyed), concluded=WrapUp.REFERRED_TO_PHONE_HOURS)
    assert classify(call) is Outcome.REFERRED_TO_PHONE_HOURS


@pytest.mark.parametrize("keyed", [None, *WrapUp], ids=lambda w: str(w))
def test_a_message_after_a_return_is_a_message_whatever_wrap_up_was_keyed(keyed) -> None:  # type: ignore[no-untyped-def]
    call = replace(transferred(False, keyed), concluded=WrapUp.MESSAGE)
    assert classify(call) is Outcome.MESSAGE_TAKEN


def test_without_a_conclusion_a_failed_transfer_is_no_answer_unless_a_code_says_otherwise() -> None:
    assert classify(transferred(False, None)) is Outcome.NO_ANSWER
    assert classify(transferred(False, WrapUp.REFERRED_TO_PHONE_HOURS)) is (
        Outcome.REFERRED_TO_PHONE_HOURS
    )


def test_keying_the_code_too_counts_the_referral_once_in_the_audit_table() -> None:
    referred = replace(transferred(False, None), concluded=WrapUp.REFERRED_TO_PHONE_HOURS)
    confirmed = replace(referred, contact_id="c2", wrap_up=WrapUp.REFERRED_TO_PHONE_HOURS)
    taken = replace(
        transferred(False, WrapUp.MESSAGE, m=message(80, None)),
        contact_id="c3",
        concluded=WrapUp.MESSAGE,
    )
    agg = aggregate([referred, confirmed, taken])
    table = audit_table(agg, numbers=["switchboard"])
    assert table.counts == {
        (Outcome.REFERRED_TO_PHONE_HOURS, "switchboard"): 2,
        (Outcome.MESSAGE_TAKEN, "switchboard"): 1,
    }
    assert table.totals == {"switchboard": 3} and agg.messages_taken == 1


def test_a_concluded_call_is_not_a_direct_answer_even_if_keyed_so() -> None:
    keyed_direct = replace(
        transferred(False, WrapUp.ANSWERED_DIRECTLY), concluded=WrapUp.REFERRED_TO_PHONE_HOURS
    )
    assert aggregate([keyed_direct]).direct_waits == {}
    assert aggregate([transferred(False, WrapUp.ANSWERED_DIRECTLY)]).direct_waits != {}


@pytest.fixture()
def env(store_url, tmp_path):  # type: ignore[no-untyped-def]
    e = Env(store_url, tmp_path)
    yield e
    e.engine.dispose()


def test_the_store_counts_a_referral_after_a_return_without_a_wrap_up_code(env) -> None:  # type: ignore[no-untyped-def]
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(handoff_attempt(T + timedelta(seconds=60))))])
    env.ingest.apply([label_item(record_of(concluded(T + timedelta(seconds=75))))])
    [row] = env.service.call_log(T.date(), T.date())
    assert (row.wrap_up, row.outcome) == (None, "referred_to_phone_hours")
    # The telephonist keys *254 as well: confirmed, still one referral.
    keyed = WrapUpKeyed(at=T + timedelta(seconds=90), queue="centre", contact_id="c1",
                        entry_id="c1", code="referred_to_phone_hours", by="t1")  # fmt: skip
    env.ingest.apply([label_item(record_of(keyed))])
    [row] = env.service.call_log(T.date(), T.date())
    assert (row.wrap_up, row.outcome) == ("referred_to_phone_hours", "referred_to_phone_hours")
    audit = env.reader.total(T.date(), T.date())
    assert audit.outcomes == {(Outcome.REFERRED_TO_PHONE_HOURS, "switchboard"): 1}


def test_the_store_counts_a_message_after_a_return_without_a_wrap_up_code(env) -> None:  # type: ignore[no-untyped-def]
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(handoff_attempt(T + timedelta(seconds=60))))])
    created = MessageCreated(reference="M-1", at=T + timedelta(seconds=90), target_person="p1",
                             target_unit="u1", channel="email", urgency="normal",
                             deadline=T + timedelta(days=1), handoff_id="h1")  # fmt: skip
    env.ingest.apply([label_item(record_of(created))])
    env.ingest.apply([label_item(record_of(concluded(T + timedelta(seconds=91), "message")))])
    [row] = env.service.call_log(T.date(), T.date())
    assert (row.wrap_up, row.outcome) == (None, "message_taken")
    assert env.reader.total(T.date(), T.date()).messages_taken == 1
