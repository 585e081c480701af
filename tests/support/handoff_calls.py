"""Handoff helpers shared by the end-to-end tests: the handoff site and a controller on it,
the persisted handoffs, what Asterisk reports about the caller's and the target's channels,
an API token, and ending a test's calls cleanly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from tests.conftest import run_vaxel, wait_until
from tests.support.controller import (
    ControllerProcess,
    _release_controller_lock,
    _take_controller_lock,
)
from tests.support.ivr_calls import sound_of
from tests.support.queue_calls import QueueView, caller, log_in, queue_site
from tests.support.sipp import free_port
from vaxel import db
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.directory.store import DirectoryStore
from vaxel.handoff.store import HandoffRow, HandoffStore
from vaxel.web.auth import Role

ROOT = Path(__file__).resolve().parents[2]

DIRECTORY = ROOT / "examples" / "directory.csv"
RING_S = 5  # the target's ring timeout in these tests
LENA, ASA = "2011", "2014"  # officers with a desk phone only (no mobile rung via the trunk)
LENA_ID, ASA_ID = "E10011", "E10014"
PASSWORD = "correct horse battery"


def handoff_site(tmp_path: Path, extra: str = "", **centre: object) -> tuple[Path, str]:
    """The queue tests' site, the example directory imported, a short ring timeout."""
    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    settings = {"wrapup_s": 0, "ring_timeout_s": 6, **centre}
    site = queue_site(tmp_path, **settings)  # type: ignore[arg-type]  # centre settings only
    site.write_text(site.read_text() + f'\n[web]\nport = {port}\npublic_url = "{base}"\n'
                    f"\n[handoff]\nring_timeout_s = {RING_S}\n{extra}\n")  # fmt: skip
    done = run_vaxel("directory", "import", str(DIRECTORY), "--config", str(site))
    assert done.returncode == 0, done.stdout + done.stderr
    return site, base


class HandoffView:
    def __init__(self, controller: ControllerProcess) -> None:
        self.store = HandoffStore(
            db.make_sessionmaker(db.make_engine(controller.config.database.url))
        )

    def rows(self) -> list[HandoffRow]:
        return self.store.recent()

    def latest(self) -> HandoffRow | None:
        rows = self.rows()
        return rows[0] if rows else None

    def wait_state(self, *kinds: str, timeout: float = 30) -> HandoffRow:
        return wait_until(
            lambda: (row := self.latest()) is not None and row.state_kind in kinds and row,
            timeout, what=f"a handoff in {kinds}",
        )  # fmt: skip


def bridged_together(ari_watch, caller_number: str, endpoint: str) -> bool:  # type: ignore[no-untyped-def]
    """The caller's channel and a channel of ``endpoint`` were in the same bridge."""
    members: dict[str, set[str]] = {}
    for event in ari_watch.events:
        if event["type"] != "ChannelEnteredBridge":
            continue
        channel = event["channel"]
        is_caller = channel["name"].startswith("PJSIP/trunk-")
        is_caller = is_caller and channel["caller"]["number"] == caller_number
        # Channels that left are still counted: having been connected is the point.
        members.setdefault(event["bridge"]["id"], set()).add(
            "caller" if is_caller else channel["name"].split("-")[0]
        )
    return any({"caller", endpoint} <= names for names in members.values())


def caller_channel_destroyed(ari_watch, caller_number: str) -> bool:  # type: ignore[no-untyped-def]
    return any(
        e["type"] == "ChannelDestroyed" and e["channel"]["caller"]["number"] == caller_number
        and e["channel"]["name"].startswith("PJSIP/trunk")
        for e in ari_watch.events
    )  # fmt: skip


def first_ring(ari_watch, endpoint: str, after: float = 0.0) -> float | None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    for event in ari_watch.events:
        if event["type"] == "ChannelCreated" and event["channel"]["name"].startswith(
            endpoint + "-"
        ):
            at = datetime.fromisoformat(event["timestamp"].replace("+0000", "+00:00")).timestamp()
            if at >= after:
                return at
    return None


def returned_entry(view: QueueView, number: str):  # type: ignore[no-untyped-def]
    """The queue entry of a call that came back from a handoff."""
    return next((e for e in view.entries() if e.caller_number == number and e.returned_reason),
                None)  # fmt: skip


def answered_return(view: QueueView, number: str, timeout: float = 10):  # type: ignore[no-untyped-def]
    """The returned call's queue entry, once a telephonist has taken it."""
    return wait_until(lambda: (e := returned_entry(view, number)) and e.answered_by and e,
                      timeout, what="the returned call answered")  # fmt: skip


def serve_then_transfer(pbx, view, controller, number, telephonist, runs, steps=None) -> float:  # type: ignore[no-untyped-def]
    """1001 logs in and takes the citizen's call (added to ``runs`` for ``finish``), and its
    softphone does its keys; returns when the call began (only later rings are ours)."""
    log_in(pbx, view, "1001")
    began = time.time()
    runs.append(caller(pbx, number, steps))
    assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
    return began


MINE = "07017407"  # the caller numbers these tests use


def hang_up_mine(pbx: dict, mine: str = MINE) -> None:
    """End this suite's calls (callers and the legs that carry their number) while the
    phones are still there to answer the BYE: a BYE retransmitted to a stopped phone would
    reach the next test's phone on the same port."""
    import httpx

    auth = (pbx["ari_user"], pbx["ari_password"])
    for channel in httpx.get(f"{pbx['ari_url']}/channels", auth=auth, timeout=5).json():
        numbers = (channel["caller"]["number"], channel["connected"]["number"])
        if any(n.startswith(mine) for n in numbers):
            httpx.delete(f"{pbx['ari_url']}/channels/{channel['id']}", auth=auth, timeout=5)
    time.sleep(1.5)


def finish(pbx: dict, controller: ControllerProcess, *runs) -> None:  # type: ignore[no-untyped-def]
    try:
        hang_up_mine(pbx)
    finally:
        for run in runs:
            if run is not None:
                run.stop()
        controller.stop()


def start(tmp_path: Path, extra: str = "", pbx: dict | None = None, prepare=None, **centre: object):  # type: ignore[no-untyped-def]
    """A controller on the handoff site; ``prepare(controller)`` may change the directory's
    store first (the controller reads it at start)."""
    if pbx is not None:
        # Our turn on the sandbox first: hanging up "our" numbers while another test's
        # controller holds it would end that test's calls, which use the same numbers.
        _take_controller_lock()
        try:
            hang_up_mine(pbx)
        except BaseException:
            _release_controller_lock()
            raise
    try:
        site, base = handoff_site(tmp_path, extra, **centre)
        controller = ControllerProcess(site, tmp_path)
        if prepare is not None:
            prepare(controller)
        controller.start()  # keeps the lock taken above; stop() releases it
    except BaseException:
        _release_controller_lock()
        raise
    return controller, QueueView(controller), HandoffView(controller), base


def transfer_keys(extension: str) -> list:
    return [("pause", 2500), ("dtmf", f"*7{extension}#")]


def bearer(controller, base: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    ctx = build_context(load_site_config(controller.site_file))
    # The account of telephonist t1001 (username = the site file's id): only they may
    # transfer and steer t1001's calls.
    ctx.auth.create_user(username="t1001", display_name="Telefonist 1001", password=PASSWORD,
                         roles={Role.TELEPHONIST})  # fmt: skip
    reply = httpx.post(f"{base}/api/v1/auth/login",
                       json={"username": "t1001", "password": PASSWORD})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def heard(ari_watch, endpoint: str, text: str) -> bool:  # type: ignore[no-untyped-def]
    """A channel of ``endpoint`` had the rendered ``text`` played to it."""
    names = {e["channel"]["id"]: e["channel"]["name"] for e in list(ari_watch.events)
             if e["type"] == "ChannelCreated"}  # fmt: skip
    return any(
        e["type"] == "PlaybackStarted" and e["playback"]["media_uri"] == sound_of(text)
        and names.get(e["playback"]["target_uri"].removeprefix("channel:"), "")
        .startswith(endpoint + "-")
        for e in list(ari_watch.events)
    )  # fmt: skip


def directory_of(controller):  # type: ignore[no-untyped-def]
    return DirectoryStore(db.make_sessionmaker(db.make_engine(controller.config.database.url)))
