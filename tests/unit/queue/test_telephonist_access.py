"""A telephonist's state and the calls they are on: only they (or an admin) may change them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.unit.directory.dir_app import PASSWORD, make_context
from vaxel.handoff.service import Live
from vaxel.web.app import create_app
from vaxel.web.auth import Role


@dataclass
class Ringing:
    """Stands in for a handoff state: the API only names it."""


@dataclass
class FakeHandoffs:
    lives: dict[str, Live]
    fed: list[tuple[str, object]] = field(default_factory=list)

    def get(self, handoff_id: str) -> Live:
        return self.lives[handoff_id]

    async def feed(self, live: Live, event: object) -> None:
        self.fed.append((live.id, event))


@pytest.fixture(scope="module")
def app(tmp_path_factory):  # type: ignore[no-untyped-def]
    from vaxel.handoff.api import make_router as handoff_router
    from vaxel.queue.api import make_router as queue_router

    tmp_path = tmp_path_factory.mktemp("telephonists")
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    for username in ("t1001", "t1002"):
        ctx.auth.create_user(username=username, display_name=username, password=PASSWORD,
                             roles={Role.TELEPHONIST})  # fmt: skip
    live = Live("h1", Ringing(), "caller-1", "t1001", "centre", datetime(2026, 11, 23, tzinfo=UTC))  # type: ignore[arg-type]
    handoffs = FakeHandoffs({"h1": live})
    ctx.services["handoffs"] = handoffs
    ctx.api_routers += [queue_router(ctx), handoff_router(ctx)]
    client = TestClient(create_app(ctx))
    tokens = {}
    for username in ("t1001", "t1002", "ua", "admin"):
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        tokens[username] = {"Authorization": f"Bearer {reply.json()['token']}"}
    yield client, handoffs, tokens
    client.close()


@pytest.mark.parametrize("step", ["complete", "cancel", "refer"])
def test_a_telephonist_cannot_steer_a_colleagues_handoff(app, step):
    client, handoffs, tokens = app
    for username in ("t1002", "ua"):
        reply = client.post(f"/api/v1/handoffs/h1/{step}", headers=tokens[username])
        assert reply.status_code == 403, (username, reply.text)
    assert handoffs.fed == []


def test_a_telephonist_cannot_leave_a_message_on_a_colleagues_handoff(app):
    client, handoffs, tokens = app
    body = {"caller_name": "Sven", "subject": "Torgplats"}
    reply = client.post("/api/v1/handoffs/h1/message", json=body, headers=tokens["t1002"])
    assert reply.status_code == 403
    assert handoffs.fed == []


def test_a_telephonist_cannot_transfer_a_colleagues_call(app):
    client, _handoffs, tokens = app
    reply = client.post("/api/v1/handoffs", json={"telephonist": "t1001", "extension": "2005"},
                        headers=tokens["t1002"])  # fmt: skip
    assert reply.status_code == 403


def test_the_telephonist_and_an_admin_steer_the_handoff(app):
    client, handoffs, tokens = app
    own = client.post("/api/v1/handoffs/h1/cancel", headers=tokens["t1001"])
    assert own.status_code == 200 and own.json()["telephonist"] == "t1001"
    assert client.post("/api/v1/handoffs/h1/refer", headers=tokens["admin"]).status_code == 200
    assert [h for h, _event in handoffs.fed] == ["h1", "h1"]
    handoffs.fed.clear()


def test_a_telephonist_cannot_pause_a_colleague(app):
    client, _handoffs, tokens = app
    reply = client.post("/api/v1/queues/telephonists/t1001/pause", json={"reason": "lunch"},
                        headers=tokens["t1002"])  # fmt: skip
    assert reply.status_code == 403


def rule(*roles: str, username: str = "anna", person: str | None = None,
         telephonist: str = "t1001", telephonist_person: str | None = None) -> bool:  # fmt: skip
    from vaxel.queue.telephonists import may_act_for_telephonist

    return may_act_for_telephonist(roles=frozenset(roles), username=username, person_id=person,
                                   telephonist_id=telephonist,
                                   telephonist_person=telephonist_person)  # fmt: skip


def test_the_telephonist_rule():
    assert rule("telephonist", username="t1001")
    assert rule("telephonist", person="E10001", telephonist_person="E10001")
    assert not rule("telephonist", username="t1002")
    assert not rule("telephonist", person=None, telephonist_person=None)
    assert not rule("unit_admin", username="ua")
    assert rule("admin")
