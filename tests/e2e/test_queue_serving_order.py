"""The controller's own queues with real SIP: sipp citizens, sipp softphones, the sandbox PBX."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import wait_until
from tests.support.controller import EXAMPLE, ControllerProcess
from tests.support.sipp import answering_phone, dial_from_phone, phone, waiting_citizen
from vaxel import db
from vaxel.queue.store import EntryRow, QueueStore, TelephonistRow

SWITCHBOARD = "+46406280400"


def queue_site(directory: Path, **centre: object) -> Path:
    """The example site, with the centre queue's settings overridden and no language menu
    on the switchboard number (callers go straight to the queue after the greeting)."""
    text = EXAMPLE.read_text()
    text = re.sub(r'^url = "sqlite:.*"$', f'url = "sqlite:///{directory / "vaxel.db"}"', text,
                  count=1, flags=re.M)  # fmt: skip
    start = text.index('name = "centre"\nlabel')
    end = text.index("\n\n", start)
    block = text[start:end]
    for key, value in centre.items():
        literal = f'"{value}"' if isinstance(value, str) else str(value).lower()
        line = f"{key} = {literal}"
        if re.search(rf"^{key} = ", block, flags=re.M):
            block = re.sub(rf"^{key} = .*$", line, block, flags=re.M)
        else:
            block += "\n" + line
    text = text[:start] + block + text[end:]
    text = text.replace('label = "Växeln"\nqueue = "centre"',
                        'label = "Växeln"\nqueue = "centre"\nlanguage_menu = false')  # fmt: skip
    path = directory / "site.toml"
    path.write_text(text)
    return path


class QueueView:
    """What the controller persisted, read from its store."""

    def __init__(self, controller: ControllerProcess) -> None:
        url = controller.config.database.url
        self.store = QueueStore(db.make_sessionmaker(db.make_engine(url)))

    def entries(self) -> list[EntryRow]:
        return sorted(self.store.recent(), key=lambda r: r.entered_at)

    def open(self) -> list[EntryRow]:
        return [e for e in self.entries() if e.left_at is None]

    def by_number(self, number: str) -> EntryRow | None:
        return next((e for e in self.entries() if e.caller_number == number), None)

    def telephonist(self, telephonist_id: str) -> TelephonistRow | None:
        return self.store.telephonist_rows().get(telephonist_id)

    def wait_open(self, count: int, timeout: float = 30) -> list[EntryRow]:
        return wait_until(lambda: len(self.open()) >= count and self.open(), timeout,
                          what=f"{count} callers waiting")  # fmt: skip


def log_in(pbx: dict, view: QueueView, extension: str) -> None:
    """Dial the login feature code from the telephonist's softphone."""
    dial = dial_from_phone(pbx, extension, "*21")
    assert dial.wait(timeout=30) == 0, dial.tail()
    wait_until(
        lambda: (
            (row := view.telephonist(f"t{extension}")) is not None and row.status != "logged_out"
        ),
        what=f"t{extension} logged in",
    )


def caller(pbx: dict, number: str, steps: list | None = None):  # type: ignore[no-untyped-def]
    """A citizen who stays on the line until the controller hangs up (after the telephonist)."""
    return waiting_citizen(pbx, SWITCHBOARD, steps or [], caller=number)


def test_longest_waiting_caller_is_answered_first(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    phone_1001 = answering_phone(pbx, "1001", calls=3, hold_ms=1500)
    numbers = ["0701740651", "0701740652", "0701740653"]
    callers = []
    try:
        for count, number in enumerate(numbers, start=1):
            callers.append(caller(pbx, number))
            view.wait_open(count)
        log_in(pbx, view, "1001")
        for sipp in callers:
            assert sipp.wait(timeout=60) == 0, sipp.tail()
        rows = wait_until(
            lambda: (
                all(view.by_number(n) and view.by_number(n).left_at for n in numbers)
                and [view.by_number(n) for n in numbers]
            ),
            what="all three answered",
        )
        assert [r.left_reason for r in rows] == ["answered"] * 3
        assert [r.answered_by for r in rows] == ["t1001"] * 3
        answered_order = sorted(rows, key=lambda r: r.left_at)
        assert [r.caller_number for r in answered_order] == numbers
    finally:
        for sipp in [*callers, phone_1001]:
            sipp.stop()
        controller.stop()


def test_unanswered_ring_moves_to_next_telephonist_and_pauses_the_first(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, ring_timeout_s=5)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    never = phone(pbx, "1001", "never")
    answers = answering_phone(pbx, "1002", calls=1, hold_ms=1500)
    citizen = None
    try:
        log_in(pbx, view, "1001")  # idle longest: rings first
        log_in(pbx, view, "1002")
        citizen = caller(pbx, "0701740654")
        assert citizen.wait(timeout=60) == 0, citizen.tail()
        row = wait_until(lambda: (r := view.by_number("0701740654")) and r.left_at and r,
                         what="the call answered")  # fmt: skip
        assert row.answered_by == "t1002"
        missed = view.telephonist("t1001")
        assert missed is not None and missed.status == "paused"
        assert missed.reason == "missed call" and missed.missed == 1
        assert answers.wait(timeout=20) == 0, answers.tail()
    finally:
        for sipp in [never, answers, citizen]:
            if sipp is not None:
                sipp.stop()
        controller.stop()
