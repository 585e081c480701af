from datetime import datetime, timedelta

from stats_builders import (
    answered,
    at,
    attempt,
    back,
    callback,
    contact,
    ivr,
    message,
    queue,
    talk,
    transferred,
)

from vaxel.stats.model import (
    STOCKHOLM,
    LabelledEvent,
    NumberKind,
    OpeningState,
    Outcome,
    StintKind,
    StintOutcome,
    WrapUp,
    classify,
    merge_stints,
    seconds_between,
    summarise,
)

ANSWERED = StintOutcome.ANSWERED
ABANDONED = StintOutcome.ABANDONED


def test_call_to_switchboard_answered_directly_is_answered_by_switchboard():
    assert classify(answered(20, WrapUp.ANSWERED_DIRECTLY)) is Outcome.ANSWERED_BY_SWITCHBOARD


def test_call_to_centre_answered_directly_is_answered_by_centre():
    call = answered(20, WrapUp.ANSWERED_DIRECTLY, number="centre")
    assert classify(call) is Outcome.ANSWERED_BY_CENTRE


def test_call_to_an_office_answered_by_its_guide_counts_as_the_centre():
    call = answered(20, WrapUp.ANSWERED_DIRECTLY, number="office-dalby")
    assert call.number_kind is NumberKind.OFFICE
    assert classify(call) is Outcome.ANSWERED_BY_CENTRE


def test_referral_to_an_e_service_or_other_wrap_up_counts_as_answered():
    assert classify(answered(5, WrapUp.REFERRED_TO_E_SERVICE)) is Outcome.ANSWERED_BY_SWITCHBOARD
    assert classify(answered(5, WrapUp.OTHER)) is Outcome.ANSWERED_BY_SWITCHBOARD


def test_answered_call_without_wrap_up_or_transfer_counts_as_answered():
    assert classify(answered(5, None)) is Outcome.ANSWERED_BY_SWITCHBOARD


def test_transfer_answered_by_the_officer_is_answered_by_officer_after_transfer():
    call = transferred(True, WrapUp.TRANSFERRED)
    assert classify(call) is Outcome.ANSWERED_BY_OFFICER_AFTER_TRANSFER


def test_wrap_up_phone_hours_is_referred_to_phone_hours():
    assert classify(answered(5, WrapUp.REFERRED_TO_PHONE_HOURS)) is Outcome.REFERRED_TO_PHONE_HOURS


def test_unanswered_transfer_then_referral_is_referred_to_phone_hours():
    call = transferred(False, WrapUp.REFERRED_TO_PHONE_HOURS)
    assert classify(call) is Outcome.REFERRED_TO_PHONE_HOURS


def test_message_stint_is_message_taken():
    call = transferred(False, WrapUp.TRANSFERRED, m=message(80, None))
    assert classify(call) is Outcome.MESSAGE_TAKEN


def test_wrap_up_message_without_a_message_stint_is_message_taken():
    assert classify(answered(5, WrapUp.MESSAGE)) is Outcome.MESSAGE_TAKEN


def test_callback_requested_in_the_queue_is_callback():
    call = contact(queue(0, 200, StintOutcome.LEFT), callback(200, 1400, StintOutcome.COMPLETED))
    assert classify(call) is Outcome.CALLBACK


def test_hang_up_while_waiting_is_abandoned_in_queue():
    assert classify(contact(queue(0, 90, ABANDONED))) is Outcome.ABANDONED_IN_QUEUE


def test_failed_transfer_without_follow_up_is_no_answer():
    assert classify(transferred(False, WrapUp.TRANSFERRED)) is Outcome.NO_ANSWER
    assert classify(transferred(False, None)) is Outcome.NO_ANSWER


def test_failed_transfer_then_answered_by_the_telephonist_is_answered_by_switchboard():
    call = transferred(False, WrapUp.ANSWERED_DIRECTLY)
    assert classify(call) is Outcome.ANSWERED_BY_SWITCHBOARD


def test_caller_hanging_up_during_a_transfer_is_no_answer():
    call = contact(queue(0, 10, ANSWERED), talk(10, 30), attempt(30, 40, ABANDONED))
    assert classify(call) is Outcome.NO_ANSWER


def test_hang_up_in_the_ivr_is_no_answer_and_not_offered():
    call = contact(ivr(0, 4, ABANDONED))
    assert classify(call) is Outcome.NO_ANSWER
    assert not summarise(call).reached_service


def test_call_while_closed_is_closed_whatever_happened():
    call = contact(ivr(0, 10), message(10, None), opening=OpeningState.CLOSED)
    assert classify(call) is Outcome.CLOSED
    assert not summarise(call).reached_service


# --- precedence -------------------------------------------------------------------------


def test_answered_transfer_outranks_callback_message_and_wrap_up():
    call = contact(
        queue(0, 10, ANSWERED),
        talk(10, 30),
        attempt(30, 40, ANSWERED),
        callback(40, None, StintOutcome.PENDING),
        message(40, None),
        wrap_up=WrapUp.REFERRED_TO_PHONE_HOURS,
    )
    assert classify(call) is Outcome.ANSWERED_BY_OFFICER_AFTER_TRANSFER


def test_callback_outranks_message():
    call = transferred(
        False, WrapUp.MESSAGE, m=message(80, None), c=callback(80, None, StintOutcome.PENDING)
    )
    assert classify(call) is Outcome.CALLBACK


def test_message_outranks_referral_to_phone_hours():
    call = transferred(False, WrapUp.REFERRED_TO_PHONE_HOURS, m=message(80, None))
    assert classify(call) is Outcome.MESSAGE_TAKEN


def test_a_recorded_message_outranks_a_wrap_up_saying_answered_directly():
    call = transferred(False, WrapUp.ANSWERED_DIRECTLY, m=message(80, None))
    assert classify(call) is Outcome.MESSAGE_TAKEN


def test_referral_to_phone_hours_outranks_answered():
    assert (
        classify(answered(5, WrapUp.REFERRED_TO_PHONE_HOURS)) is not Outcome.ANSWERED_BY_SWITCHBOARD
    )


def test_hang_up_in_a_second_queue_after_overflow_is_abandoned():
    call = contact(queue(0, 60, StintOutcome.LEFT), queue(60, 100, ABANDONED, name="q2"))
    assert classify(call) is Outcome.ABANDONED_IN_QUEUE
    assert summarise(call).wait == 100


# --- waits ------------------------------------------------------------------------------


def test_wait_spans_every_queue_from_first_entry_to_first_answer():
    call = contact(
        ivr(0, 10),
        queue(10, 40, StintOutcome.LEFT),
        ivr(40, 45),
        queue(45, 70, ANSWERED, name="q2"),
        talk(70, 100),
        back(130, 140),
    )
    summary = summarise(call)
    assert summary.answered and not summary.abandoned
    assert summary.wait == 60


def test_wait_is_truncated_to_whole_seconds():
    assert summarise(answered(59.999, WrapUp.ANSWERED_DIRECTLY)).wait == 59


def test_answered_without_queueing_waits_zero_seconds():
    assert summarise(contact(talk(0, 30))).wait == 0


def test_seconds_between_is_real_elapsed_time_across_a_dst_change():
    before = datetime(2024, 3, 31, 1, 59, 0, tzinfo=STOCKHOLM)
    after = datetime(2024, 3, 31, 3, 1, 0, tzinfo=STOCKHOLM)
    assert seconds_between(before, after) == 120
    autumn_before = datetime(2024, 10, 27, 2, 59, 0, tzinfo=STOCKHOLM)
    autumn_after = datetime(2024, 10, 27, 2, 1, 0, fold=1, tzinfo=STOCKHOLM)
    assert seconds_between(autumn_before, autumn_after) == 120


# --- merging labelled events ------------------------------------------------------------


def event(seconds: float, kind: str, contact_id: str = "1709539200.7", **attrs: str):
    return LabelledEvent(contact_id, at(seconds), kind, attrs)


def test_events_fold_into_one_contact_with_its_stints_in_time_order():
    events = [
        event(
            0,
            "contact.start",
            number_dialled="centre",
            number_kind="centre",
            opening="open",
            caller="+46701234567",
        ),
        event(2, "ivr.start"),
        event(8, "ivr.end", outcome="completed"),
        event(8, "queue_wait.start", queue="centre"),
        event(50, "queue_wait.end", outcome="answered"),
        event(50, "telephonist.start", telephonist="t7", queue="centre"),
        event(
            80,
            "handoff_attempt.start",
            target_person="p9",
            target_unit="u2",
            target_department="building",
        ),
        event(105, "handoff_attempt.end", outcome="no_answer"),
        event(105, "return.start", telephonist="t7"),
        event(120, "return.end"),
        event(120, "message.start", target_person="p9", deadline=at(86400).isoformat()),
        event(125, "telephonist.end", wrap_up_seconds="15"),
        event(126, "contact.wrap_up", code="message"),
        event(3600, "message.end", outcome="completed"),
    ]
    shuffled = events[7:] + events[:7]
    (merged,) = merge_stints(shuffled)
    assert merged.contact_id == "1709539200.7"
    assert merged.number_dialled == "centre" and merged.number_kind is NumberKind.CENTRE
    assert merged.caller == "+46701234567"
    assert merged.wrap_up is WrapUp.MESSAGE
    assert [s.kind for s in merged.stints] == [
        StintKind.IVR,
        StintKind.QUEUE_WAIT,
        StintKind.TELEPHONIST,
        StintKind.HANDOFF_ATTEMPT,
        StintKind.RETURN,
        StintKind.MESSAGE,
    ]
    telephonist = merged.stints[2]
    assert telephonist.telephonist == "t7" and telephonist.wrap_up_seconds == 15
    assert telephonist.end == at(80)  # the talk ends where the transfer starts
    handoff = merged.stints[3]
    assert handoff.outcome is StintOutcome.NO_ANSWER
    assert (handoff.target_person, handoff.target_unit, handoff.target_department) == (
        "p9",
        "u2",
        "building",
    )
    assert merged.stints[5].deadline == at(86400) and merged.stints[5].end == at(3600)
    assert classify(merged) is Outcome.MESSAGE_TAKEN
    assert summarise(merged).wait == 42


def test_merge_keeps_contacts_apart_and_orders_them_by_start():
    events = [
        event(30, "contact.start", contact_id="b", number_dialled="switchboard"),
        event(31, "queue_wait.start", contact_id="b"),
        event(0, "contact.start", contact_id="a", number_dialled="centre", number_kind="centre"),
        event(40, "queue_wait.end", contact_id="b", outcome="abandoned"),
    ]
    first, second = merge_stints(events)
    assert (first.contact_id, second.contact_id) == ("a", "b")
    assert first.stints == ()
    assert classify(second) is Outcome.ABANDONED_IN_QUEUE


def test_an_end_closes_the_latest_open_stint_of_its_kind_and_a_stray_end_is_ignored():
    events = [
        event(0, "contact.start"),
        event(0, "queue_wait.start", queue="q1"),
        event(20, "queue_wait.end", outcome="left"),
        event(20, "queue_wait.start", queue="q2"),
        event(25, "ivr.end"),
    ]
    (merged,) = merge_stints(events)
    q1, q2 = merged.stints
    assert (q1.queue, q1.end, q1.outcome) == ("q1", at(20), StintOutcome.LEFT)
    assert (q2.queue, q2.end) == ("q2", None)


def test_merged_stints_keep_their_aware_times():
    (merged,) = merge_stints([event(0, "contact.start"), event(1, "ivr.start")])
    assert merged.started_at.utcoffset() == timedelta(hours=1)
    assert merged.stints[0].start.tzinfo is not None
