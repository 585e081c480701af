"""Telephonists change their state from the softphone (feature codes) and through the API;
the store shows it and distribution follows it."""

from __future__ import annotations

import time

import httpx

from tests.conftest import wait_until
from tests.support.controller import ControllerProcess
from tests.support.queue_calls import (
    QueueView,
    api_headers,
    caller,
    feature_code,
    log_in,
    queue_site,
    stop_all,
    with_web,
)
from tests.support.sipp import answering_phone
from vaxel.web.auth import Role


def stays_unoffered(view: QueueView, number: str, seconds: float) -> None:
    """The caller keeps waiting, offered to nobody, for ``seconds`` (distribution runs every
    second, so a wrong offer would show)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = view.by_number(number)
        assert row is not None and row.left_at is None
        assert row.state == "waiting" and row.offered_to is None, (row.state, row.offered_to)
        time.sleep(0.3)


def status_is(view: QueueView, telephonist: str, status: str, reason: str | None = None):  # type: ignore[no-untyped-def]
    return wait_until(
        lambda: (
            (row := view.telephonist(telephonist)) is not None
            and row.status == status
            and (reason is None or row.reason == reason)
            and row
        ),
        what=f"{telephonist} {status} {reason or ''}",
    )


def test_feature_codes_pause_unpause_wrapup_and_logout_are_stored_and_honoured(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    number = "0701740801"
    answers = answering_phone(pbx, "1001", calls=1, hold_ms=2000)
    citizen = None
    try:
        log_in(pbx, view, "1001")
        feature_code(pbx, "1001", "*233")
        status_is(view, "t1001", "paused", "code 3")
        citizen = caller(pbx, number)
        view.wait_open(1)
        stays_unoffered(view, number, 5)  # the only telephonist is paused
        assert answers.process.poll() is None  # the phone never rang

        feature_code(pbx, "1001", "*24")
        row = wait_until(lambda: (r := view.by_number(number)) and r.left_at and r,
                         timeout=30, what="the caller answered after the pause")  # fmt: skip
        assert row.left_reason == "answered" and row.answered_by == "t1001"
        assert citizen.wait(timeout=30) == 0, citizen.tail()
        assert answers.wait(timeout=20) == 0, answers.tail()

        feature_code(pbx, "1001", "*251")  # answered directly
        wait_until(lambda: view.by_number(number).wrapup_code == "1", what="the wrap-up code")

        feature_code(pbx, "1001", "*22")
        status_is(view, "t1001", "logged_out")
        later = caller(pbx, "0701740802")
        try:
            view.wait_open(1)
            stays_unoffered(view, "0701740802", 4)  # logged out: not rung
        finally:
            later.stop()
    finally:
        stop_all([answers, citizen], controller)


def test_api_changes_telephonist_state_with_role_and_ownership_checks(pbx, tmp_path):
    site = queue_site(tmp_path, wrapup_s=0, when_nobody_logged_in="admit")
    base = with_web(site)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    view = QueueView(controller)
    own = api_headers(controller, base, "t1001", Role.TELEPHONIST)
    officer = api_headers(controller, base, "olle", Role.OFFICER)
    admin = api_headers(controller, base, "adam", Role.ADMIN)
    api = f"{base}/api/v1/queues/telephonists"
    number = "0701740803"
    answers = answering_phone(pbx, "1001", calls=1, hold_ms=2000)
    citizen = None

    def post(path: str, headers: dict | None, **body: object) -> httpx.Response:
        return httpx.post(f"{api}/{path}", headers=headers or {}, json=body or None, timeout=10)

    try:
        # Refusals: no credentials, the wrong role, someone else's state, nonsense.
        assert post("t1001/login", None).status_code == 401
        assert post("t1001/login", officer).status_code == 403
        assert post("t1002/login", own).status_code == 403
        assert post("t9999/login", admin).status_code == 404
        assert post("t1001/unpause", own).status_code == 409  # not logged in, not paused
        assert post("t1001/pause", own, reason="").status_code == 422
        assert post("t1001/wrapup-code", own, code="12ab").status_code == 422
        assert view.telephonist("t1001").status == "logged_out"  # nothing was changed

        assert post("t1002/login", admin).json()["status"] == "available"  # admin: anyone
        assert post("t1002/logout", admin).json()["status"] == "loggedout"
        assert post("t1001/login", own).json()["status"] == "available"
        paused = post("t1001/pause", own, reason="lunch")
        assert paused.status_code == 200 and paused.json()["reason"] == "lunch"
        status_is(view, "t1001", "paused", "lunch")
        state = httpx.get(f"{base}/api/v1/queues", headers=own, timeout=10).json()
        assert state["telephonists"]["t1001"]["reason"] == "lunch"
        assert httpx.get(f"{base}/api/v1/queues", headers=officer, timeout=10).status_code == 403

        citizen = caller(pbx, number)
        view.wait_open(1)
        stays_unoffered(view, number, 4)  # paused through the API: not rung
        assert post("t1001/unpause", own).json()["status"] == "available"
        row = wait_until(lambda: (r := view.by_number(number)) and r.left_at and r,
                         timeout=30, what="the caller answered after the pause")  # fmt: skip
        assert row.answered_by == "t1001"
        assert citizen.wait(timeout=30) == 0, citizen.tail()

        assert post("t1001/wrapup-code", own, code="7").status_code == 400  # no such code
        coded = post("t1001/wrapup-code", own, code="2")
        assert coded.status_code == 200, coded.text
        assert coded.json()["entry"] == row.id
        wait_until(lambda: view.by_number(number).wrapup_code == "2", what="the wrap-up code")
        assert post("t1002/wrapup-code", admin, code="2").status_code == 409  # no call yet
        assert post("t1001/logout", own).json()["status"] == "loggedout"
        status_is(view, "t1001", "logged_out")
    finally:
        stop_all([answers, citizen], controller)
