"""Follow the call with real SIP: a citizen calls the switchboard, telephonist 1001 answers
from the queue and transfers (in-call keys ``*7<ext>#``); the target answers, or the call
comes back to the same telephonist, or to the head of the queue for another one."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

from tests.conftest import run_vaxel, wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import QueueView, caller, log_in, queue_site
from tests.support.sipp import (
    answering_phone,
    free_port,
    phone,
    softphone,
)
from vaxel import db
from vaxel.handoff.store import HandoffRow, HandoffStore

ROOT = Path(__file__).resolve().parents[2]

DIRECTORY = ROOT / "examples" / "directory.csv"
RING_S = 5  # the target's ring timeout in these tests
LENA, ASA = "2011", "2014"  # officers with a desk phone only (no mobile rung via the trunk)


def handoff_site(tmp_path: Path, extra: str = "", **centre: object) -> tuple[Path, str]:
    """The queue tests' site, the example directory imported, a short ring timeout."""
    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    settings = {"wrapup_s": 0, "ring_timeout_s": 6, **centre}
    site = queue_site(tmp_path, **settings)
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


def hang_up_mine(pbx: dict) -> None:
    """End this suite's calls (callers and the legs that carry their number) while the
    phones are still there to answer the BYE: a BYE retransmitted to a stopped phone would
    reach the next test's phone on the same port."""
    import httpx

    auth = (pbx["ari_user"], pbx["ari_password"])
    for channel in httpx.get(f"{pbx['ari_url']}/channels", auth=auth, timeout=5).json():
        numbers = (channel["caller"]["number"], channel["connected"]["number"])
        if any(n.startswith(MINE) for n in numbers):
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
        hang_up_mine(pbx)
    site, base = handoff_site(tmp_path, extra, **centre)
    controller = ControllerProcess(site, tmp_path)
    if prepare is not None:
        prepare(controller)
    controller.start()
    return controller, QueueView(controller), HandoffView(controller), base


def transfer_keys(extension: str) -> list:
    return [("pause", 2500), ("dtmf", f"*7{extension}#")]


def test_followed_call_answered_connects_caller_and_target_and_frees_telephonist(
    pbx, tmp_path, ari_watch
):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740701"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=6000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        # The telephonist is freed at once: Asterisk hangs up their leg after the keys.
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        row = handoffs.wait_state("Done", timeout=30)
        assert json.loads(row.state)["outcome"]["v"] == "answered"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
        person = view.telephonist("t1001")
        assert person is not None and person.status == "available"
        assert target.wait(timeout=30) == 0, target.tail()
        assert citizen.wait(timeout=20) == 0, citizen.tail()  # hung up after the target left
    finally:
        finish(pbx, controller, telephonist, target, citizen)


def test_unanswered_transfer_returns_to_same_telephonist(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    number = "0701740702"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, "never")
    citizen = back = None
    try:
        log_in(pbx, view, "1001")
        began = time.time()  # the sandbox is shared: only rings from now on are ours
        citizen = caller(pbx, number)
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        back = softphone(pbx, "1001", hold_ms=9000)  # the same phone, ready for the return
        rang = wait_until(lambda: first_ring(ari_watch, f"PJSIP/{LENA}", after=began), 20,
                          what="target ring")  # fmt: skip
        returned = wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=rang), 20,
                              what="the telephonist rung back")  # fmt: skip
        assert returned - rang <= RING_S + 2, returned - rang
        assert back.wait(timeout=30) == 0, back.tail() + controller.log()
        assert bridged_together(ari_watch, number, "PJSIP/1001")
        row = handoffs.latest()
        assert row is not None and row.state_kind in ("Returned", "Done")
        state = json.loads(row.state)
        failure = state.get("failure") or {}
        assert failure.get("outcome", {}).get("v") == "no_answer" or state["$t"] == "Done"
        entry = returned_entry(view, number)
        assert entry is not None and entry.returned_reason == "no_answer"
        assert entry.answered_by == "t1001"
        assert citizen.wait(timeout=20) == 0, citizen.tail()
        # The caller's channel stayed up until the telephonist hung up at the end.
        ended = [e for e in ari_watch.events if e["type"] == "ChannelDestroyed"
                 and e["channel"]["caller"]["number"] == number]  # fmt: skip
        assert ended and all(first_ring(ari_watch, "PJSIP/1001", after=rang) for _ in ended)
    finally:
        finish(pbx, controller, telephonist, target, citizen, back)


def test_busy_telephonist_sends_returned_call_to_head_of_queue(pbx, tmp_path, ari_watch):
    controller, view, _handoffs, _ = start(tmp_path, pbx=pbx)
    first, second = "0701740703", "0701740704"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    target = phone(pbx, LENA, "never")
    citizens = []
    busy = other = None
    try:
        log_in(pbx, view, "1001")
        citizens.append(caller(pbx, first))
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        # 1001 is free at once and takes the next caller: busy when the transfer fails.
        busy = answering_phone(pbx, "1001", hold_ms=20000)
        citizens.append(caller(pbx, second))
        wait_until(lambda: (e := view.by_number(second)) and e.answered_by == "t1001",
                   what="1001 busy with the second caller")  # fmt: skip
        other = softphone(pbx, "1002", hold_ms=9000)
        log_in(pbx, view, "1002")
        entry = wait_until(lambda: returned_entry(view, first), timeout=20,
                           what="the first caller back in the queue")  # fmt: skip
        assert entry.returned_reason == "no_answer"
        assert other.wait(timeout=40) == 0, other.tail() + controller.log()
        entry = answered_return(view, first)
        assert entry.answered_by == "t1002"
        assert bridged_together(ari_watch, first, "PJSIP/1002")
        assert not caller_channel_destroyed(ari_watch, first) or citizens[0].wait(5) == 0
    finally:
        finish(pbx, controller, telephonist, target, busy, other, *citizens)
