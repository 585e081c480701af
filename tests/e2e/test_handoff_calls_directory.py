"""The directory decides before anything rings: a closed extension returns the call at
once; the centre's emergency override (API, telephonist role) rings it anyway where the
department agreed to break-through."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx

from tests.conftest import wait_until
from tests.support.handoff_calls import (
    LENA,
    LENA_ID,
    bearer,
    bridged_together,
    finish,
    first_ring,
    returned_entry,
    start,
    transfer_keys,
)
from tests.support.queue_calls import caller, log_in
from tests.support.sipp import softphone
from vaxel import db
from vaxel.directory.model import ClosedExtension
from vaxel.directory.store import DirectoryStore


def close_lena(controller, breakthrough: bool) -> None:  # type: ignore[no-untyped-def]
    store = DirectoryStore(db.make_sessionmaker(db.make_engine(controller.config.database.url)))
    closed = ClosedExtension(datetime.now(UTC), "tove", "sjuk", breakthrough)
    store.set_closed(LENA_ID, closed)


def test_closed_extension_returns_the_call_at_once_without_ringing(pbx, tmp_path, ari_watch):
    controller, view, handoffs, _ = start(tmp_path, pbx=pbx)
    close_lena(controller, breakthrough=False)
    controller.stop()
    controller.start()  # the directory is read at start (and every few seconds)
    number = "0701740708"
    telephonist = softphone(pbx, "1001", transfer_keys(LENA))
    citizen = back = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        assert telephonist.wait(timeout=40) == 0, telephonist.tail() + controller.log()
        freed = time.time()
        back = softphone(pbx, "1001", hold_ms=9000)
        rung = wait_until(lambda: first_ring(ari_watch, "PJSIP/1001", after=freed - 1), 20,
                          what="the telephonist rung back")  # fmt: skip
        assert rung - freed < 3
        assert first_ring(ari_watch, f"PJSIP/{LENA}", after=freed - 10) is None  # never rang
        assert back.wait(timeout=40) == 0, back.tail() + controller.log()
        entry = returned_entry(view, number)
        assert entry is not None and entry.returned_reason == "closed"
        assert bridged_together(ari_watch, number, "PJSIP/1001")
        assert handoffs.latest() is not None
    finally:
        finish(pbx, controller, telephonist, citizen, back)


def test_emergency_override_rings_a_closed_extension(pbx, tmp_path, ari_watch):
    controller, view, handoffs, base = start(tmp_path, pbx=pbx)
    close_lena(controller, breakthrough=True)
    controller.stop()
    controller.start()
    number = "0701740709"
    headers = bearer(controller, base)
    telephonist = softphone(pbx, "1001", hold_ms=30000)
    target = softphone(pbx, LENA, answer_after_ms=500, hold_ms=6000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        citizen = caller(pbx, number)
        wait_until(lambda: (e := view.by_number(number)) and e.answered_by == "t1001",
                   timeout=30, what="1001 talking to the caller")  # fmt: skip
        reply = httpx.post(f"{base}/api/v1/handoffs", headers=headers, timeout=10,
                           json={"telephonist": "t1001", "person_id": LENA_ID,
                                 "override": True})  # fmt: skip
        assert reply.status_code == 201, reply.text
        row = handoffs.wait_state("Done", timeout=30)
        assert json.loads(row.state)["outcome"]["v"] == "overridden"
        wait_until(lambda: bridged_together(ari_watch, number, f"PJSIP/{LENA}"),
                   what="caller and target in one bridge")  # fmt: skip
    finally:
        finish(pbx, controller, telephonist, target, citizen)
