"""An in-process directory app (no Asterisk) with the example file imported and test users."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.controller import write_site_file
from vaxel.app import build_context
from vaxel.config import load_site_config
from vaxel.context import AppContext
from vaxel.directory.importer import slug
from vaxel.directory.imports import run_import
from vaxel.directory.service import DirectoryService
from vaxel.directory.store import DirectoryStore
from vaxel.web.app import create_app
from vaxel.web.auth import Role

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "directory.csv"
PASSWORD = "correct horse battery"
TORGHANDEL = slug("Tekniska förvaltningen", "Torghandel och upplåtelser")
KARIN, PER = "E10005", "E10006"

USERS = {
    "karin": ({Role.OFFICER}, KARIN, None),
    "per": ({Role.OFFICER}, PER, None),
    "ua": ({Role.UNIT_ADMIN}, None, TORGHANDEL),
    "ua_other": ({Role.UNIT_ADMIN}, None, slug("Kommunkontoret", "Medborgarcenter")),
    "tove": ({Role.TELEPHONIST}, None, None),
    "admin": ({Role.ADMIN}, None, None),
    "nobody": ({Role.ANALYST}, None, None),
}


@dataclass
class DirApp:
    ctx: AppContext
    service: DirectoryService
    client: TestClient

    def bearer(self, username: str) -> dict[str, str]:
        reply = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert reply.status_code == 200, reply.text
        return {"Authorization": f"Bearer {reply.json()['token']}"}


def make_context(tmp_path: Path, store_url: str, extra: str = "") -> AppContext:
    ctx = build_context(
        load_site_config(write_site_file(tmp_path, database_url=store_url, extra=extra))
    )
    report = run_import(DirectoryStore(ctx.sessions), EXAMPLE.read_text(encoding="utf-8"),
                        ctx.config.number_policy, dry_run=False)  # fmt: skip
    assert report.applied and not report.problems
    for username, (roles, person, unit) in USERS.items():
        ctx.auth.create_user(username=username, display_name=username.title(), password=PASSWORD,
                             roles=roles, person_id=person, unit_id=unit)  # fmt: skip
    return ctx


def make_app(tmp_path: Path, store_url: str) -> DirApp:
    from vaxel.directory.wiring import wire

    ctx = make_context(tmp_path, store_url)
    wire(ctx)
    return DirApp(ctx, ctx.services["directory"], TestClient(create_app(ctx)))
