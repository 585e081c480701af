"""The whole web app in-process (every package's routes, no Asterisk), for the web tests."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from tests.support.controller import write_site_file
from vaxel.app import build_context, package_wiring
from vaxel.config import load_site_config
from vaxel.context import AppContext
from vaxel.web.auth import Role

PASSWORD = "correct horse battery"
USERS = {"anna": Role.OFFICER, "tove": Role.TELEPHONIST, "ada": Role.ANALYST, "root": Role.ADMIN}


def site_file(directory: Path, web: str = "") -> Path:
    """The example site file, with extra [web] settings when given."""
    path = write_site_file(directory)
    if web:
        text = path.read_text()
        path.write_text(text.replace("[web]\n", "[web]\n" + web, 1) if "[web]\n" in text
                        else text + "\n[web]\n" + web)  # fmt: skip
    return path


def full_context(directory: Path, web: str = "", users: dict[str, Role] = USERS) -> AppContext:
    import os

    os.environ.setdefault("VAXEL_STATS_DIR", str(directory / "journal"))
    ctx = build_context(load_site_config(site_file(directory, web)))
    for name, role in users.items():
        ctx.auth.create_user(username=name, display_name=name, password=PASSWORD, roles={role})
    for wire in package_wiring():
        wire(ctx)
    probe = APIRouter()

    @probe.get("/probe/fails")
    def fails() -> None:
        raise RuntimeError("an unexpected failure, for the tests")

    ctx.api_routers.append(probe)
    return ctx
