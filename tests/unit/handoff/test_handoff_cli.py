"""`vaxel handoff list` and `vaxel messages list|handle`, in-process on a real SQLite store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tests.support.controller import write_site_file
from tests.unit.handoff.handoff_builders import ANNA, PER, TELEPHONIST, at, run, start
from vaxel import cli, db
from vaxel.app import build_context
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.handoff.inputs import DirectoryVerdict, Reachable, TargetBusy, TelephonistAnswered
from vaxel.handoff.messages import Urgency
from vaxel.handoff.messaging import NewMessage
from vaxel.handoff.states import Done, Outcome
from vaxel.handoff.store import HandoffStore, dumps
from vaxel.handoff.wiring import build_messages

MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+01:00")  # deadlines: Tuesday 17:00


def site(tmp_path):  # type: ignore[no-untyped-def]
    path = write_site_file(tmp_path)
    db.upgrade(load_site_config(path).database.url)
    return path


def save(store: HandoffStore, handoff_id: str, state, done: bool = False) -> None:  # type: ignore[no-untyped-def]
    store.save({"id": handoff_id, "state_kind": type(state).__name__, "state": dumps(state),
                "done": done, "caller_channel": f"c-{handoff_id}", "telephonist": TELEPHONIST,
                "legs": "{}", "connected": False, "created_at": at(0), "updated_at": at(1)})  # fmt: skip


def test_handoff_list_shows_what_is_in_progress_and_why_calls_came_back(tmp_path, capsys):
    path = site(tmp_path)
    store = HandoffStore(db.make_sessionmaker(db.make_engine(load_site_config(path).database.url)))
    ringing, _ = run([start(), DirectoryVerdict(Reachable(("PJSIP/2001",)))])
    back, _ = run([start(target=PER), DirectoryVerdict(Reachable(("PJSIP/2002",)),
                   "Anna Svensson, anknytning 2001"), TargetBusy(), TelephonistAnswered()])  # fmt: skip
    save(store, "h-ringing", ringing)
    save(store, "h-back", back)
    save(store, "h-done", Done(Outcome.NO_ANSWER), done=True)

    assert cli.main(["handoff", "list", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 handoff(s) in progress" in out and "h-done" not in out
    ringing_line = next(line for line in out.splitlines() if "h-ringing" in line)
    assert f"{TELEPHONIST} -> {ANNA.name}: ringing the target, follow" in ringing_line
    back_line = next(line for line in out.splitlines() if "h-back" in line)
    assert "back with a telephonist" in back_line and "reason busy" in back_line
    assert "free colleague Anna Svensson, anknytning 2001" in back_line


def handled_labels(ctx) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    import json

    from sqlalchemy import select

    from vaxel.stats.store import LabelRow

    with ctx.sessions() as session:
        rows = session.scalars(select(LabelRow).where(LabelRow.name == "MessageHandled")).all()
        return [(row.ref, json.loads(row.fields)["within_deadline"] == "true") for row in rows]


def test_messages_list_filters_open_and_overdue_and_handle_marks_one(tmp_path, capsys):
    path = site(tmp_path)
    ctx = build_context(load_site_config(path), clock=FixedClock(MONDAY))
    messages = build_messages(ctx)  # no address for the unit: delivery fails, is tracked

    def create(subject: str) -> str:
        new = NewMessage("Karl", "+46701740699", subject, Urgency.URGENT, "bygglov")
        return asyncio.run(messages.create(new))[0].reference

    first, second = create("Attefallshus"), create("Strandskydd")
    config = load_site_config(path)
    from vaxel.handoff.cli import message_lines

    lines = message_lines(config, only="open", now=MONDAY)
    assert lines[0] == "2 message(s) open"
    assert any(first in line and "urgent" in line and "email created, 1 attempt(s)" in line
               and "no address" in line for line in lines)  # fmt: skip
    assert message_lines(config, only="overdue", now=MONDAY)[0] == "0 message(s) overdue"
    wednesday = MONDAY + timedelta(days=2)
    overdue = message_lines(config, only="overdue", now=wednesday)
    assert overdue[0] == "2 message(s) overdue" and all("OVERDUE" in x for x in overdue[1:])

    assert cli.main(["messages", "handle", first, "--config", str(path)]) == 0
    assert f"{first}: handled" in capsys.readouterr().out
    assert messages.store.message(first).status == "handled"
    # The statistics count it; the CLI runs on the real clock, long after Tuesday's deadline.
    assert handled_labels(ctx) == [
        (first, datetime.now(MONDAY.tzinfo) <= MONDAY + timedelta(days=1, hours=7))
    ]
    remaining = message_lines(config, only="open", now=wednesday)
    assert remaining[0] == "1 message(s) open" and second in remaining[1]
    assert len(message_lines(config, now=wednesday)) == 3  # all: handled ones too

    assert cli.main(["messages", "list", "--open", "--config", str(path)]) == 0
    assert second in capsys.readouterr().out
    assert cli.main(["messages", "handle", "M-2026-999999", "--config", str(path)]) == 1
    assert "no message M-2026-999999" in capsys.readouterr().err
    assert cli.main(["messages", "handle", "nonsense", "--config", str(path)]) == 2
