"""The wallboard's page, API and kiosk screens, and what a supervisor may do: on the real
app in-process."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.web_login import page_login
from tests.unit.console.wallboard_app import PASSWORD, make_app
from vaxel.queue.telephonists import Available, Paused
from vaxel.web.app import create_app


@pytest.fixture()
def made(tmp_path):
    return make_app(tmp_path, refresh_s=0.5)


@pytest.fixture()
def client(made):
    with TestClient(create_app(made.ctx)) as test_client:
        yield test_client


def bearer(client: TestClient, username: str) -> dict[str, str]:
    reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def new_kiosk(client: TestClient, username: str = "sara") -> tuple[int, str]:
    reply = client.post("/api/v1/wallboard/kiosks", json={"name": "Kundtjänst vägg"},
                        headers=bearer(client, username))  # fmt: skip
    assert reply.status_code == 201, reply.text
    token = reply.json()["url"].rsplit("/kiosk/", 1)[1]
    return reply.json()["id"], token


def test_supervisors_admins_and_analysts_see_the_wallboard_others_do_not(client):
    for username in ("sara", "root", "ada"):
        reply = client.get("/api/v1/wallboard", headers=bearer(client, username))
        assert reply.status_code == 200, username
        assert [q["name"] for q in reply.json()["queues"]] == ["centre", "bygglov", "lss"]
    for username in ("t1001", "olle"):
        assert client.get("/api/v1/wallboard", headers=bearer(client, username)).status_code == 403
    assert client.get("/api/v1/wallboard").status_code == 401
    assert client.get("/wallboard/stream").status_code == 401


def test_the_page_has_no_inline_script_or_style(client):
    page_login(client, "sara", PASSWORD)
    page = client.get("/wallboard")
    assert page.status_code == 200 and 'data-stream="/wallboard/stream"' in page.text
    assert "style=" not in page.text and "<style" not in page.text
    for tag in re.findall(r"<script[^>]*>", page.text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    theme = client.get("/wallboard/theme.css")
    assert (
        theme.headers["content-type"].startswith("text/css") and "--wb-alarm: #a4001d" in theme.text
    )


def test_a_kiosk_token_opens_the_kiosk_page_and_nothing_else(client, made):
    _kiosk_id, token = new_kiosk(client)
    page = client.get(f"/kiosk/{token}")
    assert page.status_code == 200 and f'data-stream="/kiosk/{token}/stream"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    # Stored only as a hash.
    assert token not in repr([vars(k) for k in made.wallboard.kiosks.all()])
    as_bearer = {"Authorization": f"Bearer {token}"}
    for url in ("/api/v1/wallboard", "/api/v1/queues", "/api/v1/me", "/api/v1/wallboard/kiosks"):
        assert client.get(url, headers=as_bearer).status_code == 401, url
    assert client.post("/api/v1/queues/telephonists/t1001/logout",
                       headers=as_bearer).status_code == 401  # fmt: skip
    client.cookies.set("vaxel_session", token)
    assert client.get("/wallboard", follow_redirects=False).status_code == 303  # to the login
    client.cookies.clear()
    assert client.get("/kiosk/not-the-token").status_code == 403
    assert client.get(f"/kiosk/{token[:-1]}/stream").status_code == 403


def test_a_revoked_kiosk_stops_at_once(client):
    kiosk_id, token = new_kiosk(client)
    listed = client.get("/api/v1/wallboard/kiosks", headers=bearer(client, "root")).json()
    assert [(k["id"], k["revoked_at"]) for k in listed] == [(kiosk_id, None)]
    reply = client.post(
        f"/api/v1/wallboard/kiosks/{kiosk_id}/revoke", headers=bearer(client, "root")
    )
    assert reply.status_code == 200 and reply.json()["revoked_at"]
    assert client.get(f"/kiosk/{token}").status_code == 403
    assert client.get(f"/kiosk/{token}/stream").status_code == 403
    assert client.post("/api/v1/wallboard/kiosks/999/revoke",
                       headers=bearer(client, "sara")).status_code == 404  # fmt: skip


def test_only_supervisors_and_admins_keep_kiosks(client):
    for username in ("ada", "t1001"):
        reply = client.post("/api/v1/wallboard/kiosks", json={"name": "x"},
                            headers=bearer(client, username))  # fmt: skip
        assert reply.status_code == 403, username
    assert client.get("/api/v1/wallboard/kiosks", headers=bearer(client, "ada")).status_code == 403


async def test_an_open_kiosk_stream_ends_when_the_kiosk_is_revoked(made):
    kiosk, token = made.wallboard.kiosks.add("vägg", "test", made.ctx.clock.now())
    transport = httpx.ASGITransport(app=create_app(made.ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://wb") as client:
        reading = asyncio.create_task(client.get(f"/kiosk/{token}/stream", timeout=10))
        # Let the stream send boards, then revoke while it is open.
        await asyncio.sleep(1.2)
        assert not reading.done()
        await asyncio.to_thread(made.wallboard.kiosks.revoke, kiosk.id, "test",
                                made.ctx.clock.now())  # fmt: skip
        # The token is checked again every ACCESS_RECHECK_S (5 s).
        reply = await asyncio.wait_for(reading, timeout=7)
    events = re.findall(r"^event: (\w+)$", reply.text, flags=re.M)
    assert events[0] == "board" and events[-1] == "revoked" and events.count("revoked") == 1


def test_a_supervisor_may_log_a_telephonist_out_and_unpause_them(client, made):
    sara = bearer(client, "sara")
    made.queues.people["t1001"] = replace(made.queues.people["t1001"], status=Paused("lunch"))
    reply = client.post("/api/v1/queues/telephonists/t1001/unpause", headers=sara)
    assert reply.status_code == 200 and reply.json()["status"] == "available"
    assert isinstance(made.queues.people["t1001"].status, Available)
    reply = client.post("/api/v1/queues/telephonists/t1001/logout", headers=sara)
    assert reply.status_code == 200 and reply.json()["status"] == "loggedout"
    assert client.get("/api/v1/queues", headers=sara).status_code == 200
    assert client.post("/api/v1/queues/telephonists/nobody/logout", headers=sara).status_code == 404


def test_a_supervisor_may_not_do_other_writes(client, made):
    sara = bearer(client, "sara")
    before = made.queues.people["t1001"]
    for path, body in (("login", None), ("pause", {"reason": "x"}), ("wrapup-code", {"code": "1"})):
        reply = client.post(f"/api/v1/queues/telephonists/t1001/{path}", json=body, headers=sara)
        assert reply.status_code == 403, path
    assert made.queues.people["t1001"] == before
    reply = client.put("/api/v1/stats/contacts/c1/wrap-up", json={"code": "other"}, headers=sara)
    assert reply.status_code == 403
    # A telephonist still may not log a colleague out.
    other = client.post("/api/v1/queues/telephonists/t1002/logout", headers=bearer(client, "t1001"))
    assert other.status_code == 403


def test_vaxel_user_add_takes_the_supervisor_role(tmp_path):
    from tests.conftest import run_vaxel
    from tests.support.controller import write_site_file

    site = write_site_file(tmp_path)
    done = run_vaxel("user", "add", "--config", str(site), "--username", "sven", "--role",
                     "supervisor", "--no-password", env={"VAXEL_STATS_DIR": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0 and "roles supervisor" in done.stdout, done.stderr


def test_the_home_page_links_the_wallboard_for_those_who_may_see_it(client):
    page_login(client, "sara", PASSWORD)
    assert 'href="/wallboard"' in client.get("/").text
    client.cookies.clear()
    page_login(client, "t1001", PASSWORD)
    assert 'href="/wallboard"' not in client.get("/").text


async def test_screens_that_connect_together_share_one_computation_of_todays_figures(made):
    service = made.wallboard
    computed = []
    real = service.today_figures

    def counted():  # type: ignore[no-untyped-def]
        computed.append(1)
        return real()

    service.today_figures = counted
    boards = await asyncio.gather(*(service.current() for _ in range(5)))
    assert len(computed) == 1 and len(boards) == 5
