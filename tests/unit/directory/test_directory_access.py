"""Who may read whose directory settings: one rule, the same answer from the page and the API."""

from __future__ import annotations

import pytest

from tests.unit.directory.dir_app import KARIN, PASSWORD, PER, USERS, make_app
from vaxel.directory import edit_rules
from vaxel.web.auth import Principal, Role

ANNA = "E10009"  # Färdtjänst: another unit than Karin's and Per's
SECRET_NUMBER = "+46701749999"


@pytest.fixture()
def app(tmp_path):
    made = make_app(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    admin = made.client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {admin.json()['token']}"}
    body = {
        "forwards": {"unconditional": {"target_kind": "mobile", "target": SECRET_NUMBER}},
        "absence": {"reason": "Läkarbesök", "return_message": ""},
    }
    assert made.client.put(f"/api/v1/directory/people/{ANNA}/settings", json=body,
                           headers=headers).status_code == 200  # fmt: skip
    yield made
    made.client.close()


def page_client(app, username):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.support.web_login import page_login

    client = TestClient(app.client.app)
    reply = page_login(client, username, PASSWORD)
    assert reply.status_code == 303, reply.text
    return client


def test_an_officer_cannot_read_another_units_settings_on_the_my_phone_page(app):
    page = page_client(app, "karin").get(f"/my-phone?person={ANNA}")
    assert page.status_code == 404
    assert SECRET_NUMBER not in page.text and "Läkarbesök" not in page.text


def test_a_refused_edit_on_the_page_does_not_render_the_other_persons_settings(app):
    client = page_client(app, "karin")
    csrf = client.get("/my-phone").text.split('name="csrf-token" content="')[1].split('"')[0]
    reply = client.post("/my-phone/forward", data={"csrf_token": csrf, "kind": "busy",
                                                   "target_kind": "switchboard", "person": ANNA})  # fmt: skip
    assert reply.status_code == 404
    assert SECRET_NUMBER not in reply.text and "Läkarbesök" not in reply.text
    assert app.service.settings(ANNA).forwards[0].target.value == SECRET_NUMBER


def test_the_page_and_the_api_agree_on_who_may_read_a_persons_settings(app):
    for username in sorted(USERS):
        headers, client = app.bearer(username), page_client(app, username)
        for person in (KARIN, ANNA):
            api = app.client.get(f"/api/v1/directory/people/{person}/settings", headers=headers)
            page = client.get(f"/my-phone?person={person}")
            assert api.status_code in (200, 404), (username, person)
            assert page.status_code == api.status_code, (username, person)
            expected = app.service.may_read(_principal(username), app.service.person(person))
            assert (api.status_code == 200) is expected, (username, person)


def test_a_colleague_who_closes_an_extension_gets_back_only_its_closed_state(app):
    app.client.put("/api/v1/directory/people/me/absence", headers=app.bearer("karin"),
                   json={"reason": "Tandläkare"})  # fmt: skip
    reply = app.client.put(f"/api/v1/directory/people/{KARIN}/closed", json={"reason": "sjuk"},
                           headers=app.bearer("per"))  # fmt: skip
    assert reply.status_code == 200
    body = reply.json()
    assert body["closed"] is not None and "absence" not in body and "forwards" not in body
    assert "Tandläkare" not in reply.text


def test_a_colleague_closing_an_extension_on_the_page_is_sent_to_the_directory(app):
    client = page_client(app, "per")
    csrf = client.get("/my-phone").text.split('name="csrf-token" content="')[1].split('"')[0]
    reply = client.post("/my-phone/closed", data={"csrf_token": csrf, "person": KARIN,
                                                  "reason": "sjuk"}, follow_redirects=False)  # fmt: skip
    assert reply.status_code == 303 and reply.headers["location"].startswith("/directory?")
    assert app.service.settings(KARIN).closed is not None


def test_the_read_rule_per_role():
    from vaxel.directory.model import Person

    karin = Person(KARIN, "Karin", "", "torg", "2005")
    anna = Person(ANNA, "Anna", "", "fardtjanst", "2009")

    def actor(*roles, person=None, unit=None):  # type: ignore[no-untyped-def]
        return Principal(1, "x", "X", frozenset(roles), person, unit)

    rule = edit_rules.may_read_settings
    assert rule(actor(Role.OFFICER, person=KARIN), karin, karin)
    assert not rule(actor(Role.OFFICER, person=KARIN), anna, karin)
    # A colleague may close the extension, but not read the settings behind it.
    per = Person(PER, "Per", "", "torg", "2006")
    assert not rule(actor(Role.OFFICER, person=PER), karin, per)
    assert rule(actor(Role.UNIT_ADMIN, unit="torg"), karin, None)
    assert not rule(actor(Role.UNIT_ADMIN, unit="torg"), anna, None)
    assert rule(actor(Role.TELEPHONIST), anna, None)
    assert rule(actor(Role.ADMIN), anna, None)
    assert not rule(actor(Role.ANALYST), anna, None)
    assert not rule(actor(), anna, None)


def _principal(username: str) -> Principal:
    roles, person, unit = USERS[username]
    return Principal(0, username, username, frozenset(roles), person, unit)


def test_search_and_detail_show_a_forwarding_number_only_to_those_who_may_read_settings(app):
    for username, shown in (("karin", False), ("ua_other", False), ("tove", True)):
        headers = app.bearer(username)
        found = app.client.get("/api/v1/directory/people", params={"q": "Anna Nguyen"},
                               headers=headers)  # fmt: skip
        detail = app.client.get(f"/api/v1/directory/people/{ANNA}", headers=headers)
        page = page_client(app, username).get("/directory", params={"q": "Anna Nguyen"})
        assert "Anna Nguyen" in page.text and found.json()["results"]
        for reply in (found, detail, page):
            assert (SECRET_NUMBER in reply.text) is shown, (username, reply.url)


def test_the_presence_sent_to_every_open_page_carries_no_forwarding_number(app):
    messages = app.ctx.bus.subscribe("presence")
    app.client.put(f"/api/v1/directory/people/{KARIN}/forwards/unconditional",
                   json={"target_kind": "mobile", "target": "070-174 99 98"},
                   headers=app.bearer("karin"))  # fmt: skip
    message = messages.get_nowait()
    assert message["person_id"] == KARIN and message["status"] == "forwarded"
    assert "+46701749998" not in str(message)


def test_why_an_extension_is_closed_is_shown_only_to_those_who_may_read_settings(app):
    app.client.put(f"/api/v1/directory/people/{ANNA}/closed", json={"reason": "Sjukskriven"},
                   headers=app.bearer("tove"))  # fmt: skip
    officer = app.client.get(f"/api/v1/directory/people/{ANNA}", headers=app.bearer("karin"))
    telephonist = app.client.get(f"/api/v1/directory/people/{ANNA}", headers=app.bearer("tove"))
    assert officer.json()["presence"]["status"] == "closed"
    assert "Sjukskriven" not in officer.text and "Sjukskriven" in telephonist.text
