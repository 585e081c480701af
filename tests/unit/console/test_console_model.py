"""The console's pure view: what one telephonist sees, from queue, handoff and directory facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from vaxel.console.model import (
    CallFacts,
    Colleague,
    ConsoleFacts,
    HandoffFacts,
    TalkFacts,
    console_view,
    to_json,
)
from vaxel.console.texts import TEXTS
from vaxel.queue.model import Entry, EntryKind, Returned
from vaxel.queue.telephonists import (
    LoggedOut,
    Membership,
    OnCall,
    Paused,
    Telephonist,
    Wrapup,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ME = Telephonist("t1001", "PJSIP/1001", (Membership("centre"), Membership("lss")), OnCall("e1"))
LABELS = {"centre": "Medborgarcenter", "lss": "LSS", "bygglov": "Bygglov"}
SWITCHBOARD = CallFacts("switchboard", "Växeln")
CENTRE = CallFacts("centre", "Medborgarcenter")


def entry(entry_id: str, queue: str, minutes_ago: int, **kw: object) -> Entry:
    values: dict = {"channel_id": f"ch-{entry_id}", "call_id": f"call-{entry_id}",
                    "caller_number": f"+4670000{entry_id[-1]}"}  # fmt: skip
    values.update(kw)
    return Entry(entry_id, queue, NOW - timedelta(minutes=minutes_ago), **values)


def handoff(state: str, **kw: object) -> HandoffFacts:
    values: dict = {
        "id": "h1", "state": state, "mode": "follow", "telephonist": "t1001",
        "caller_channel": "ch-r", "call_id": "call-r", "caller_number": "+46700009",
        "target_name": "Åsa Nyström", "target_person_id": "E10014",
    }  # fmt: skip
    values.update(kw)
    return HandoffFacts(**values)


def facts(**kw: object) -> ConsoleFacts:
    values: dict = {"telephonist": ME, "queue_labels": LABELS, "entries": [], "talk": None,
                    "handoffs": [], "calls": {}, "colleagues": {}}  # fmt: skip
    values.update(kw)
    return ConsoleFacts(**values)


def test_waiting_callers_of_my_queues_in_queue_order_with_number_dialled():
    entries = [
        entry("e3", "centre", 1),
        entry("e4", "centre", 5),
        entry("e5", "bygglov", 9),  # not a queue I serve
        entry("e6", "lss", 2, kind=EntryKind.CALLBACK, channel_id=None),
    ]
    calls = {"call-e3": SWITCHBOARD, "call-e4": CENTRE}
    view = console_view(facts(entries=entries, calls=calls), NOW)
    shown = [(w.entry_id, w.queue, w.position, w.number_label, w.callback) for w in view.waiting]
    assert shown == [
        ("e4", "centre", 1, "Medborgarcenter", False),
        ("e3", "centre", 2, "Växeln", False),
        ("e6", "lss", 1, None, True),
    ]
    assert view.waiting[0].entered_at == NOW - timedelta(minutes=5)


def test_returned_caller_waits_first_marked_with_reason_and_whom_it_came_back_from():
    back = Returned("no_answer", "Inget svar hos Åsa Nyström", NOW, "t1001")
    entries = [entry("e1", "centre", 8), entry("e9", "centre", 3, channel_id="ch-r", returned=back)]
    rung = handoff("RingingTelephonist", reason="no_answer")
    view = console_view(facts(entries=entries, handoffs=[rung]), NOW)
    first = view.waiting[0]
    assert first.entry_id == "e9" and first.position == 1
    assert first.returned is not None
    assert (first.returned.reason, first.returned.from_name) == ("no_answer", "Åsa Nyström")
    assert view.waiting[1].returned is None


def test_state_offers_exactly_the_changes_the_queue_allows():
    logged_out = console_view(facts(telephonist=Telephonist("t1001", "PJSIP/1001",
                                                            ME.queues, LoggedOut())), NOW)  # fmt: skip
    assert logged_out.state.status == "logged_out"
    assert logged_out.state.allowed == ("login",)
    assert [q.logged_in for q in logged_out.state.queues] == [False, False]
    paused = Telephonist("t1001", "PJSIP/1001", ME.queues, Paused("lunch"))
    view = console_view(facts(telephonist=paused), NOW)
    assert (view.state.status, view.state.reason) == ("paused", "lunch")
    assert view.state.allowed == ("logout", "pause", "unpause")
    on_call = console_view(facts(), NOW)
    assert on_call.state.allowed == ()  # no change while on a call, as the feature codes


def test_wrap_up_counts_down_to_its_end_and_is_available_after_it():
    until = NOW + timedelta(seconds=12)
    person = Telephonist("t1001", "PJSIP/1001", ME.queues, Wrapup(until))
    view = console_view(facts(telephonist=person), NOW)
    assert (view.state.status, view.state.wrapup_until) == ("wrapup", until)
    later = console_view(facts(telephonist=person), until + timedelta(seconds=1))
    assert (later.state.status, later.state.wrapup_until) == ("available", None)


def test_current_call_shows_caller_number_dialled_and_time_on_call():
    talk = TalkFacts("e1", "centre", "ch-e1", "call-e1", "+46700001", "en", None,
                     NOW - timedelta(seconds=42))  # fmt: skip
    view = console_view(facts(talk=talk, calls={"call-e1": SWITCHBOARD}), NOW)
    call = view.call
    assert call is not None
    assert (call.caller_number, call.number_name, call.number_label) == (
        "+46700001",
        "switchboard",
        "Växeln",
    )
    assert (call.queue_label, call.language, call.since) == (
        "Medborgarcenter",
        "en",
        NOW - timedelta(seconds=42),
    )
    assert view.transfer is None and view.returned is None


def test_a_follow_transfer_in_progress_is_shown_without_a_call():
    ringing = handoff("Ringing")
    view = console_view(facts(handoffs=[ringing]), NOW)
    assert view.call is None
    assert view.transfer is not None
    assert (view.transfer.state, view.transfer.target_name) == ("Ringing", "Åsa Nyström")


def test_attended_consultation_keeps_the_caller_as_the_current_call():
    consulting = handoff("Consulting", mode="attended")
    view = console_view(facts(handoffs=[consulting], calls={"call-r": CENTRE}), NOW)
    assert view.call is not None and view.call.handoff_id == "h1"
    assert (view.call.caller_number, view.call.number_label) == ("+46700009", "Medborgarcenter")


def test_returned_panel_says_why_and_lists_free_colleagues_in_the_directorys_order():
    hours = NOW + timedelta(days=1)
    back = handoff("Returned", reason="no_answer", ring_time_s=5.0, next_phone_hours=hours,
                   phone_hours="next")  # fmt: skip
    colleagues = [Colleague("E10015", "Mikael Löfgren", "2015", "available", "Ledig"),
                  Colleague("E10030", "Anna Berg", "2030", "available", "Ledig")]  # fmt: skip
    talk = TalkFacts("e9", "centre", "ch-r", "call-r", "+46700009", "sv", None, NOW)
    view = console_view(facts(handoffs=[back], talk=talk,
                              colleagues={"E10014": colleagues}), NOW)  # fmt: skip
    panel = view.returned
    assert panel is not None
    assert (panel.reason, panel.target_name, panel.ring_time_s) == ("no_answer", "Åsa Nyström", 5.0)
    assert (panel.next_phone_hours, panel.phone_hours, panel.can_refer) == (hours, "next", True)
    assert [c.person_id for c in panel.colleagues] == ["E10015", "E10030"]
    assert view.call is not None and view.call.handoff_id == "h1"


@pytest.mark.parametrize(
    "reason", ["no_answer", "busy", "rejected", "absent", "closed", "outside_phone_hours"]
)
def test_every_returned_call_may_be_referred_to_phone_hours_whatever_the_reason(reason):
    hours = NOW + timedelta(hours=4)
    back = handoff("Returned", reason=reason, next_phone_hours=hours, phone_hours="next")
    panel = console_view(facts(handoffs=[back]), NOW).returned
    assert panel is not None
    assert (panel.can_refer, panel.next_phone_hours) == (True, hours)


def test_a_target_without_phone_hours_is_said_plainly_and_every_other_action_stays():
    back = handoff("Returned", reason="no_answer", phone_hours="none")
    colleagues = [Colleague("E10015", "Mikael Löfgren", "2015", "available", "Ledig")]
    talk = TalkFacts("e9", "centre", "ch-r", "call-r", "+46700009", "sv", None, NOW)
    view = console_view(facts(handoffs=[back], talk=talk,
                              colleagues={"E10014": colleagues}), NOW)  # fmt: skip
    panel = view.returned
    assert panel is not None
    assert (panel.phone_hours, panel.next_phone_hours) == ("none", None)
    # The engine tells the telephonist and keeps the call, so the key is not taken away.
    assert panel.can_refer is True
    assert [c.person_id for c in panel.colleagues] == ["E10015"]
    assert view.call is not None and view.call.handoff_id == "h1"
    assert to_json(view, NOW)["returned"]["phone_hours"] == "none"
    assert (
        TEXTS["sv"]["no_hours"]
        .format(who="Åsa Nyström")
        .startswith("Åsa Nyström har ingen telefontid")
    )
    assert TEXTS["en"]["no_hours"].format(who="Åsa").startswith("Åsa has no phone hours")


def test_refer_is_off_on_a_read_only_seat_and_while_a_referral_is_under_way():
    back = handoff("Returned", reason="busy", phone_hours="next",
                   next_phone_hours=NOW + timedelta(hours=1))  # fmt: skip
    read_only = console_view(facts(handoffs=[back], read_only=True), NOW).returned
    assert read_only is not None and read_only.can_refer is False
    looking = replace(back, looking_up_phone_hours=True)
    assert console_view(facts(handoffs=[looking]), NOW).returned.can_refer is False  # type: ignore[union-attr]
    referred = handoff("ReferredToPhoneHours", reason="busy")
    panel = console_view(facts(handoffs=[referred]), NOW).returned
    assert panel is not None and panel.can_refer is False


def test_another_telephonists_handoffs_are_not_on_my_console():
    theirs = handoff("Returned", telephonist="t1002", reason="busy")
    view = console_view(facts(handoffs=[theirs]), NOW)
    assert view.returned is None and view.transfer is None


def test_the_view_serialises_to_json_with_the_servers_time():
    talk = TalkFacts("e1", "centre", "ch-e1", "call-e1", "+46700001", "sv", None, NOW)
    data = to_json(console_view(facts(talk=talk), NOW), NOW)
    assert data["now"] == NOW.isoformat()
    assert data["call"]["since"] == NOW.isoformat()
    assert data["state"]["queues"][0] == {"name": "centre", "label": "Medborgarcenter",
                                          "logged_in": True}  # fmt: skip


def test_views_of_one_pass_share_the_waiting_callers_json_and_serialise_the_same():
    entries = [entry("e1", "centre", 3), entry("e2", "centre", 1)]
    mine = console_view(facts(entries=entries), NOW)
    colleague = console_view(facts(entries=entries, telephonist=replace(ME, id="t1002")), NOW)
    shared: dict = {}
    first, second = to_json(mine, NOW, shared), to_json(colleague, NOW, shared)
    assert first == to_json(mine, NOW)
    assert second == to_json(colleague, NOW)
    assert first["waiting"] is second["waiting"] and len(first["waiting"]) == 2
