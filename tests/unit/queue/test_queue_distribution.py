from datetime import datetime, timedelta

import pytest
from queue_factories import T0, at, callback, caller, pairs, returned, telephonist

from vaxel.queue.distribution import apply_offer, next_offer, offers, on_ring_timeout
from vaxel.queue.model import (
    CallbackPolicy,
    EntryKind,
    EntryState,
    InvalidTransition,
    UnknownEntry,
    callback_attempt_failed,
    mark_offered,
    move_to_queue,
    reconcile,
    request_callback,
)
from vaxel.queue.telephonists import (
    MISSED_CALL,
    Available,
    LoggedOut,
    OnCall,
    Paused,
    Ringing,
    Status,
    Wrapup,
    pauses_after_miss,
)

NOW = at(600)


def test_longest_waiting_caller_is_offered_first() -> None:
    waiting = [caller("late", entered=300), caller("early", entered=10), caller("mid", entered=100)]
    offer = next_offer(waiting, [telephonist("anna")], NOW)
    assert offer is not None
    assert (offer.entry.id, offer.telephonist_id) == ("early", "anna")


def test_telephonist_idle_longest_rings_first() -> None:
    people = [telephonist("recent", idle=500), telephonist("longest", idle=5)]
    assert pairs(offers([caller("c1")], people, NOW)) == [("c1", "longest")]


def test_every_free_telephonist_is_filled_in_one_pass() -> None:
    waiting = [caller("c1", entered=1), caller("c2", entered=2), caller("c3", entered=3)]
    people = [telephonist("b", idle=20), telephonist("a", idle=10)]
    assert pairs(offers(waiting, people, NOW)) == [("c1", "a"), ("c2", "b")]


def test_caller_waits_longest_across_the_queues_a_telephonist_serves() -> None:
    waiting = [caller("centre-new", "centre", 500), caller("permits-old", "permits", 100)]
    anna = telephonist("anna", {"centre": 0, "permits": 0})
    assert pairs(offers(waiting, [anna], NOW)) == [("permits-old", "anna")]


def test_queue_priority_adds_one_minute_of_waiting_per_level() -> None:
    # permits caller waited 50 s longer, but centre's 1 level is worth 60 s.
    waiting = [caller("centre", "centre", entered=150), caller("permits", "permits", entered=100)]
    anna = telephonist("anna", {"centre": 1, "permits": 0})
    assert pairs(offers(waiting, [anna], NOW)) == [("centre", "anna")]


def test_low_priority_queue_is_not_starved() -> None:
    # 70 s more waiting beats one level of priority.
    waiting = [caller("centre", "centre", entered=170), caller("permits", "permits", entered=100)]
    anna = telephonist("anna", {"centre": 1, "permits": 0})
    assert pairs(offers(waiting, [anna], NOW)) == [("permits", "anna")]


def test_site_queue_priority_adds_to_member_priority() -> None:
    waiting = [caller("centre", "centre", entered=150), caller("permits", "permits", entered=100)]
    anna = telephonist("anna", {"centre": 1, "permits": 0})
    found = offers(waiting, [anna], NOW, queue_priorities={"permits": 1})
    assert pairs(found) == [("permits", "anna")]


def test_priority_step_can_be_changed() -> None:
    waiting = [caller("centre", "centre", entered=150), caller("permits", "permits", entered=100)]
    anna = telephonist("anna", {"centre": 1, "permits": 0})
    found = offers(waiting, [anna], NOW, step=timedelta(seconds=30))
    assert pairs(found) == [("permits", "anna")]


def test_telephonist_only_gets_callers_from_own_queues() -> None:
    waiting = [caller("lss", "lss", entered=0)]
    assert offers(waiting, [telephonist("anna", {"centre": 0})], NOW) == []


def test_returned_call_goes_to_head() -> None:
    waiting = [caller("first", entered=0), returned("back", entered=400, returned_at=590)]
    offer = next_offer(waiting, [telephonist("bo")], NOW)
    assert offer is not None
    assert offer.entry.id == "back"
    assert offer.whisper == "Inget svar hos Anna Svensson"
    assert not offer.preferred


def test_returned_calls_are_served_in_order_of_return() -> None:
    waiting = [
        returned("second", entered=0, returned_at=500),
        returned("first", entered=300, returned_at=400),
    ]
    people = [telephonist("a", idle=1), telephonist("b", idle=2)]
    assert pairs(offers(waiting, people, NOW)) == [("first", "a"), ("second", "b")]


def test_returned_call_goes_to_head_across_queues() -> None:
    waiting = [caller("old", "centre", entered=0), returned("back", "permits", entered=500)]
    anna = telephonist("anna", {"centre": 5, "permits": 0})
    assert pairs(offers(waiting, [anna], NOW)) == [("back", "anna")]


def test_returned_call_prefers_its_own_telephonist() -> None:
    waiting = [
        caller("first", entered=0),
        returned("back", entered=400, preferred_telephonist="own"),
    ]
    people = [telephonist("longest", idle=0), telephonist("own", idle=500)]
    found = offers(waiting, people, NOW)
    assert pairs(found) == [("back", "own"), ("first", "longest")]
    assert found[0].preferred


def test_returned_call_goes_to_own_telephonist_outside_the_queue() -> None:
    waiting = [returned("back", "permits", preferred_telephonist="own")]
    people = [telephonist("own", {"centre": 0})]
    assert pairs(offers(waiting, people, NOW)) == [("back", "own")]


def test_returned_call_goes_to_next_free_telephonist_when_own_is_busy() -> None:
    waiting = [
        caller("first", entered=0),
        returned("back", entered=400, preferred_telephonist="own"),
    ]
    people = [
        telephonist("own", status=OnCall("other")),
        telephonist("bo", idle=300),
    ]
    found = offers(waiting, people, NOW)
    assert pairs(found) == [("back", "bo")]
    assert not found[0].preferred


def test_callback_keeps_original_place() -> None:
    waiting = [caller("c1", entered=5), caller("c2", entered=30)]
    asked = request_callback(caller("asked", entered=10), number="+46701234567", now=at(200))
    assert asked.kind is EntryKind.CALLBACK
    assert asked.entered_at == at(10)
    assert asked.channel_id is None
    people = [telephonist("a", idle=1), telephonist("b", idle=2)]
    assert pairs(offers([*waiting, asked], people, NOW)) == [("c1", "a"), ("asked", "b")]


def test_callback_request_while_ringing_is_refused() -> None:
    ringing = mark_offered(caller("c1"), "anna")
    with pytest.raises(InvalidTransition):
        request_callback(ringing, number="+46701234567", now=NOW)


def test_never_more_callback_offers_than_free_telephonists() -> None:
    waiting = [callback(f"cb{i}", entered=i) for i in range(5)]
    people = [
        telephonist("free1", idle=1),
        telephonist("free2", idle=2),
        telephonist("busy", status=OnCall("x")),
        telephonist("paused", status=Paused("lunch")),
    ]
    found = offers(waiting, people, NOW)
    assert pairs(found) == [("cb0", "free1"), ("cb1", "free2")]


def test_callback_is_not_offered_when_no_telephonist_is_free() -> None:
    people = [telephonist("busy", status=OnCall("x"))]
    assert offers([callback("cb")], people, NOW) == []


def test_failed_callback_waits_for_retry_delay_in_same_place() -> None:
    policy = CallbackPolicy(max_attempts=3, retry_delay=timedelta(minutes=5))
    retry = callback_attempt_failed(callback("cb", entered=0), now=NOW, policy=policy)
    assert retry is not None
    assert retry.attempts == 1
    assert retry.entered_at == at(0)
    waiting = [retry, caller("later", entered=100)]
    assert pairs(offers(waiting, [telephonist("a")], NOW)) == [("later", "a")]
    after_delay = NOW + timedelta(minutes=5)
    assert pairs(offers(waiting, [telephonist("a")], after_delay)) == [("cb", "a")]


def test_callback_is_given_up_after_max_attempts() -> None:
    policy = CallbackPolicy(max_attempts=2)
    first = callback_attempt_failed(callback("cb"), now=NOW, policy=policy)
    assert first is not None
    assert callback_attempt_failed(first, now=NOW, policy=policy) is None


def test_caller_already_offered_is_not_offered_twice() -> None:
    waiting = [mark_offered(caller("c1", entered=0), "anna"), caller("c2", entered=10)]
    assert pairs(offers(waiting, [telephonist("bo")], NOW)) == [("c2", "bo")]


@pytest.mark.parametrize(
    "status",
    [
        Wrapup(until=NOW + timedelta(seconds=5)),
        Paused("lunch"),
        Ringing("x", NOW),
        OnCall("x"),
        LoggedOut(),
    ],
    ids=["wrapup", "paused", "ringing", "on_call", "logged_out"],
)
def test_telephonist_who_is_not_free_is_skipped(status: Status) -> None:
    people = [telephonist("skip", idle=0, status=status), telephonist("free", idle=500)]
    assert pairs(offers([caller("c1")], people, NOW)) == [("c1", "free")]


def test_telephonist_whose_wrapup_has_ended_is_free_and_idle_since_its_end() -> None:
    people = [
        telephonist("ended", status=Wrapup(until=at(100))),
        telephonist("idle", idle=200),
    ]
    assert pairs(offers([caller("c1")], people, NOW)) == [("c1", "ended")]


def test_closed_queue_waits_until_it_opens() -> None:
    waiting = [callback("left-at-night", "lss", entered=0), caller("c1", "centre", entered=50)]
    anna = telephonist("anna", {"centre": 0, "lss": 0})
    assert pairs(offers(waiting, [anna], NOW, open_queues={"centre"})) == [("c1", "anna")]
    found = offers(waiting, [anna], NOW, open_queues={"centre", "lss"})
    assert pairs(found) == [("left-at-night", "anna")]


def test_nobody_waiting_gives_no_offer() -> None:
    assert next_offer([], [telephonist("anna")], NOW) is None


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        offers([], [], datetime(2026, 3, 2, 9, 0))


def test_duplicate_entry_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        offers([caller("c1"), caller("c1")], [], NOW)


def test_apply_offer_marks_entry_and_rings_telephonist() -> None:
    waiting = [caller("c1")]
    people = [telephonist("anna")]
    offer = next_offer(waiting, people, NOW)
    assert offer is not None
    deadline = NOW + timedelta(seconds=20)
    entries, telephonists = apply_offer(waiting, people, offer, now=NOW, deadline=deadline)
    assert entries[0].state is EntryState.OFFERED
    assert entries[0].offered_to == "anna"
    assert telephonists[0].status == Ringing("c1", deadline)


def test_missed_ring_pauses_telephonist_and_tries_next() -> None:
    waiting = [caller("c1", entered=0), caller("c2", entered=10)]
    people = [telephonist("anna", idle=0), telephonist("bo", idle=100)]
    offer = next_offer(waiting, people, NOW)
    assert offer is not None
    assert offer.telephonist_id == "anna"
    deadline = NOW + timedelta(seconds=20)
    entries, people = apply_offer(waiting, people, offer, now=NOW, deadline=deadline)
    entries, people = apply_offer(
        entries, people, offers(entries, people, NOW)[0], now=NOW, deadline=deadline
    )
    # Only anna misses; bo is ringing for c2, so c1 waits for the next free telephonist.
    result = on_ring_timeout(entries, people, entry_id="c1", telephonist_id="anna", now=deadline)
    anna = next(t for t in result.telephonists if t.id == "anna")
    assert anna.status == Paused(MISSED_CALL)
    assert anna.missed == 1
    assert result.offers == ()
    cleo = telephonist("cleo", idle=300)
    after = on_ring_timeout(
        entries, [*people, cleo], entry_id="c1", telephonist_id="anna", now=deadline
    )
    assert pairs(after.offers) == [("c1", "cleo")]


def test_missed_ring_keeps_caller_place() -> None:
    waiting = [mark_offered(caller("c1", entered=0), "anna"), caller("c2", entered=10)]
    people = [telephonist("anna", status=Ringing("c1", NOW))]
    result = on_ring_timeout(waiting, people, entry_id="c1", telephonist_id="anna", now=NOW)
    back = result.waiting[0]
    assert back.state is EntryState.WAITING
    assert back.offered_to is None
    assert back.entered_at == at(0)
    later = on_ring_timeout(
        waiting,
        [*people, telephonist("bo")],
        entry_id="c1",
        telephonist_id="anna",
        now=NOW,
    )
    assert pairs(later.offers) == [("c1", "bo")]


def test_last_active_telephonist_is_not_paused_for_a_miss() -> None:
    # Paused or logged-out colleagues, or colleagues of other queues, cannot take the call.
    colleagues = [
        telephonist("bo", status=Paused("lunch")),
        telephonist("cleo", status=LoggedOut()),
        telephonist("dan", queues={"permits": 0}),
    ]
    anna = telephonist("anna", status=Ringing("c1", NOW))
    assert not pauses_after_miss([anna, *colleagues], "anna", "centre")
    result = on_ring_timeout(
        [mark_offered(caller("c1"), "anna")],
        [anna, *colleagues],
        entry_id="c1",
        telephonist_id="anna",
        now=NOW,
    )
    kept = next(t for t in result.telephonists if t.id == "anna")
    assert kept.status == Available()
    assert kept.missed == 1
    assert result.offers == ()  # not straight back to anna in the same step


def test_missed_ring_pauses_while_a_colleague_on_a_call_can_take_over() -> None:
    people = [telephonist("anna", status=Ringing("c1", NOW)), telephonist("bo", status=OnCall("x"))]
    assert pauses_after_miss(people, "anna", "centre")


def test_stale_ring_timeout_is_refused() -> None:
    waiting = [mark_offered(caller("c1"), "bo")]
    people = [telephonist("anna", status=Ringing("c1", NOW))]
    with pytest.raises(InvalidTransition):
        on_ring_timeout(waiting, people, entry_id="c1", telephonist_id="anna", now=NOW)
    with pytest.raises(UnknownEntry):
        on_ring_timeout(waiting, people, entry_id="gone", telephonist_id="anna", now=NOW)


def test_overflow_to_another_queue_keeps_place_and_restarts_clock() -> None:
    moved = move_to_queue(caller("c1", "permits", entered=0), "centre", NOW)
    assert moved.queue == "centre"
    assert moved.entered_at == at(0)
    assert moved.overflow_clock_start == NOW


def test_restart_keeps_connected_callers_in_their_order() -> None:
    persisted = [
        caller("c3", entered=30),
        mark_offered(caller("c1", entered=10), "anna"),
        caller("c2", entered=20),
        returned("back", entered=40),
    ]
    live = {"chan-c1", "chan-c2", "chan-c3", "chan-back"}
    kept, gone = reconcile(persisted, live)
    assert [e.id for e in kept] == ["back", "c1", "c2", "c3"]
    assert all(e.state is EntryState.WAITING for e in kept)
    assert gone == []


def test_restart_records_callers_who_hung_up_and_keeps_callbacks() -> None:
    persisted = [caller("c1", entered=10), callback("cb", entered=5), caller("c2", entered=20)]
    kept, gone = reconcile(persisted, {"chan-c2"})
    assert [e.id for e in kept] == ["cb", "c2"]
    assert [e.id for e in gone] == ["c1"]


def test_entries_need_aware_times_and_callers_need_a_channel() -> None:
    with pytest.raises(ValueError, match="aware"):
        caller("c1", entered_at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="channel"):
        caller("c1", channel_id=None)
    with pytest.raises(ValueError, match="offered_to"):
        caller("c1", state=EntryState.OFFERED)
    assert T0.tzinfo is not None
