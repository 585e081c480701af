"""Properties of distribution: nobody is overtaken unfairly, and nobody is offered twice.

The weighting rule is restated here on purpose, independently of the model, so that a change
to the rule has to change both.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_factories import at

from vaxel.queue.distribution import Offer, next_offer, offers, on_ring_timeout
from vaxel.queue.model import Entry, EntryKind, EntryState, Returned, queue_key, reconcile
from vaxel.queue.telephonists import (
    Available,
    LoggedOut,
    Membership,
    OnCall,
    Paused,
    Ringing,
    Status,
    Telephonist,
    Wrapup,
)

NOW = at(600)
QUEUES = ("a", "b", "c")
TELEPHONIST_IDS = tuple(f"t{i}" for i in range(6))
STEP = timedelta(seconds=60)


def seconds(low: int, high: int) -> st.SearchStrategy[datetime]:
    return st.integers(low, high).map(at)


RETURNS = st.none() | st.builds(
    Returned,
    reason=st.just("no_answer"),
    whisper=st.just("Inget svar"),
    at=seconds(0, 600),
    preferred_telephonist=st.none() | st.sampled_from(TELEPHONIST_IDS),
)
OFFERED_TO = st.none() | st.sampled_from(TELEPHONIST_IDS)
NOT_BEFORE = st.none() | seconds(0, 1200)
ENTERED = seconds(0, 300)
KINDS = st.sampled_from(EntryKind)
QUEUE_NAMES = st.sampled_from(QUEUES)


@st.composite
def entries(draw: st.DrawFn) -> list[Entry]:
    count = draw(st.integers(0, 12))
    result = []
    for i in range(count):
        kind = draw(KINDS)
        offered_to = draw(OFFERED_TO)
        result.append(
            Entry(
                id=f"e{i}",
                queue=draw(QUEUE_NAMES),
                entered_at=draw(ENTERED),
                kind=kind,
                channel_id=f"chan-e{i}" if kind is EntryKind.CALLER else None,
                state=EntryState.OFFERED if offered_to else EntryState.WAITING,
                offered_to=offered_to,
                returned=draw(RETURNS),
                not_before=draw(NOT_BEFORE) if kind is EntryKind.CALLBACK else None,
            )
        )
    return result


statuses: st.SearchStrategy[Status] = st.one_of(
    st.just(Available()),
    st.just(Available()),
    st.builds(Wrapup, seconds(0, 1200)),
    st.just(Paused("lunch")),
    st.just(OnCall("x")),
    st.builds(Ringing, st.just("x"), st.just(NOW)),
    st.just(LoggedOut()),
)


IDS = st.lists(st.sampled_from(TELEPHONIST_IDS), unique=True, max_size=6)
MEMBER_QUEUES = st.lists(QUEUE_NAMES, unique=True, max_size=3)
PRIORITY = st.integers(0, 3)
IDLE = seconds(0, 600)


@st.composite
def telephonists(draw: st.DrawFn) -> list[Telephonist]:
    result = []
    for telephonist_id in draw(IDS):
        memberships = tuple(Membership(q, draw(PRIORITY)) for q in draw(MEMBER_QUEUES))
        result.append(
            Telephonist(
                id=telephonist_id,
                endpoint=f"PJSIP/{telephonist_id}",
                queues=memberships,
                status=draw(statuses),
                idle_since=draw(IDLE),
            )
        )
    return result


priorities = st.dictionaries(st.sampled_from(QUEUES), st.integers(0, 2))
open_sets = st.none() | st.frozensets(st.sampled_from(QUEUES))


def is_free(t: Telephonist) -> bool:
    return isinstance(t.status, Available) or (
        isinstance(t.status, Wrapup) and t.status.until <= NOW
    )


def idle_key(t: Telephonist) -> tuple[datetime, str]:
    idle = t.status.until if isinstance(t.status, Wrapup) else t.idle_since
    assert idle is not None
    return idle, t.id


def is_eligible(e: Entry, open_queues: frozenset[str] | None) -> bool:
    return (
        e.state is EntryState.WAITING
        and (open_queues is None or e.queue in open_queues)
        and (e.not_before is None or e.not_before <= NOW)
    )


def serves(t: Telephonist, queue: str) -> bool:
    return any(m.queue == queue for m in t.queues)


def weighted(e: Entry, t: Telephonist, queue_priorities: dict[str, int]) -> tuple[object, ...]:
    """Smaller is served first: returned by return time, then the largest effective wait."""
    if e.returned:
        return (0, e.returned.at, e.entered_at, e.id)
    member = next(m.priority for m in t.queues if m.queue == e.queue)
    effective = (NOW - e.entered_at) + (member + queue_priorities.get(e.queue, 0)) * STEP
    return (1, -effective, e.entered_at, e.id)


Case = tuple[list[Entry], list[Telephonist], dict[str, int], frozenset[str] | None]
cases = st.tuples(entries(), telephonists(), priorities, open_sets)


def run(case: Case) -> list[Offer]:
    waiting, people, queue_priorities, open_queues = case
    return offers(waiting, people, NOW, queue_priorities=queue_priorities, open_queues=open_queues)


@given(cases)
def test_no_telephonist_or_entry_is_offered_twice(case: Case) -> None:
    found = run(case)
    assert len({o.telephonist_id for o in found}) == len(found)
    assert len({o.entry.id for o in found}) == len(found)


@given(cases)
def test_only_free_telephonists_and_eligible_entries_are_offered(case: Case) -> None:
    _, people, _, open_queues = case
    by_id = {t.id: t for t in people}
    found = run(case)
    free = [t for t in people if is_free(t)]
    assert len(found) <= len(free)
    assert sum(o.entry.kind is EntryKind.CALLBACK for o in found) <= len(free)
    for offer in found:
        assert is_free(by_id[offer.telephonist_id])
        assert is_eligible(offer.entry, open_queues)
        telephonist = by_id[offer.telephonist_id]
        if offer.preferred:
            assert offer.entry.preferred_telephonist == telephonist.id
        else:
            assert serves(telephonist, offer.entry.queue)


@settings(max_examples=300)
@given(cases)
def test_nobody_is_overtaken_within_a_queue(case: Case) -> None:
    waiting, _, _, open_queues = case
    found = run(case)
    offered = {o.entry.id for o in found}
    for offer in found:
        if offer.preferred:
            continue
        for other in waiting:
            ahead = queue_key(other) < queue_key(offer.entry)
            if other.queue == offer.entry.queue and ahead and is_eligible(other, open_queues):
                assert other.id in offered, f"{other.id} overtaken by {offer.entry.id}"


@settings(max_examples=300)
@given(cases)
def test_across_queues_each_telephonist_takes_the_best_weighted_entry(case: Case) -> None:
    waiting, people, queue_priorities, open_queues = case
    by_id = {t.id: t for t in people}
    found = run(case)
    offered = {o.entry.id for o in found}
    for offer in found:
        if offer.preferred:
            continue
        telephonist = by_id[offer.telephonist_id]
        mine = weighted(offer.entry, telephonist, queue_priorities)
        for other in waiting:
            if (
                other.id not in offered
                and is_eligible(other, open_queues)
                and serves(telephonist, other.queue)
            ):
                assert mine < weighted(other, telephonist, queue_priorities)


@given(cases)
def test_telephonist_idle_longest_is_rung_first(case: Case) -> None:
    _, people, _, _ = case
    found = run(case)
    busy = {o.telephonist_id for o in found}
    by_id = {t.id: t for t in people}
    for offer in found:
        if offer.preferred:
            continue
        for other in people:
            if is_free(other) and other.id not in busy and serves(other, offer.entry.queue):
                assert idle_key(by_id[offer.telephonist_id]) < idle_key(other)


@given(cases)
def test_no_free_telephonist_idles_while_a_caller_they_serve_waits(case: Case) -> None:
    waiting, people, _, open_queues = case
    found = run(case)
    busy = {o.telephonist_id for o in found}
    offered = {o.entry.id for o in found}
    for t in people:
        if is_free(t) and t.id not in busy:
            assert not any(
                is_eligible(e, open_queues) and e.id not in offered and serves(t, e.queue)
                for e in waiting
            )


@given(cases)
def test_returned_call_rings_its_own_free_telephonist(case: Case) -> None:
    waiting, people, _, open_queues = case
    free = {t.id for t in people if is_free(t)}
    found = run(case)
    given_to = {o.entry.id: o for o in found}
    preferred_by = {o.telephonist_id: o.entry for o in found if o.preferred}
    for entry in waiting:
        own = entry.preferred_telephonist
        if own in free and is_eligible(entry, open_queues):
            offer = given_to.get(entry.id)
            if offer is not None and offer.telephonist_id == own:
                assert offer.preferred
                continue
            # Only another returned call of the same telephonist, back earlier, may win.
            rival = preferred_by[own]
            assert queue_key(rival) < queue_key(entry)


@given(cases)
def test_next_offer_is_the_first_of_the_pass(case: Case) -> None:
    waiting, people, queue_priorities, open_queues = case
    found = run(case)
    single = next_offer(
        waiting, people, NOW, queue_priorities=queue_priorities, open_queues=open_queues
    )
    assert single == (found[0] if found else None)


@given(cases, st.data())
def test_missed_ring_keeps_place_and_skips_the_telephonist(case: Case, data: st.DataObject) -> None:
    waiting, people, queue_priorities, open_queues = case
    found = run(case)
    if not found:
        return
    offer = data.draw(st.sampled_from(found))
    ringing_entries = [
        replace(e, state=EntryState.OFFERED, offered_to=offer.telephonist_id)
        if e.id == offer.entry.id
        else e
        for e in waiting
    ]
    ringing_people = [
        replace(t, status=Ringing(offer.entry.id, NOW)) if t.id == offer.telephonist_id else t
        for t in people
    ]
    result = on_ring_timeout(
        ringing_entries,
        ringing_people,
        entry_id=offer.entry.id,
        telephonist_id=offer.telephonist_id,
        now=NOW,
        queue_priorities=queue_priorities,
        open_queues=open_queues,
    )
    back = next(e for e in result.waiting if e.id == offer.entry.id)
    assert queue_key(back) == queue_key(offer.entry)
    assert back.state is EntryState.WAITING
    assert all(o.telephonist_id != offer.telephonist_id for o in result.offers)


@given(entries(), st.frozensets(st.sampled_from([f"chan-e{i}" for i in range(12)])))
def test_restart_keeps_live_callers_in_order_and_records_the_rest(
    persisted: list[Entry], live: frozenset[str]
) -> None:
    kept, gone = reconcile(persisted, live)
    assert sorted(e.id for e in [*kept, *gone]) == sorted(e.id for e in persisted)
    assert [queue_key(e) for e in kept] == sorted(queue_key(e) for e in kept)
    assert all(e.state is EntryState.WAITING for e in kept)
    assert all(e.kind is EntryKind.CALLBACK or e.channel_id in live for e in kept)
    assert all(e.kind is EntryKind.CALLER and e.channel_id not in live for e in gone)
