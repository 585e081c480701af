"""The IVR's HTTP routes: disruption notices and overrides, roles, and refusals as 4xx."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.support.controller import write_site_file
from vaxel.app import build_context
from vaxel.clock import FixedClock
from vaxel.config import load_site_config
from vaxel.ivr.api import make_router
from vaxel.ivr.store import IvrStore
from vaxel.web.app import create_app
from vaxel.web.auth import Role

NOW = datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture()
def client(tmp_path):  # type: ignore[no-untyped-def]
    ctx = build_context(load_site_config(write_site_file(tmp_path)), FixedClock(NOW))
    ctx.api_routers.append(make_router(ctx, IvrStore(ctx.sessions)))
    for name, roles in (("tele", {Role.TELEPHONIST}), ("ana", {Role.ANALYST})):
        ctx.auth.create_user(username=name, display_name=name, password="secret-password-1",
                             roles=roles, person_id=None, unit_id=None)  # fmt: skip
    client = TestClient(create_app(ctx))
    client.ctx = ctx  # type: ignore[attr-defined]
    return client


def token(client, username: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    reply = client.post("/api/v1/auth/login", json={"username": username,
                                                    "password": "secret-password-1"})  # fmt: skip
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def test_telephonist_switches_a_notice_on_and_off(client) -> None:  # type: ignore[no-untyped-def]
    auth = token(client, "tele")
    body = {"text_sv": "Vattenläcka i Dalby.", "numbers": ["office-dalby"], "duration_s": 3600}
    created = client.post("/api/v1/ivr/disruptions", json=body, headers=auth)
    assert created.status_code == 201, created.text
    notice = created.json()
    assert datetime.fromisoformat(notice["ends_at"]) == NOW + timedelta(hours=1)
    assert notice["numbers"] == ["office-dalby"]
    assert [n["id"] for n in client.get("/api/v1/ivr/disruptions", headers=auth).json()] == [
        notice["id"]
    ]
    assert client.delete(f"/api/v1/ivr/disruptions/{notice['id']}", headers=auth).status_code == 200
    assert client.get("/api/v1/ivr/disruptions", headers=auth).json() == []
    again = client.delete(f"/api/v1/ivr/disruptions/{notice['id']}", headers=auth)
    assert again.status_code == 404


def test_a_notice_for_an_unknown_number_or_in_the_past_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    auth = token(client, "tele")
    unknown = client.post("/api/v1/ivr/disruptions", headers=auth,
                          json={"text_sv": "x", "numbers": ["nope"]})  # fmt: skip
    assert unknown.status_code == 400 and "nope" in unknown.json()["message"]
    past = client.post("/api/v1/ivr/disruptions", headers=auth,
                       json={"text_sv": "x", "until": "2026-11-23T09:00:00+01:00"})  # fmt: skip
    assert past.status_code == 400


def test_closed_until_override_changes_the_route_and_analysts_cannot_set_it(client) -> None:  # type: ignore[no-untyped-def]
    auth = token(client, "tele")
    body = {"mode": "closed_until", "until": "2026-11-23T13:00:00+01:00"}
    assert (
        client.put("/api/v1/ivr/overrides/queue:centre", json=body, headers=auth).status_code == 200
    )
    routes = {r["number"]: r for r in client.get("/api/v1/ivr/routes", headers=auth).json()}
    assert routes["switchboard"]["open"] is False
    assert routes["switchboard"]["reason"] == "override_closed"
    assert routes["bygglov"]["open"] is True
    analyst = token(client, "ana")
    refused = client.put("/api/v1/ivr/overrides/queue:centre", json=body, headers=analyst)
    assert refused.status_code == 403
    assert client.delete("/api/v1/ivr/overrides/queue:centre", headers=auth).status_code == 204
    routes = {r["number"]: r for r in client.get("/api/v1/ivr/routes", headers=auth).json()}
    assert routes["switchboard"]["open"] is True


def test_clearing_a_notice_id_beyond_any_stored_id_is_a_clear_refusal(client) -> None:  # type: ignore[no-untyped-def]
    auth = token(client, "tele")
    for notice_id in (2**31, 10**20, 0):
        reply = client.delete(f"/api/v1/ivr/disruptions/{notice_id}", headers=auth)
        assert reply.status_code == 422, reply.text
        assert reply.json()["problems"][0]["field"] == "notice_id"
