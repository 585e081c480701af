"""Queue helpers shared by the end-to-end tests: a site file with queue settings, the
controller's persisted queue state, telephonists logging in, citizens who wait."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import httpx

from tests.conftest import wait_until
from tests.support.controller import EXAMPLE, ControllerProcess
from tests.support.sipp import dial_from_phone, free_port, waiting_citizen
from vaxel import db
from vaxel.app import build_context
from vaxel.ivr.prompts import PromptRenderer
from vaxel.queue.store import EntryRow, QueueStore, TelephonistRow
from vaxel.web.auth import Role

SWITCHBOARD = "+46406280400"
API_PASSWORD = "correct horse battery"
# A waiting caller asks for a callback (1) on the number they call from (1 again). sipp
# replays the same RFC 4733 pcap for each key; Asterisk takes a repeat of the same digit as
# a new key only after a few seconds, hence the long pauses.
CALLBACK_ON_OWN_NUMBER = [("pause", 4000), ("dtmf", "1"), ("pause", 4500), ("dtmf", "1")]


def queue_site(
    directory: Path, *, queues: dict[str, dict[str, object]] | None = None, **centre: object
) -> Path:
    """The example site, with the centre queue's settings overridden (and any other queue's
    through ``queues``) and no language menu on the switchboard number (callers go straight
    to the queue after the greeting)."""
    text = EXAMPLE.read_text()
    text = re.sub(r'^url = "sqlite:.*"$', f'url = "sqlite:///{directory / "vaxel.db"}"', text,
                  count=1, flags=re.M)  # fmt: skip
    for name, settings in {"centre": centre, **(queues or {})}.items():
        text = _with_queue_settings(text, name, settings)
    text = text.replace('label = "Växeln"\nqueue = "centre"',
                        'label = "Växeln"\nqueue = "centre"\nlanguage_menu = false')  # fmt: skip
    path = directory / "site.toml"
    path.write_text(text)
    return path


def _with_queue_settings(text: str, name: str, settings: dict[str, object]) -> str:
    start = text.index(f'name = "{name}"\nlabel')
    end = text.index("\n\n", start)
    block = text[start:end]
    for key, value in settings.items():
        literal = f'"{value}"' if isinstance(value, str) else str(value).lower()
        line = f"{key} = {literal}"
        if re.search(rf"^{key} = ", block, flags=re.M):
            block = re.sub(rf"^{key} = .*$", line, block, flags=re.M)
        else:
            block += "\n" + line
    return text[:start] + block + text[end:]


def with_web(site: Path) -> str:
    """Serve the controller's web and API on a port of its own; returns the base URL."""
    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    site.write_text(site.read_text() + f'\n[web]\nport = {port}\npublic_url = "{base}"\n')
    return base


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


def feature_code(pbx: dict, extension: str, digits: str) -> None:
    """Dial a telephonist's feature code and hear the confirmation to the end."""
    dial = dial_from_phone(pbx, extension, digits)
    assert dial.wait(timeout=30) == 0, dial.tail()


def start_queue_controller(
    directory: Path, **centre: object
) -> tuple[ControllerProcess, QueueView]:
    """A running controller on ``queue_site(directory, **centre)`` and a view of its store."""
    controller = ControllerProcess(queue_site(directory, **centre), directory)
    controller.start()
    return controller, QueueView(controller)


def wait_answered(view: QueueView, number: str) -> EntryRow:
    """The caller's entry once it has left the queue (answered or not)."""
    return wait_until(lambda: (r := view.by_number(number)) and r.left_at and r,
                      what=f"{number} out of the queue")  # fmt: skip


def log_in(pbx: dict, view: QueueView, extension: str) -> None:
    """Dial the login feature code from the telephonist's softphone."""
    feature_code(pbx, extension, "*21")
    wait_until(
        lambda: (
            (row := view.telephonist(f"t{extension}")) is not None and row.status != "logged_out"
        ),
        what=f"t{extension} logged in",
    )


def api_headers(controller: ControllerProcess, base: str, username: str, *roles: Role) -> dict:
    """A user with ``roles`` in the controller's store, logged in through the API."""
    ctx = build_context(controller.config)
    ctx.auth.create_user(username=username, display_name=username, password=API_PASSWORD,
                         roles=set(roles))  # fmt: skip
    reply = httpx.post(f"{base}/api/v1/auth/login",
                       json={"username": username, "password": API_PASSWORD})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def caller(pbx: dict, number: str, steps: list | None = None, dialled: str = SWITCHBOARD):  # type: ignore[no-untyped-def]
    """A citizen who stays on the line until the controller hangs up (after the telephonist)."""
    return waiting_citizen(pbx, dialled, steps or [], caller=number)


def stop_all(runs: list, *controllers: ControllerProcess | None) -> None:
    """The end of a test: every sipp still running, then the controllers (None: not started)."""
    for run in runs:
        if run is not None:
            run.stop()
    for controller in controllers:
        if controller is not None:
            controller.stop()


def sound_key(text: str, lang: str = "sv") -> str:
    """The content hash the controller's renderer names the sentence's file by."""
    return PromptRenderer(Path("/nonexistent"), "/x").cache_key(text, lang)


def full_log(controller: ControllerProcess) -> str:
    return controller.log_path.read_text(errors="replace")


def labels_named(controller: ControllerProcess, name: str) -> list[dict]:
    """The labelled events ``name`` the controller journalled for statistics: their fields."""
    journal = controller.workdir / "stats-journal" / "controller.jsonl"
    if not journal.exists():
        return []
    found: dict[str, dict] = {}  # a label can be journalled twice (sink, then AMI echo)
    for line in journal.read_text().splitlines():
        record = json.loads(line)
        if record.get("type") == "label":
            label = json.loads(record["json"])
            if label["n"] == name:
                found.setdefault(record["json"], label["f"])
    return list(found.values())


def said(controller: ControllerProcess, text: str, lang: str = "sv") -> bool:
    """The controller played ``text`` (its log names every sound it plays; the ARI watcher
    app is shared with other test runs on this sandbox, which may take it over)."""
    return sound_key(text, lang) in full_log(controller)
