"""The wallboard's pure model: threshold levels, the live queue, how long each telephonist
has been in their state, and the report's figures taken as they are."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from vaxel.config import Limit, Wallboard
from vaxel.console.wallboard import (
    Level,
    State,
    Today,
    clock_text,
    level_of,
    live_queue,
    people_of,
    queue_board,
    state_of,
    today_from_summary,
    track_since,
)
from vaxel.queue.model import Entry, EntryKind, EntryState
from vaxel.queue.telephonists import (
    Available,
    LoggedOut,
    Membership,
    OnCall,
    Paused,
    Ringing,
    Telephonist,
    Wrapup,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def caller(entry_id: str, queue: str = "centre", entered: float = 0) -> Entry:
    return Entry(id=entry_id, queue=queue, entered_at=at(entered), channel_id=f"ch-{entry_id}")


def person(tid: str, status=LoggedOut(), queues=("centre",)) -> Telephonist:  # type: ignore[no-untyped-def]
    return Telephonist(tid, f"PJSIP/{tid}", tuple(Membership(q) for q in queues), status)


def test_higher_is_worse_figures_turn_amber_at_warn_and_red_at_alarm():
    limit = Limit(warn=3, alarm=8)
    assert [level_of("waiting", v, limit) for v in (0, 2, 3, 7, 8, 20)] == [
        Level.OK, Level.OK, Level.WARN, Level.WARN, Level.ALARM, Level.ALARM]  # fmt: skip


def test_service_level_limits_are_floors():
    limit = Limit(warn=80, alarm=60)
    assert [level_of("service_level_60", v, limit) for v in (100, 80.1, 80, 61, 60, 0)] == [
        Level.OK, Level.OK, Level.WARN, Level.WARN, Level.ALARM, Level.ALARM]  # fmt: skip


def test_a_figure_without_a_value_has_no_level():
    assert level_of("asa_s", None, Limit(warn=1, alarm=2)) is Level.NONE


def test_live_queue_counts_callers_on_the_line_and_callbacks_apart():
    ringing = replace(caller("b", entered=30), state=EntryState.OFFERED, offered_to="t1")
    cb = Entry(id="c", queue="centre", entered_at=at(-500), kind=EntryKind.CALLBACK,
               caller_number="+46701234567")  # fmt: skip
    other = caller("d", queue="lss", entered=-900)
    live = live_queue([caller("a", entered=10), ringing, cb, other], "centre", at(100))
    # The callback is older, but nobody is on the line for it: it is no wait on the line.
    assert (live.waiting, live.longest_wait_s, live.callbacks_pending) == (2, 90, 1)


def test_an_empty_queue_has_no_longest_wait():
    live = live_queue([], "centre", at(0))
    assert (live.waiting, live.longest_wait_s, live.callbacks_pending) == (0, None, 0)


def test_states_and_the_pause_reason():
    assert state_of(Paused("lunch"), at(0)) == (State.PAUSED, "lunch")
    assert state_of(Wrapup(at(10)), at(0)) == (State.WRAP_UP, "")
    assert state_of(Wrapup(at(10)), at(11)) == (State.AVAILABLE, "")  # a lost wrap-up timer
    assert state_of(Ringing("e", at(20)), at(0))[0] is State.RINGING
    assert state_of(OnCall("e"), at(0))[0] is State.ON_CALL


def test_time_in_state_runs_until_the_state_changes():
    a = person("t1", Available())
    since = track_since({}, [a], at(0))
    since = track_since(since, [a], at(50))
    assert since["t1"] == ((State.AVAILABLE, ""), at(0))
    # Ringing is a new state; so is a pause with another reason.
    since = track_since(since, [replace(a, status=Ringing("e", at(80)))], at(60))
    assert since["t1"][1] == at(60)
    since = track_since(since, [replace(a, status=Paused("lunch"))], at(70))
    since = track_since(since, [replace(a, status=Paused("meeting"))], at(90))
    assert since["t1"] == ((State.PAUSED, "meeting"), at(90))


def test_after_a_restart_time_in_state_counts_from_the_last_stored_change():
    since = track_since({}, [person("t1", Paused("lunch"))], at(100), {"t1": at(40)})
    assert since["t1"][1] == at(40)
    views = people_of("centre", [person("t1", Paused("lunch"))], {"t1": "Tove"}, since, at(100))
    assert [(v.name, v.state, v.detail, v.seconds) for v in views] == [
        ("Tove", State.PAUSED, "lunch", 60)]  # fmt: skip


def test_people_of_a_queue_free_first_logged_out_last():
    people = [person("t1"), person("t2", OnCall("e")), person("t3", Available()),
              person("t4", Available(), queues=("lss",))]  # fmt: skip
    since = track_since({}, people, at(0))
    order = [v.id for v in people_of("centre", people, {}, since, at(5))]
    assert order == ["t3", "t2", "t1"]


def test_the_reports_summary_row_is_taken_as_it_is():
    row = {"offered": 5, "answered": 3, "abandoned": 1, "sl_60": 2 / 3, "sl_120": 1.0,
           "asa": 41.3, "longest_wait": 99}  # fmt: skip
    today = today_from_summary(row)
    assert today == Today(5, 3, 1, 2 / 3, 1.0, 41.3)
    board = queue_board(name="centre", label="Centre", live=None, today=today, people=[],
                        settings=Wallboard())  # fmt: skip
    figures = board.figures
    assert figures["service_level_60"].value == 66.7
    assert figures["service_level_60"].level is Level.WARN  # below the floor 80, above 60
    assert figures["service_level_120"].level is Level.OK
    assert figures["asa_s"].value == 41.3 and figures["asa_s"].level is Level.OK
    assert figures["waiting"].level is Level.NONE  # no live state in this process
    assert (board.answered, board.abandoned, board.offered) == (3, 1, 5)


def test_durations_read_at_a_glance():
    assert [clock_text(s) for s in (None, 7, 187, 3787)] == ["–", "0:07", "3:07", "1:03:07"]
