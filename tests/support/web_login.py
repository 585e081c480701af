"""Log in through the page form as a browser does: fetch the form (its CSRF cookie and
field), then post it. Works with Starlette's TestClient and with an httpx.Client."""

from __future__ import annotations

import re
from typing import Any


def login_form_token(client: Any) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the login page has no CSRF field"
    return found.group(1)


def page_login(client: Any, username: str, password: str, **fields: str) -> Any:
    data = {"username": username, "password": password, "csrf_token": login_form_token(client)}
    return client.post("/login", data={**data, **fields}, follow_redirects=False)
