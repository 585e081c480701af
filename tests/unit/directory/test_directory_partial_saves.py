"""A write of several settings at once is checked whole before anything is stored."""

from __future__ import annotations

import pytest

from tests.unit.directory.dir_app import KARIN, make_app

HOURS = {"weekly": {"mon": ["10:00-12:00"]}, "exceptions": {}}


@pytest.fixture()
def app(tmp_path, store_url):
    made = make_app(tmp_path, store_url)
    yield made
    made.client.close()


def stored(app):  # type: ignore[no-untyped-def]
    hours, source = app.service.store.hours_text(KARIN)
    settings = app.service.store.settings([KARIN]).get(KARIN)
    return source, hours, settings


@pytest.mark.parametrize(
    "refused_part",
    [
        {"forwards": {"unconditional": {"target_kind": "mobile", "target": "0900123456"}}},
        {"forwards": {"busy": {"target_kind": "extension", "target": "9999"}}},
        {"absence": {"start": "2026-12-01T08:00:00", "end": "2026-11-01T08:00:00"}},
    ],
)
def test_valid_phone_hours_with_a_refused_part_store_nothing(app, refused_part):
    before = stored(app)
    body = {"phone_hours": HOURS, "absence": {"reason": "Semester"}, **refused_part}
    reply = app.client.put("/api/v1/directory/me/settings", json=body,
                           headers=app.bearer("karin"))  # fmt: skip
    assert reply.status_code == 400, reply.text
    assert stored(app) == before
    assert app.service.store.hours_text(KARIN)[1] != "own"
    assert app.ctx.auth.audit_trail(f"person:{KARIN}") == []


def test_a_refused_part_keeps_the_settings_that_were_there(app):
    headers = app.bearer("karin")
    good = {"phone_hours": HOURS,
            "forwards": {"no_answer": {"target_kind": "switchboard", "target": ""}}}  # fmt: skip
    assert app.client.put("/api/v1/directory/me/settings", json=good,
                          headers=headers).status_code == 200  # fmt: skip
    before = stored(app)
    bad = {"phone_hours": {"weekly": {"tue": ["08:00-09:00"]}},
           "forwards": {"unconditional": {"target_kind": "mobile", "target": "+88234567890"}}}  # fmt: skip
    assert app.client.put("/api/v1/directory/me/settings", json=bad,
                          headers=headers).status_code == 400  # fmt: skip
    assert stored(app) == before
    assert app.service.settings(KARIN).forwards[0].kind.value == "no_answer"


def test_a_failure_while_storing_rolls_every_part_back(app, monkeypatch):
    from vaxel.directory import store as store_module

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is full")

    before = stored(app)
    monkeypatch.setattr(store_module, "_closed", broken)
    from vaxel.directory.store import HoursText

    with pytest.raises(RuntimeError):
        app.service.store.replace_settings(KARIN, hours=HoursText({"mon": ["10:00-12:00"]}, {}),
                                           forwards={}, absence=None, closed=None)  # fmt: skip
    assert stored(app) == before


@pytest.mark.parametrize(
    ("hours", "named"),
    [
        ({"weekly": {"mon": ["10:00-12:00", "11:00-13:00"]}}, "mon: 10:00-12:00 and 11:00-13:00"),
        ({"exceptions": {"2026-12-23": ["08:00-10:00", "09:59-11:00"]}},
         "2026-12-23: 08:00-10:00 and 09:59-11:00"),
    ],
)  # fmt: skip
def test_overlapping_phone_hours_are_refused_naming_the_two_periods(app, hours, named):
    reply = app.client.put("/api/v1/directory/people/me/phone-hours", json=hours,
                           headers=app.bearer("karin"))  # fmt: skip
    assert reply.status_code == 400
    assert named in reply.json()["message"] and "overlap" in reply.json()["message"]
    assert app.service.store.hours_text(KARIN)[1] != "own"
