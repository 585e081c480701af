"""The directory API per role, on SQLite and PostgreSQL: who may change whose settings."""

from __future__ import annotations

import pytest

from tests.support.web_login import page_login
from tests.unit.directory.dir_app import KARIN, PER, TORGHANDEL, make_app


@pytest.fixture()
def app(tmp_path, store_url):
    made = make_app(tmp_path, store_url)
    yield made
    made.client.close()


def forward(app, user, person, target_kind="extension", target="2006", kind="unconditional"):
    return app.client.put(
        f"/api/v1/directory/people/{person}/forwards/{kind}",
        json={"target_kind": target_kind, "target": target},
        headers=app.bearer(user),
    )


def test_officer_sets_own_forward_and_presence_says_forwarded(app):
    reply = forward(app, "karin", "me", target="2007")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["forwards"] == {"unconditional": {"target_kind": "extension", "target": "2007"}}
    assert body["presence"]["status"] == "forwarded"
    assert "2007" in body["presence"]["labels"]["sv"]
    trail = app.ctx.auth.audit_trail(f"person:{KARIN}")
    assert trail[0].action == "directory.forward.set" and trail[0].actor == "karin"


def test_officer_changing_a_colleagues_forwarding_gets_403(app):
    reply = forward(app, "karin", PER, target="2005")
    assert reply.status_code == 403
    assert "only your own" in reply.json()["message"]
    assert app.service.settings(PER).forwards == ()
    assert app.ctx.auth.audit_trail(f"person:{PER}") == []


def test_unit_admin_edits_people_of_their_unit_only(app):
    assert forward(app, "ua", KARIN, target="2006").status_code == 200
    assert forward(app, "ua_other", KARIN, target="2006").status_code == 403
    hours = {"weekly": {"mon": ["10:00-12:00"]}}
    shared = app.client.put(f"/api/v1/directory/units/{TORGHANDEL}/phone-hours", json=hours,
                            headers=app.bearer("ua"))  # fmt: skip
    assert shared.status_code == 200, shared.text
    settings = app.client.get(f"/api/v1/directory/people/{PER}/settings", headers=app.bearer("ua"))
    assert settings.json()["phone_hours"]["source"] == "unit"
    other = app.client.put(f"/api/v1/directory/units/{TORGHANDEL}/phone-hours", json=hours,
                           headers=app.bearer("ua_other"))  # fmt: skip
    assert other.status_code == 403


def test_telephonist_may_close_an_extension_but_not_set_a_forward(app):
    closed = app.client.put(f"/api/v1/directory/people/{KARIN}/closed",
                            json={"reason": "sjuk"}, headers=app.bearer("tove"))  # fmt: skip
    assert closed.status_code == 200, closed.text
    assert closed.json()["presence"]["status"] == "closed"
    assert forward(app, "tove", KARIN).status_code == 403
    reopened = app.client.delete(f"/api/v1/directory/people/{KARIN}/closed",
                                 headers=app.bearer("tove"))  # fmt: skip
    assert reopened.json()["presence"]["status"] != "closed"
    assert app.client.put(f"/api/v1/directory/people/{KARIN}/closed", json={},
                          headers=app.bearer("nobody")).status_code == 403  # fmt: skip


def test_a_colleague_in_the_same_unit_may_close_an_extension(app):
    reply = app.client.put(f"/api/v1/directory/people/{KARIN}/closed", json={"reason": "sjuk"},
                           headers=app.bearer("per"))  # fmt: skip
    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("target_kind", "target", "reason"),
    [
        ("extension", "123&PJSIP/evil", "3-6 digits"),
        ("mobile", "123&PJSIP/evil", "only digits"),
        ("mobile", "0900123456", "premium-rate"),
        ("mobile", "+88234567890", "international"),
        ("extension", "9999", "no extension 9999"),
        ("extension", "2005", "loop"),
    ],
)
def test_forward_targets_are_checked_and_refusals_explained(app, target_kind, target, reason):
    reply = forward(app, "karin", "me", target_kind=target_kind, target=target)
    assert reply.status_code == 400
    assert reply.json()["error"] == "target_refused"
    assert reason in reply.json()["message"]
    assert app.service.settings(KARIN).forwards == ()


def test_forward_to_a_checked_mobile_is_stored_in_e164(app):
    reply = forward(app, "karin", "me", target_kind="mobile", target="070-174 06 99", kind="busy")
    assert reply.status_code == 200
    assert reply.json()["forwards"]["busy"] == {"target_kind": "mobile", "target": "+46701740699"}


def test_my_settings_round_trip(app):
    headers = app.bearer("karin")
    body = {
        "phone_hours": {"weekly": {"mon": ["10:00-12:00"], "wed": ["13:00-14:00"]},
                        "exceptions": {"2026-12-23": []}},
        "forwards": {"no_answer": {"target_kind": "switchboard", "target": ""}},
        "absence": {"start": "2026-12-01T08:00:00+01:00", "end": "2026-12-05T17:00:00+01:00",
                    "reason": "Semester", "return_message": "Åter 7 december"},
        "closed": None,
    }  # fmt: skip
    reply = app.client.put("/api/v1/directory/me/settings", json=body, headers=headers)
    assert reply.status_code == 200, reply.text
    got = app.client.get("/api/v1/directory/me/settings", headers=headers).json()
    assert got["phone_hours"]["source"] == "own"
    assert got["phone_hours"]["weekly"] == {"mon": ["10:00-12:00"], "wed": ["13:00-14:00"]}
    assert got["phone_hours"]["exceptions"] == {"2026-12-23": []}
    assert got["forwards"] == {"no_answer": {"target_kind": "switchboard", "target": ""}}
    assert got["absence"]["reason"] == "Semester"
    bad = {**body, "phone_hours": {"weekly": {"mon": ["12:00-10:00"]}}}
    refused = app.client.put("/api/v1/directory/me/settings", json=bad, headers=headers)
    assert refused.status_code == 400 and "phone hours" in refused.json()["message"]


def test_search_finds_by_keyword_and_without_diacritics_with_presence(app):
    headers = app.bearer("tove")
    reply = app.client.get("/api/v1/directory/people", params={"q": "torghandel"}, headers=headers)
    names = [r["name"] for r in reply.json()["results"]]
    assert "Karin Östberg" in names[:3]
    karin = next(r for r in reply.json()["results"] if r["name"] == "Karin Östberg")
    assert karin["presence"]["status"] == "available"
    assert karin["free_colleagues"]
    plain = app.client.get("/api/v1/directory/people", params={"q": "Ostberg"}, headers=headers)
    assert plain.json()["results"][0]["name"] == "Karin Östberg"
    assert app.client.get("/api/v1/directory/people", params={"q": "x"}).status_code == 401


def test_presence_follows_the_device_state(app):
    from vaxel.directory.model import DeviceState

    messages = app.ctx.bus.subscribe("presence")
    app.service.device_changed("2005", DeviceState.INUSE)
    detail = app.client.get(f"/api/v1/directory/people/{KARIN}", headers=app.bearer("tove"))
    assert detail.json()["presence"]["status"] == "on_call"
    message = messages.get_nowait()
    assert message["person_id"] == KARIN and message["labels"]["en"] == "On a call"


def test_import_through_the_api_is_for_admins(app):
    csv = "employee_id,name,department,unit,extension\nE1,Ny Person,D,U,4001\nE2,,D,U,4002\n"
    officer = app.client.post("/api/v1/directory/import", json={"csv": csv},
                              headers=app.bearer("karin"))  # fmt: skip
    assert officer.status_code == 403
    dry = app.client.post("/api/v1/directory/import", json={"csv": csv},
                          headers=app.bearer("admin"))  # fmt: skip
    assert dry.status_code == 200
    report = dry.json()
    assert report["problems"] == [{"line": 3, "reason": "missing name", "employee_id": "E2"}]
    assert report["applied"] is False and report["refused"]  # would deactivate 300 people


def test_my_phone_page_shows_a_refused_forward_next_to_the_form(app):
    client = app.client
    page_login(client, "karin", "correct horse battery")
    page = client.get("/my-phone")
    assert page.status_code == 200 and "Vidarekoppling" in page.text
    csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    refused = client.post("/my-phone/forward", data={"csrf_token": csrf, "kind": "unconditional",
                                                     "target_kind": "mobile",
                                                     "target": "+88234567890"})  # fmt: skip
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text and "international" in refused.text
    saved = client.post("/my-phone/forward", data={"csrf_token": csrf, "kind": "unconditional",
                                                   "target_kind": "extension", "target": "2006"})  # fmt: skip
    assert saved.status_code == 200 and "Per Åberg" in saved.text
    english = client.get("/my-phone?lang=en")
    assert "Forwarding" in english.text and "Forwarded to extension 2006" in english.text


def test_search_and_the_handoff_suggest_the_same_free_colleagues(app):
    """Karin's unit: Per has a mobile a transfer rings, Göran an idle phone, Karin A. only an
    extension Asterisk knows nothing of."""
    from vaxel.directory.model import DeviceState
    from vaxel.handoff.targets import Targets

    app.service.device_changed("5801", DeviceState.NOT_INUSE)
    reply = app.client.get("/api/v1/directory/people", params={"q": "Karin Östberg"},
                           headers=app.bearer("tove"))  # fmt: skip
    karin = next(r for r in reply.json()["results"] if r["name"] == "Karin Östberg")
    names = [c["name"] for c in karin["free_colleagues"]]
    assert names == ["Göran Lindberg", "Per Åberg"]  # the idle desk phone first
    targets = Targets(directory=app.service, policy=app.ctx.config.number_policy,
                      outside_dial="PJSIP/{number}@trunk", ring_mobile=True)  # fmt: skip
    suggested = targets._free_colleague(app.service.person(KARIN))
    assert suggested is not None and suggested.startswith(names[0])
    app.service.device_changed("5801", DeviceState.INUSE)
    app.service.mobiles_ring = False  # handoff.ring_mobile = false: Per's mobile won't ring
    assert app.service.free_colleagues(KARIN) == ()
