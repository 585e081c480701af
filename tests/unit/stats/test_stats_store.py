"""The statistics store on SQLite and PostgreSQL: idempotent ingest, backfill from CEL,
verify, wrap-up, the call log, exact rollups and the privacy job."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.stats_store import Env, T, started, waits
from tests.unit.stats.stats_builders import handoff_attempt
from vaxel.errors import DomainError, NotFound
from vaxel.handoff.events import MessageCreated
from vaxel.queue.events import LeaveReason, WrapUpKeyed
from vaxel.stats.aggregates import aggregate
from vaxel.stats.events import record_of
from vaxel.stats.ingest import label_item
from vaxel.stats.journal import Journal
from vaxel.stats.model import STOCKHOLM
from vaxel.stats.privacy import is_pseudonymised
from vaxel.stats.reconcile import backfill, verify
from vaxel.stats.segments import PrivacyFiles, age_cel, age_journals, rotate_cel, segments
from vaxel.stats.store import ContactRecord, LabelRow
from vaxel.stats.synth import generate
from vaxel.stats.synthstore import load


@pytest.fixture()
def env(store_url, tmp_path):
    e = Env(store_url, tmp_path)
    yield e
    e.engine.dispose()


def test_applying_the_same_items_twice_stores_them_once(env):
    items = [started(), *waits("c1", 30, LeaveReason.ABANDONED)]
    env.ingest.apply(items)
    env.ingest.apply(items)
    env.ingest.apply(list(reversed(items)))
    assert env.count(LabelRow) == 3
    assert env.count(ContactRecord) == 1
    [contact] = env.reader.contacts_between(T - timedelta(hours=1), T + timedelta(hours=1))
    assert [s.kind for s in contact.stints] == ["queue_wait"]


def test_a_contact_seen_only_in_cel_gets_its_number_and_opening_from_the_site_file(env, tmp_path):
    cel = tmp_path / "vaxel.jsonl"
    start = T.replace(hour=20)  # closed
    lines = [
        {"eventtype": "APP_START", "eventtime": f"{start.timestamp():.6f}", "num": "0701",
         "appname": "Stasis", "appdata": "vaxel,inbound,+46406280410", "linkedid": "L1"},
        {"eventtype": "LINKEDID_END", "eventtime": f"{start.timestamp() + 9:.6f}", "linkedid": "L1"},
    ]  # fmt: skip
    cel.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert backfill(env.ingest, cel, "vaxel", from_start=True) == 2
    assert backfill(env.ingest, cel, "vaxel") == 0  # checkpointed
    with env.sessions() as s:
        row = s.get(ContactRecord, "L1")
    assert (row.number_dialled, row.number_kind, row.opening, row.header_source) == (
        "centre",
        "centre",
        "closed",
        "cel",
    )
    assert row.ended_at is not None
    diff, checked = verify(
        env.sessions, cel, "vaxel", start - timedelta(hours=1), start + timedelta(hours=1)
    )
    assert checked == 1 and diff.empty(), diff.lines()


def test_a_label_header_wins_over_cel_whatever_comes_first(env):
    env.ingest.apply([{"type": "chan", "ev": "start", "id": "c1", "at": T.isoformat(),
                       "e164": "+46406280410", "caller": None}])  # fmt: skip
    env.ingest.apply([started()])
    env.ingest.apply([{"type": "chan", "ev": "start", "id": "c1", "at": T.isoformat(),
                       "e164": "+46406280410", "caller": None}])  # fmt: skip
    with env.sessions() as s:
        row = s.get(ContactRecord, "c1")
    assert (row.header_source, row.number_dialled) == ("label", "switchboard")


def test_wrap_up_codes_are_checked_and_stored(env):
    env.ingest.apply([started()])
    with pytest.raises(DomainError):
        env.service.set_wrap_up("c1", "nonsense", "t1")
    with pytest.raises(NotFound):
        env.service.set_wrap_up("nope", "other", "t1")
    env.service.set_wrap_up("c1", "referred_to_phone_hours", "t1")
    [row] = env.service.call_log(T.date(), T.date())
    assert row.wrap_up == "referred_to_phone_hours"
    assert row.outcome == "referred_to_phone_hours"


def test_a_handoff_attempt_with_its_contact_merges_into_the_callers_contact(env):
    """The handoff fills in the caller's contact id; a message taken after the failed
    attempt names only the handoff, and follows it into the same contact."""
    attempt = handoff_attempt(T + timedelta(seconds=60))
    message = MessageCreated(reference="M-1", at=T + timedelta(seconds=90), target_person="p1",
                             target_unit="u1", channel="email", urgency="normal",
                             deadline=T + timedelta(days=1), handoff_id="h1")  # fmt: skip
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(attempt))])
    env.ingest.apply([label_item(record_of(message))])
    found = env.reader.contact("c1")
    assert found is not None
    kinds = [(str(s.kind), s.outcome and str(s.outcome)) for s in found[0].stints]
    assert kinds == [("queue_wait", "answered"), ("handoff_attempt", "no_answer"),
                     ("return", None), ("message", None)]  # fmt: skip
    [row] = env.service.call_log(T.date(), T.date())
    assert row.outcome == "message_taken"


def test_a_wrap_up_code_keyed_by_the_telephonist_sets_the_contacts_wrap_up(env):
    keyed = WrapUpKeyed(at=T + timedelta(seconds=90), queue="centre", contact_id="c1",
                        entry_id="c1", code="referred_to_phone_hours", by="t1001")  # fmt: skip
    env.ingest.apply([started(), *waits("c1", 20, LeaveReason.ANSWERED)])
    env.ingest.apply([label_item(record_of(keyed))])
    [row] = env.service.call_log(T.date(), T.date())
    assert (row.wrap_up, row.outcome) == ("referred_to_phone_hours", "referred_to_phone_hours")
    # A later code through the API wins; an older keyed one arriving late does not.
    env.clock.at = T + timedelta(seconds=120)
    env.service.set_wrap_up("c1", "other", "anna")
    env.ingest.apply([label_item(record_of(keyed))])
    [row] = env.service.call_log(T.date(), T.date())
    assert row.wrap_up == "other"


def test_the_call_log_never_shows_a_raw_number(env):
    env.ingest.apply([started(), *waits("c1", 30, LeaveReason.ABANDONED)])
    [row] = env.service.call_log(T.date(), T.date())
    assert is_pseudonymised(row.caller) and "0701740650" not in json.dumps(
        row.__dict__, default=str
    )
    assert (row.outcome, row.wait_s, row.number_dialled) == (
        "abandoned_in_queue",
        30,
        "switchboard",
    )


def test_rollups_give_exactly_the_raw_figures_and_follow_late_writes(env):
    contacts = list(generate(1200, date(2026, 9, 1), 30, seed=4))
    load(env.sessions, contacts)
    first, last = date(2026, 9, 1), date(2026, 9, 30)
    assert env.reader.total(first, last) == aggregate(contacts)
    # A late label on an already rolled-up day is counted on the next report.
    late = contacts[100]
    env.service.set_wrap_up(late.contact_id, "message", "t1")
    expected = aggregate([c if c is not late else type(c)(**{**{f: getattr(c, f) for f in c.__slots__},
                          "wrap_up": "message"}) for c in contacts])  # fmt: skip
    assert env.reader.total(first, last) == expected


def test_privacy_job_pseudonymises_old_numbers_and_retention_deletes_old_contacts(env):
    old = T - timedelta(days=40)
    env.ingest.apply([started("old", old), started("new", T)])
    env.clock.at = T + timedelta(hours=1)
    assert env.service.pseudonymise_due() == 1
    with env.sessions() as s:
        assert is_pseudonymised(s.get(ContactRecord, "old").caller)
        assert s.get(ContactRecord, "new").caller == "0701740650"
        labels = [
            json.loads(r.fields)
            for r in s.scalars(select(LabelRow).where(LabelRow.contact_id == "old"))
        ]
    assert all(is_pseudonymised(f["caller"]) for f in labels)
    env.clock.at = T + timedelta(days=800)  # retention in the example site file: 730 days
    env.reader.total(T.date(), T.date())  # rollups made before deletion
    before = env.reader.total(old.date(), T.date())
    assert env.service.delete_expired() == 2
    assert env.count(ContactRecord) == 0
    assert env.reader.total(old.date(), T.date()) == before  # aggregates are kept
    _ = UTC


# --- the journal and CEL files past raw_number_days ----------------------------------


def cel_call(linkedid: str, at: datetime, caller: str) -> list[dict]:
    """An inbound call's CEL records: the contact facts, and a callback-style dial that
    carries the caller's number in ``exten`` and ``appdata``."""
    t = at.timestamp()
    return [
        {"eventtype": "CHAN_START", "eventtime": f"{t:.6f}", "num": caller, "exten": "+46406280400",
         "linkedid": linkedid},
        {"eventtype": "APP_START", "eventtime": f"{t:.6f}", "num": caller, "appname": "Stasis",
         "appdata": "vaxel,inbound,+46406280400", "linkedid": linkedid},
        {"eventtype": "APP_START", "eventtime": f"{t + 5:.6f}", "num": "1001", "exten": caller,
         "appname": "Dial", "appdata": f"PJSIP/{caller}@trunk", "linkedid": linkedid},
        {"eventtype": "LINKEDID_END", "eventtime": f"{t + 9:.6f}", "linkedid": linkedid},
    ]  # fmt: skip


def append_cel(path: Path, records: list[dict]) -> None:
    with open(path, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records))


def whole_day(at: datetime) -> tuple[datetime, datetime]:
    day = at.astimezone(STOCKHOLM).replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day + timedelta(days=1)


def test_rotating_cel_loses_no_contact_and_verify_reads_the_segments(env, tmp_path):
    cel = tmp_path / "vaxel.jsonl"
    append_cel(cel, cel_call("before", T - timedelta(hours=2), "0701740640"))
    backfill(env.ingest, cel, "vaxel")  # a new store starts at the file's end
    append_cel(cel, cel_call("L1", T - timedelta(hours=1), "0701740641"))
    segment = rotate_cel(env.ingest, cel, "vaxel", T)
    assert segment is not None and not cel.exists()
    assert [json.loads(x)["linkedid"] for x in segment.read_text().splitlines()] == ["L1"] * 4
    append_cel(cel, cel_call("L2", T + timedelta(hours=1), "0701740642"))  # Asterisk's next record
    assert backfill(env.ingest, cel, "vaxel") == 2
    with env.sessions() as s:
        assert {r.id for r in s.scalars(select(ContactRecord))} == {"L1", "L2"}
    diff, checked = verify(env.sessions, cel, "vaxel", *whole_day(T))
    assert checked == 2 and diff.empty(), diff.lines()


def test_cel_records_past_raw_number_days_keep_only_pseudonymised_contact_facts(env, tmp_path):
    cel = tmp_path / "vaxel.jsonl"
    backfill(env.ingest, cel, "vaxel")
    old, new = T - timedelta(days=31), T - timedelta(days=2)
    append_cel(cel, cel_call("OLD", old, "0701740643"))
    first = rotate_cel(env.ingest, cel, "vaxel", old + timedelta(hours=1))
    append_cel(cel, cel_call("NEW", new, "0701740644"))
    second = rotate_cel(env.ingest, cel, "vaxel", new + timedelta(hours=1))
    assert first is not None and second is not None
    aged = age_cel(cel, "vaxel", env.service.raw_number_cutoff(), env.service.retention_cutoff(),
                   env.service.pseudonym)  # fmt: skip
    assert (aged.reduced, aged.dropped, aged.deleted) == (2, 2, 0)
    old_segment, new_segment = segments(cel)
    assert old_segment.name.endswith(".aged.jsonl") and new_segment == second
    old_text = old_segment.read_text()
    assert "0701740643" not in old_text
    kinds = [(r["eventtype"], is_pseudonymised(r.get("num", "0" * 64)))
             for r in map(json.loads, old_text.splitlines())]  # fmt: skip
    assert kinds == [("APP_START", True), ("LINKEDID_END", True)]
    assert new_segment.read_text().count("0701740644") == 4  # inside the window: untouched
    for day in (old, new):
        diff, checked = verify(env.sessions, cel, "vaxel", *whole_day(day))
        assert checked == 1 and diff.empty(), diff.lines()
    # Retention (730 days in the example site file) deletes the segment itself.
    env.clock.at = T + timedelta(days=800)
    gone = age_cel(cel, "vaxel", env.service.raw_number_cutoff(), env.service.retention_cutoff(),
                   env.service.pseudonym)  # fmt: skip
    assert gone.deleted == 2 and segments(cel) == []


def test_the_journal_rotates_only_when_applied_and_old_segments_are_deleted(tmp_path):
    journal = Journal(tmp_path, "controller")
    journal.append([started("c1", T - timedelta(days=31))])
    assert journal.rotate(T - timedelta(days=31)) is None  # not in the store yet: the spool
    journal.set_offset(journal.path.stat().st_size)
    old = journal.rotate(T - timedelta(days=30, hours=23))
    journal.append([started("c2", T - timedelta(days=2))])
    journal.set_offset(journal.path.stat().st_size)
    new = journal.rotate(T - timedelta(days=1))
    journal.append([started("c3", T)])  # the current file is never aged
    assert old is not None and new is not None and journal.offset() == 0
    assert age_journals(tmp_path, T - timedelta(days=30)) == 1
    assert not old.exists() and new.exists() and "c3" in journal.path.read_text()
    journal.close()


def test_the_nightly_privacy_job_rotates_and_ages_both_files_and_logs_it(env, tmp_path):
    import asyncio

    from structlog.testing import capture_logs

    cel, journals = tmp_path / "vaxel.jsonl", tmp_path / "journal"
    backfill(env.ingest, cel, "vaxel")
    append_cel(cel, cel_call("OLD", T - timedelta(days=31), "0701740645"))
    journal = Journal(journals, "controller")
    journal.append([started("OLD", T - timedelta(days=31), caller="0701740645")])
    journal.set_offset(journal.path.stat().st_size)
    files = PrivacyFiles(service=env.service, ingest=env.ingest, cel_path=cel, app="vaxel",
                         journal=journal, journal_dir=journals, lock=None)  # fmt: skip
    env.clock.at = T - timedelta(days=30, hours=23)
    with capture_logs() as first_night:
        asyncio.run(files.run())
    env.clock.at = T
    with capture_logs() as later:
        asyncio.run(files.run())
    journal.close()
    [logged] = [e for e in later if e["event"] == "stats_privacy_files"]
    assert (logged["cel_records_reduced"], logged["journal_segments_deleted"]) == (2, 1)
    assert any(e["event"] == "stats_cel_rotated" for e in first_night)
    on_disk = "".join(p.read_text() for p in tmp_path.rglob("*.jsonl"))
    assert "0701740645" not in on_disk
    with env.sessions() as s:
        assert s.get(ContactRecord, "OLD") is not None  # backfilled before the move


def test_stats_privacy_command_ages_rotated_cel_segments_too(
    store_url, tmp_path, monkeypatch, capsys
):
    from vaxel.cli import main

    now = datetime.now(UTC)
    env = Env(store_url, tmp_path)
    cel = tmp_path / "vaxel.jsonl"
    monkeypatch.setenv("VAXEL_CEL_FILE", str(cel))
    backfill(env.ingest, cel, "vaxel")
    append_cel(cel, cel_call("OLD", now - timedelta(days=31), "0701740645"))
    assert rotate_cel(env.ingest, cel, "vaxel", now - timedelta(days=31) + timedelta(hours=1))
    env.engine.dispose()
    config = tmp_path / "site.toml"
    assert main(["stats", "privacy", "--config", str(config)]) == 0
    assert "2 records reduced" in capsys.readouterr().out
    (aged,) = segments(cel)
    assert aged.name.endswith(".aged.jsonl") and "0701740645" not in aged.read_text()
