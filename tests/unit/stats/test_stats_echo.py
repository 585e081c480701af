"""Labels go to the journal once: the listener skips the AMI echo of this process's own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from vaxel.queue.events import TelephonistLoggedIn
from vaxel.stats.events import USER_EVENT, VARIABLE
from vaxel.stats.listener import Listener
from vaxel.stats.sink import StatsSink


class JournalStandIn:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def submit(self, items: list[dict[str, Any]]) -> None:
        self.items.extend(items)


class AsteriskStandIn:
    """Takes the sink's user events as ARI would; they come back as AMI UserEvents."""

    settings = SimpleNamespace(app="vaxel")

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def request(
        self, method: str, path: str, *, params: Any = None, body: Any = None
    ) -> None:
        self.sent.append(body["variables"][VARIABLE])


async def test_the_echo_of_an_own_label_is_not_journalled_twice() -> None:
    journal, asterisk = JournalStandIn(), AsteriskStandIn()
    sink = StatsSink(journal, asterisk)  # type: ignore[arg-type]
    listener = Listener(ami=None, writer=journal, ingest=None, cel_path=Path("unused"),  # type: ignore[arg-type]
                        app="vaxel", tz=ZoneInfo("Europe/Stockholm"),
                        own_echo=sink.is_own_echo)  # fmt: skip
    await sink.emit(TelephonistLoggedIn(datetime(2026, 11, 23, 9, tzinfo=UTC), "t1001"))
    await sink.flush()
    assert len(journal.items) == 1 and len(asterisk.sent) == 1
    echo = {"UserEvent": USER_EVENT, VARIABLE: asterisk.sent[0]}
    listener.on_user_event(echo)
    assert len(journal.items) == 1
    listener.on_user_event(echo)  # the same label once more, e.g. from another process
    assert len(journal.items) == 2
    assert journal.items[0] == journal.items[1]
