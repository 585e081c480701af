"""Asterisk's CEL record as contact facts, and the verify difference."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vaxel.stats.cel import Fact, fact_from_ami, fact_from_file
from vaxel.stats.reconcile import StoredContact, compare

LINE = {"eventtype": "APP_START", "eventtime": "1795444997.422902", "num": "0701740650",
        "exten": "+46406280400", "appname": "Stasis", "appdata": "vaxel,inbound,+46406280400",
        "linkedid": "1795444997.29", "uniqueid": "1795444997.29"}  # fmt: skip


def test_a_stasis_inbound_app_start_is_a_contact_start_with_number_and_caller():
    fact = fact_from_file(LINE, "vaxel")
    assert fact == Fact("start", "1795444997.29", datetime.fromtimestamp(1795444997.422902, UTC),
                        "+46406280400", "0701740650")  # fmt: skip


def test_other_apps_and_internal_calls_are_not_contacts():
    assert fact_from_file({**LINE, "appdata": "vaxel,internal,1001"}, "vaxel") is None
    assert fact_from_file({**LINE, "appdata": "other,inbound,+46406280400"}, "vaxel") is None
    assert fact_from_file({**LINE, "eventtype": "ANSWER"}, "vaxel") is None


def test_linkedid_end_ends_the_contact():
    fact = fact_from_file({**LINE, "eventtype": "LINKEDID_END"}, "vaxel")
    assert fact is not None and fact.ev == "end"


def test_ami_cel_start_takes_its_time_from_the_linkedid():
    message = {"EventName": "APP_START", "Application": "Stasis", "AppData": "vaxel,inbound,+46406280400",
               "LinkedID": "1795444997.29", "EventTime": "2026-11-23 14:43:17", "CallerIDnum": "070"}  # fmt: skip
    fact = fact_from_ami(message, "vaxel", ZoneInfo("Europe/Stockholm"))
    assert fact is not None and fact.at == datetime.fromtimestamp(1795444997, UTC)


def test_compare_names_missing_extra_unended_and_wrong_number():
    t = datetime(2026, 11, 23, 10, tzinfo=UTC)
    cel = [Fact("start", "a", t, "+1"), Fact("end", "a", t), Fact("start", "b", t, "+1"),
           Fact("start", "c", t, "+1"), Fact("end", "c", t)]  # fmt: skip
    stored = {"a": StoredContact("a", "+1", True, "label"), "c": StoredContact("c", "+2", False, "cel"),
              "x": StoredContact("x", "+1", False, "label"), "s": StoredContact("s", None, False, "synth")}  # fmt: skip
    diff, checked = compare(cel, stored, ["a", "c", "x", "s"], t, t.replace(hour=11))
    assert checked == 3
    assert diff.missing == ["b"]
    assert diff.extra == ["x"]
    assert diff.number == [("c", "+1", "+2")]
    assert diff.not_ended == ["c"]


def test_compare_of_agreeing_records_is_empty():
    t = datetime(2026, 11, 23, 10, tzinfo=UTC)
    diff, _ = compare([Fact("start", "a", t, "+1"), Fact("end", "a", t)],
                      {"a": StoredContact("a", "+1", True, "label")}, ["a"], t, t.replace(hour=11))  # fmt: skip
    assert diff.empty() and diff.lines() == []
