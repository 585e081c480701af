"""Label records: one identity however an event travels, and the stint kinds they map to."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from stats_builders import handoff_attempt

from vaxel.queue.events import Answered, LeaveReason, QueueEntered, QueueLeft, TelephonistPaused
from vaxel.stats.aggregates import aggregate
from vaxel.stats.contacts import ContactRow, build_contact
from vaxel.stats.events import ContactStarted, labelled, make_record, record_from_json, record_of
from vaxel.stats.figures import telephonist_figures, transfer_figures
from vaxel.stats.model import STOCKHOLM, StintKind, StintOutcome, summarise

T = datetime(2026, 11, 23, 10, 0, tzinfo=STOCKHOLM)


def test_a_record_has_the_same_key_after_travelling_as_json():
    record = record_of(
        QueueEntered(at=T, queue="centre", contact_id="c1", entry_id="e1", kind="call")
    )
    again = record_from_json(record.to_json())
    assert again == record
    assert again.key == record.key


def test_different_events_have_different_keys_and_equal_events_the_same():
    a = make_record("X", "c1", T, {"a": "1"})
    assert make_record("X", "c1", T, {"a": "1"}).key == a.key
    assert make_record("X", "c1", T, {"a": "2"}).key != a.key
    assert make_record("X", "c1", T + timedelta(seconds=1), {"a": "1"}).key != a.key


def test_events_without_a_contact_get_an_empty_contact_id():
    record = record_of(TelephonistPaused(at=T, telephonist_id="t1", reason="lunch"))
    assert record.contact_id == ""
    assert record.fields == {"telephonist_id": "t1", "reason": "lunch"}


def test_queue_events_map_through_the_queue_packages_own_stint_label():
    entered = record_of(
        QueueEntered(at=T, queue="centre", contact_id="c1", entry_id="e1", kind="call")
    )
    left = record_of(QueueLeft(at=T + timedelta(seconds=30), queue="centre", contact_id="c1",
                               entry_id="e1", reason=LeaveReason.ANSWERED))  # fmt: skip
    answered = record_of(Answered(at=T + timedelta(seconds=30), queue="centre", contact_id="c1",
                                  entry_id="e1", telephonist_id="t7", wait_s=30))  # fmt: skip
    assert [e.kind for e in labelled(entered)] == ["queue_wait.start"]
    assert labelled(left)[0].attrs == {"queue": "centre", "outcome": "answered"}
    assert labelled(answered)[0].attrs == {"queue": "centre", "telephonist": "t7"}


def test_a_handoff_attempt_becomes_a_stint_from_ring_start_to_its_fate_and_a_return():
    attempt = handoff_attempt(T + timedelta(seconds=80), mode="attended", ring_time_s=20.0)
    events = labelled(record_of(attempt))
    # Attended: the telephonist is still on the line, so the return is their talk.
    assert [e.kind for e in events] == [
        "handoff_attempt.start",
        "handoff_attempt.end",
        "return.start",
    ]
    assert events[0].ts == T + timedelta(seconds=60)
    assert events[1].attrs == {"outcome": "no_answer"}
    # Followed: the call comes back through the queue, whose answer is the talk.
    followed = labelled(record_of(replace(attempt, mode="follow")))
    assert [e.kind for e in followed][2:] == ["return.start", "return.end"]
    assert followed[2].ts == followed[3].ts


def test_a_followed_transfer_that_comes_back_counts_talk_once_and_the_return():
    """Live order: answered from the queue, transferred (talk ends), rung back through the
    queue and answered again; then the contact ends."""
    row = ContactRow("c1", T, T + timedelta(seconds=100), "+46406280400", "switchboard",
                     "switchboard", "open", None, None)  # fmt: skip
    first = Answered(at=T + timedelta(seconds=10), queue="centre", contact_id="c1",
                     entry_id="e1", telephonist_id="t1", wait_s=10)  # fmt: skip
    attempt = handoff_attempt(T + timedelta(seconds=40))
    again = replace(first, at=T + timedelta(seconds=40), entry_id="e2")
    contact = build_contact(row, [record_of(e) for e in (first, attempt, again)])
    [work] = telephonist_figures(aggregate([contact]))
    assert (work.telephonist, work.calls, work.talk_s) == ("t1", 2, (35 - 10) + (100 - 40))
    [everyone] = transfer_figures(aggregate([contact]), "all")
    assert (everyone.attempted, everyone.returned) == (1, 1)


def test_a_contact_is_built_from_its_row_and_labels_with_open_talk_closed_at_the_end():
    row = ContactRow("c1", T, T + timedelta(seconds=200), "+46406280400", "switchboard",
                     "switchboard", "open", None, None)  # fmt: skip
    records = [
        record_of(QueueEntered(at=T + timedelta(seconds=10), queue="centre", contact_id="c1",
                               entry_id="e1", kind="call")),
        record_of(QueueLeft(at=T + timedelta(seconds=40), queue="centre", contact_id="c1",
                            entry_id="e1", reason=LeaveReason.ANSWERED)),
        record_of(Answered(at=T + timedelta(seconds=40), queue="centre", contact_id="c1",
                           entry_id="e1", telephonist_id="t7", wait_s=30)),
    ]  # fmt: skip
    contact = build_contact(row, records)
    kinds = [(s.kind, s.outcome) for s in contact.stints]
    assert kinds == [(StintKind.QUEUE_WAIT, StintOutcome.ANSWERED), (StintKind.TELEPHONIST, None)]
    assert contact.stints[1].end == T + timedelta(seconds=200)
    summary = summarise(contact)
    assert (summary.answered, summary.wait, str(summary.outcome)) == (
        True,
        30,
        "answered_by_switchboard",
    )


def test_the_contact_header_event_carries_every_header_field():
    record = record_of(ContactStarted(at=T, contact_id="c1", number_e164="+46406280400",
                                      number_dialled="switchboard", number_kind="switchboard",
                                      opening="closed", caller="0701740650"))  # fmt: skip
    assert record.fields["opening"] == "closed"
    assert labelled(record) == []


def test_a_callback_chosen_in_the_queue_is_offered_not_answered_and_the_talk_still_counts():
    """The controller's own sequence: the caller waits 100 s, asks for a callback and hangs
    up; a telephonist calls back at 700 s. The caller waited 100 s and was not answered then,
    so the callback must not turn into an answer after a 700 s wait; the telephonist's talk
    counts as their work all the same."""
    from vaxel.queue.events import CallbackCompleted, CallbackRequested

    def t(s: float) -> datetime:
        return T + timedelta(seconds=s)

    row = ContactRow("c1", T, t(100), "+46406280400", "switchboard", "switchboard", "open",
                     None, None)  # fmt: skip
    common = {"queue": "centre", "contact_id": "c1", "entry_id": "e1"}
    events = [
        QueueEntered(at=t(0), kind="call", **common),
        CallbackRequested(at=t(100), **common),
        QueueLeft(at=t(100), reason=LeaveReason.CALLBACK_REQUESTED, **common),
        QueueLeft(at=t(700), reason=LeaveReason.ANSWERED, **common),
        Answered(at=t(700), telephonist_id="t7", wait_s=700, **common),
        CallbackCompleted(at=t(700), telephonist_id="t7", **common),
    ]
    contact = build_contact(row, [record_of(e) for e in events])
    summary = summarise(contact)
    assert (str(summary.outcome), summary.answered, summary.abandoned, summary.wait) == (
        "callback", False, False, 100,
    )  # fmt: skip
    figures = aggregate([contact])
    assert figures.answered_waits == {} and figures.offered == 1
    assert (figures.callbacks_requested, figures.callbacks_completed) == (1, 1)
    assert figures.callback_delays == {600: 1}
    [work] = telephonist_figures(figures)
    assert (work.telephonist, work.calls) == ("t7", 1)


def test_a_callback_left_while_the_queue_was_closed_is_no_queue_wait():
    """The IVR's closed flow files the callback (QueueEntered and CallbackRequested at once);
    it is served the next morning. No wait of a night is reported."""
    from vaxel.queue.events import CallbackCompleted, CallbackRequested

    night = timedelta(hours=15)
    row = ContactRow("c1", T, T + timedelta(seconds=60), "+46406280400", "switchboard",
                     "switchboard", "open", None, None)  # fmt: skip
    common = {"queue": "centre", "contact_id": "c1", "entry_id": "e1"}
    events = [
        QueueEntered(at=T + timedelta(seconds=50), kind="callback", **common),
        CallbackRequested(at=T + timedelta(seconds=50), **common),
        QueueLeft(at=T + night, reason=LeaveReason.ANSWERED, **common),
        Answered(at=T + night, telephonist_id="t7", wait_s=54000, **common),
        CallbackCompleted(at=T + night, telephonist_id="t7", **common),
    ]
    contact = build_contact(row, [record_of(e) for e in events])
    summary = summarise(contact)
    assert (str(summary.outcome), summary.answered, summary.wait) == ("callback", False, None)
    figures = aggregate([contact])
    assert figures.longest_wait is None and figures.answered_waits == {}
