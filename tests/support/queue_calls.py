"""Queue helpers shared by the end-to-end tests: a site file with queue settings, the
controller's persisted queue state, telephonists logging in, citizens who wait."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import wait_until
from tests.support.controller import EXAMPLE, ControllerProcess
from tests.support.sipp import dial_from_phone, waiting_citizen
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
