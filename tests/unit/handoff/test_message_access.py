"""Who may see and mark a message handled through the API: the person or unit it is for."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.unit.directory.dir_app import KARIN, PASSWORD, PER, make_context
from vaxel.handoff.store import MessageRow
from vaxel.web.app import create_app
from vaxel.web.auth import Role

EVA = "E10007"  # Bygglovsenheten
BYGGLOV_NAME = "Bygglovsenheten"
TORGHANDEL_NAME = "Torghandel och upplåtelser"
FOR_TORGHANDEL, FOR_EVA = "M-2026-000001", "M-2026-000002"


def row(reference: str, unit: str, person: str | None) -> MessageRow:
    created = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
    sequence = int(reference[-6:])
    return MessageRow(
        reference=reference, year=2026, sequence=sequence, created_at=created,
        caller_name="Sven Svensson", caller_number="+46701234567", subject="Om torgplatsen",
        urgency="normal", target_unit=unit, target_person=person, channel="email",
        destination=None, deadline=created + timedelta(days=1), status="delivered",
        delivery_attempts=1, token_hash=f"hash-{reference}",
    )  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory):  # type: ignore[no-untyped-def]
    from vaxel.directory.wiring import wire as wire_directory
    from vaxel.handoff.wiring import wire as wire_handoff

    tmp_path = tmp_path_factory.mktemp("messages")
    ctx = make_context(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    ctx.auth.create_user(username="eva", display_name="Eva", password=PASSWORD,
                         roles={Role.OFFICER}, person_id=EVA)  # fmt: skip
    wire_directory(ctx)
    wire_handoff(ctx)
    messages = ctx.services["handoff_messages"]
    messages.store.add_message(row(FOR_TORGHANDEL, TORGHANDEL_NAME, None))
    messages.store.add_message(row(FOR_EVA, BYGGLOV_NAME, EVA))
    client = TestClient(create_app(ctx))
    tokens = {}
    for username in ("karin", "per", "ua", "ua_other", "tove", "admin", "nobody", "eva"):
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        tokens[username] = {"Authorization": f"Bearer {reply.json()['token']}"}
    yield client, messages, tokens
    client.close()


def status_of(messages, reference: str) -> str:  # type: ignore[no-untyped-def]
    return messages.store.message(reference).status  # type: ignore[no-any-return]


def test_an_officer_of_another_unit_cannot_mark_a_message_handled(app):
    client, messages, tokens = app
    reply = client.post(f"/api/v1/messages/{FOR_EVA}/handled", headers=tokens["karin"])
    assert reply.status_code == 404
    assert status_of(messages, FOR_EVA) == "delivered"


def test_someone_elses_message_is_answered_exactly_like_one_that_does_not_exist(app):
    client, _messages, tokens = app
    theirs = client.post(f"/api/v1/messages/{FOR_EVA}/handled", headers=tokens["karin"])
    missing = client.post("/api/v1/messages/M-2026-999999/handled", headers=tokens["karin"])
    assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


def test_a_unit_admin_of_another_unit_and_an_analyst_cannot_mark_it_handled(app):
    client, messages, tokens = app
    for username, status in (("ua_other", 404), ("nobody", 403)):  # "nobody" is an analyst
        reply = client.post(f"/api/v1/messages/{FOR_TORGHANDEL}/handled", headers=tokens[username])
        assert reply.status_code == status, username
    assert status_of(messages, FOR_TORGHANDEL) == "delivered"


def test_a_telephonist_sees_the_status_but_may_not_mark_it_handled(app):
    client, messages, tokens = app
    listed = client.get("/api/v1/messages", headers=tokens["tove"]).json()
    assert {m["reference"] for m in listed} == {FOR_TORGHANDEL, FOR_EVA}
    assert not any(m["may_handle"] for m in listed)
    reply = client.post(f"/api/v1/messages/{FOR_TORGHANDEL}/handled", headers=tokens["tove"])
    assert reply.status_code == 403
    assert status_of(messages, FOR_TORGHANDEL) == "delivered"


def test_each_officer_lists_only_the_messages_for_them_or_their_unit(app):
    client, _messages, tokens = app
    karin = client.get("/api/v1/messages", headers=tokens["karin"]).json()
    assert [(m["reference"], m["may_handle"]) for m in karin] == [(FOR_TORGHANDEL, True)]
    eva = client.get("/api/v1/messages", headers=tokens["eva"]).json()
    assert [m["reference"] for m in eva] == [FOR_EVA]
    assert client.get("/api/v1/messages", headers=tokens["ua_other"]).json() == []
    analyst = client.get("/api/v1/messages", headers=tokens["nobody"]).json()
    assert {m["reference"] for m in analyst} == {FOR_TORGHANDEL, FOR_EVA}
    assert not any(m["may_handle"] for m in analyst)
    assert not any("caller" in key or "subject" in key for m in analyst for key in m)
    # The unit admin's account names the unit by its id; the message by its display name.
    ua = client.get("/api/v1/messages", headers=tokens["ua"]).json()
    assert [(m["reference"], m["may_handle"]) for m in ua] == [(FOR_TORGHANDEL, True)]


def test_the_target_person_and_the_units_officer_mark_their_messages_handled(app):
    client, messages, tokens = app
    eva = client.post(f"/api/v1/messages/{FOR_EVA}/handled", headers=tokens["eva"])
    assert eva.status_code == 200 and eva.json()["status"] == "handled"
    per = client.post(f"/api/v1/messages/{FOR_TORGHANDEL}/handled", headers=tokens["per"])
    assert per.status_code == 200
    assert status_of(messages, FOR_TORGHANDEL) == "handled"


def rule(*roles: str, person=None, units=(), target_person=None, message_units=("torg",)):  # type: ignore[no-untyped-def]
    from vaxel.handoff.messages import message_access

    return message_access(roles=frozenset(roles), person_id=person,
                          actor_units=frozenset(units), target_person=target_person,
                          message_units=frozenset(message_units))  # fmt: skip


def test_the_message_rule_per_role():
    from vaxel.handoff.messages import MessageAccess

    assert rule("admin") is MessageAccess.HANDLE
    assert rule("officer", units=("torg",)) is MessageAccess.HANDLE
    assert rule("unit_admin", units=("torg",)) is MessageAccess.HANDLE
    assert rule("officer", units=("bygglov",)) is MessageAccess.NONE
    assert rule("officer", person=PER, target_person=PER, message_units=()) is MessageAccess.HANDLE
    assert rule("officer", person=KARIN, target_person=PER, message_units=()) is MessageAccess.NONE
    assert rule("telephonist", units=("torg",)) is MessageAccess.STATUS
    assert rule("analyst", units=("torg",)) is MessageAccess.STATUS
    assert rule("supervisor", units=("torg",)) is MessageAccess.NONE
    assert rule(units=("torg",)) is MessageAccess.NONE
    # A message nobody named a unit for is no unit's: an empty name matches nothing.
    assert rule("officer", units=(), message_units=()) is MessageAccess.NONE
