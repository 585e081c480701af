"""Fixtures shared by all tests: the sandbox PBX, a running controller, event watchers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.controller import ControllerProcess, write_site_file
from tests.support.events import AmiWatcher, AriWatcher

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.fspath)
        if "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        if "/tests/web/" in path:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def pbx() -> Iterator[dict]:
    """The sandbox Asterisk, started once per session (and stopped if we started it)."""
    from vaxel.asterisk.sandbox import Sandbox
    from vaxel.asterisk.sandbox_config import SandboxSettings

    if os.geteuid() != 0:
        pytest.fail("the end-to-end tests need root to run the Asterisk chroot")
    if shutil.which("sipp") is None:
        pytest.fail("sipp is missing: apt-get install sip-tester")
    sandbox = Sandbox(SandboxSettings.from_env())
    started_here = sandbox.running_info() is None
    info = sandbox.up()
    from dataclasses import asdict

    from tests.support import idle_ports
    from vaxel.asterisk.sandbox_config import PSTN_PORT

    fixed = [p["listens_on"] for p in info.phones.values() if isinstance(p["listens_on"], int)]
    from tests.support.controller import controller_lock_held

    guard = idle_ports.IdlePortGuard([*fixed, PSTN_PORT], active=controller_lock_held)
    guard.start()
    idle_ports.install(guard)
    yield asdict(info)
    idle_ports.install(None)
    guard.stop()
    if guard.strays:
        print(f"\nstray SIP requests answered on idle phone ports: {guard.strays}")
    if started_here:
        sandbox.down()


@pytest.fixture()
def site_file(tmp_path: Path) -> Path:
    return write_site_file(tmp_path)


@pytest.fixture()
def controller(pbx: dict, site_file: Path, tmp_path: Path) -> Iterator[ControllerProcess]:
    proc = ControllerProcess(site_file, tmp_path)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture()
def ari_watch(pbx: dict) -> Iterator[AriWatcher]:
    watcher = AriWatcher(pbx)
    watcher.start()
    yield watcher
    watcher.stop()


@pytest.fixture()
def sandbox_turn(pbx: dict) -> Iterator[None]:
    """For tests that ring sandbox phones without a controller: take turns like controllers do."""
    from tests.support import controller as turn

    turn._take_controller_lock()
    yield
    turn._release_controller_lock()


@pytest.fixture()
def ami_watch(pbx: dict) -> Iterator[AmiWatcher]:
    watcher = AmiWatcher(pbx)
    watcher.start()
    yield watcher
    watcher.stop()


def run_vaxel(
    *args: str, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vaxel.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


PG_ADMIN_URL = os.environ.get(
    "VAXEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _start_postgres() -> None:
    clusters = Path("/etc/postgresql")
    if clusters.is_dir():
        for version in os.listdir(clusters):
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                capture_output=True,
                check=False,
            )


@pytest.fixture(scope="session")
def pg_admin():
    """An engine on the PostgreSQL server; started if it is installed but stopped."""
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    for attempt in range(2):
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            break
        except Exception as exc:  # noqa: BLE001 - reported below with the fix
            if attempt:
                pytest.fail(
                    f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({exc.__class__.__name__}); "
                    "install it with 'apt-get install postgresql' or set VAXEL_TEST_PG_URL"
                )
            _start_postgres()
            time.sleep(2)
    yield engine
    engine.dispose()


@pytest.fixture()
def pg_url(pg_admin):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import uuid

    from sqlalchemy import text

    name = f"vaxel_test_{uuid.uuid4().hex[:10]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def store_url(request, tmp_path):
    """Run a store test on both back-ends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")
