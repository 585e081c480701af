"""The console service's adapters: reading a handoff, whose console a user may open, and
publishing a view only when it changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.console.access import NotATelephonist, seat_for
from vaxel.console.service import ConsoleService, console_topic, handoff_facts
from vaxel.context import Bus
from vaxel.handoff.service import Live
from vaxel.handoff.states import (
    Context,
    Failure,
    Initiator,
    Mode,
    Outcome,
    Resolving,
    Returned,
    ReturnedTo,
    Target,
)
from vaxel.handoff.view import describe
from vaxel.queue.model import Entry
from vaxel.queue.telephonists import Available, Membership, Telephonist
from vaxel.web.auth import Principal, Role

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ASA = Target("Åsa Nyström", person_id="E10014", extension="2014", unit="lss")
EXAMPLE = "examples/exempelkommun.toml"


def returned_live(**failure: object) -> Live:
    ctx = Context("h1", Mode.FOLLOW, "t1001", ASA, Initiator.API, False,
                  timedelta(seconds=5), timedelta(seconds=20), "default")  # fmt: skip
    fail = Failure(Outcome.NO_ANSWER, ASA, **failure)  # type: ignore[arg-type]
    return Live("h1", Returned(ctx, fail, ReturnedTo.TELEPHONIST), "ch-caller", "t1001", "centre",
                NOW, call_id="call-1", caller_number="+46700001")  # fmt: skip


def test_handoff_facts_read_reason_target_and_next_phone_hours_from_the_engine():
    later = NOW + timedelta(hours=20)
    live = returned_live(ring_time_s=5.0, next_phone_hours=later)
    facts = handoff_facts(live)
    assert (facts.state, facts.reason, facts.target_name) == (
        "Returned",
        "no_answer",
        "Åsa Nyström",
    )
    assert (facts.target_person_id, facts.ring_time_s) == ("E10014", 5.0)
    assert (facts.next_phone_hours, facts.phone_hours) == (later, "next")
    assert (facts.caller_channel, facts.caller_number) == ("ch-caller", "+46700001")


def test_handoff_facts_show_the_same_facts_as_the_handoff_api():
    """The console and GET /api/v1/handoffs read one description (handoff.view)."""
    later = NOW + timedelta(days=2)
    absent = NOW + timedelta(hours=3)
    live = returned_live(ring_time_s=12.0, absent_until=absent, next_phone_hours=later)
    facts = handoff_facts(live)
    api = describe(live)
    returned = api["returned"]
    assert (facts.id, facts.state, facts.mode, facts.call_id) == (
        api["id"], api["state"], api["mode"], api["call_id"])  # fmt: skip
    assert (facts.reason, facts.ring_time_s, facts.phone_hours) == (
        returned["reason"], returned["ring_time_s"], returned["phone_hours"])  # fmt: skip
    assert (
        facts.absent_until is not None
        and facts.absent_until.isoformat() == (returned["absent_until"])
    )
    assert (
        facts.next_phone_hours is not None
        and facts.next_phone_hours.isoformat() == (returned["next_phone_hours"])
    )
    assert (facts.target_name, facts.target_person_id) == (
        returned["target"]["name"], returned["target"]["person_id"])  # fmt: skip


def test_handoff_facts_say_when_the_engine_knows_the_target_has_no_phone_hours():
    facts = handoff_facts(returned_live(no_phone_hours=True))
    assert (facts.phone_hours, facts.next_phone_hours) == ("none", None)
    unknown = handoff_facts(returned_live())
    assert (unknown.phone_hours, unknown.next_phone_hours) == ("unknown", None)


def test_handoff_facts_of_a_transfer_in_progress_name_its_target():
    ctx = Context("h2", Mode.FOLLOW, "t1001", ASA, Initiator.API, False,
                  timedelta(seconds=5), timedelta(seconds=20), "default")  # fmt: skip
    live = Live("h2", Resolving(ctx, ASA), "ch-caller", "t1001", "centre", NOW)
    facts = handoff_facts(live)
    assert (facts.state, facts.reason, facts.target_name) == ("Resolving", None, "Åsa Nyström")
    assert facts.phone_hours == "unknown"


def user(*roles: Role, name: str = "anna", person: str | None = None) -> Principal:
    return Principal(1, name, name, frozenset(roles), person, None)


def test_a_telephonist_opens_only_their_own_console_and_an_admin_anyones_read_only():
    own = seat_for(user(Role.TELEPHONIST), None, "t1001", known=False)
    assert (own.telephonist, own.read_only) == ("t1001", False)
    with pytest.raises(NotATelephonist):
        seat_for(user(Role.TELEPHONIST), "t1002", "t1001", known=True)
    with pytest.raises(NotATelephonist):
        seat_for(user(Role.OFFICER), None, None, known=False)
    watched = seat_for(user(Role.ADMIN), "t1002", None, known=True)
    assert (watched.telephonist, watched.read_only) == ("t1002", True)


def test_a_changed_view_is_published_once_and_an_unchanged_one_not_again():
    config = load_site_config(EXAMPLE)
    person = Telephonist("t1001", "PJSIP/1001", (Membership("centre"),), Available(), NOW)
    queues = SimpleNamespace(people={"t1001": person}, entries={},
                             calls=SimpleNamespace(talks={}))  # fmt: skip
    service = ConsoleService(config=config, clock=FixedClock(NOW), bus=Bus(),
                             services={"queues": queues})  # fmt: skip

    async def run() -> list:
        updates = service.watch("t1001")
        assert service.publish_changes() == 1
        assert service.publish_changes() == 0
        entry = Entry("e1", "centre", NOW, channel_id="ch1", call_id="c1", caller_number="+4670")
        queues.entries["e1"] = entry
        service.record_call("c1", {"dialled_number": "+46406280410"})
        assert service.publish_changes() == 1
        seen = [updates.get_nowait(), updates.get_nowait()]
        service.unwatch("t1001", updates)
        await service.stop()
        return seen

    first, second = asyncio.run(run())
    assert first["waiting"] == []
    assert second["waiting"][0]["number_label"] == "Medborgarcenter"
    assert second["waiting"][0]["number_name"] == "centre"
    assert console_topic("t1001") == "console:t1001"


def test_a_callback_is_booked_through_the_queue_on_the_callers_checked_number():
    from vaxel.errors import Conflict, DomainError
    from vaxel.queue.calls import Talk

    config = load_site_config(EXAMPLE)
    person = Telephonist("t1001", "PJSIP/1001", (Membership("centre"),), Available(), NOW)
    booked: list[dict] = []

    async def request_callback(**kw: object) -> str:
        booked.append(kw)
        return "cb1"

    queues = SimpleNamespace(people={"t1001": person}, entries={}, request_callback=request_callback,
                             calls=SimpleNamespace(talks={}))  # fmt: skip
    service = ConsoleService(config=config, clock=FixedClock(NOW), bus=Bus(),
                             services={"queues": queues})  # fmt: skip

    async def run() -> dict:
        with pytest.raises(Conflict):
            await service.book_callback("t1001", None)
        entry = Entry(
            "e1", "centre", NOW, channel_id="ch1", call_id="c1", caller_number="0701234567"
        )
        service.facts("t1001")  # sees the entry while it waits
        queues.calls.talks["e1"] = Talk("e1", "centre", "t1001", "ch1", "leg1", 0.0)
        queues.entries["e1"] = entry
        service.facts("t1001")
        with pytest.raises(DomainError) as refused:
            await service.book_callback("t1001", "0900123456")
        assert refused.value.status == 422 and booked == []
        return await service.book_callback("t1001", None)

    result = asyncio.run(run())
    assert result == {"reference": "cb1", "number": "+46701234567", "queue": "centre"}
    (call,) = booked
    assert (call["queue"], call["number"].e164, call["call_id"]) == ("centre", "+46701234567", "c1")


def test_a_published_view_carries_the_first_ari_event_since_the_previous_pass():
    config = load_site_config(EXAMPLE)
    person = Telephonist("t1001", "PJSIP/1001", (Membership("centre"),), Available(), NOW)
    queues = SimpleNamespace(people={"t1001": person}, entries={},
                             calls=SimpleNamespace(talks={}))  # fmt: skip
    clock = FixedClock(NOW)
    service = ConsoleService(config=config, clock=clock, bus=Bus(), services={"queues": queues})

    async def run() -> list:
        updates = service.watch("t1001")
        service.note_event(
            {"type": "ChannelStateChange", "timestamp": "2026-11-23T09:00:00.100+0000"}
        )
        assert service.publish_changes() == 1
        service.note_event({"type": "StasisStart", "timestamp": "2026-11-23T09:00:00.300+0000"})
        service.note_event({"type": "ChannelVarset", "timestamp": "2026-11-23T09:00:00.350+0000"})
        queues.entries["e1"] = Entry("e1", "centre", NOW, channel_id="ch1", call_id="c1")
        assert service.publish_changes() == 1
        clock.at = NOW + timedelta(seconds=5)  # only the time moved: nothing to publish
        assert service.publish_changes() == 0
        seen = [updates.get_nowait(), updates.get_nowait()]
        service.unwatch("t1001", updates)
        await service.stop()
        return seen

    first, second = asyncio.run(run())
    assert first["event_at"] == "2026-11-23T09:00:00.100+0000"
    assert second["event_at"] == "2026-11-23T09:00:00.300+0000"
    assert len(second["waiting"]) == 1
