"""Runs `vaxel run` as a real subprocess against the sandbox, with its own SQLite store."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from vaxel import db
from vaxel.stats.store import CallStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "exempelkommun.toml"
# A weekday inside the centre's opening hours, so entry tests do not depend on today's date.
DEFAULT_AS_IF = "2026-11-23T10:00:00+01:00"


def write_site_file(directory: Path, database_url: str | None = None, extra: str = "") -> Path:
    text = EXAMPLE.read_text()
    url = database_url or f"sqlite:///{directory / 'vaxel.db'}"
    text = re.sub(r'^url = "sqlite:.*"$', f'url = "{url}"', text, count=1, flags=re.M)
    path = directory / "site.toml"
    path.write_text(text + "\n" + extra)
    return path


_lock_file = None


def _take_controller_lock() -> None:
    """One controller at a time on the shared sandbox: all use the Stasis app 'vaxel'.

    Test runs in other checkouts (CI in a clean clone, other developers) wait here instead
    of both answering the same calls.
    """
    global _lock_file
    if _lock_file is not None:
        return
    from vaxel.asterisk.sandbox_config import SandboxSettings

    path = SandboxSettings.from_env().cache_dir / "controller.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(path, "w")  # held until the controller stops
    fcntl.flock(lock, fcntl.LOCK_EX)
    # Only now is it our turn: a run still waiting must not count as holding it, or its
    # idle-port guard takes the phone ports from the run that does (``holds_turn``).
    _lock_file = lock


def holds_turn() -> bool:
    """This process has its turn on the shared sandbox (see ``_take_controller_lock``)."""
    return _lock_file is not None


def _release_controller_lock() -> None:
    global _lock_file
    if _lock_file is not None:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)
        _lock_file.close()
        _lock_file = None


class ControllerProcess:
    def __init__(self, site_file: Path, workdir: Path, as_if: str | None = DEFAULT_AS_IF) -> None:
        self.site_file, self.workdir, self.as_if = site_file, workdir, as_if
        self.log_path = workdir / "controller.log"
        self.ready = workdir / "ready"
        self.process: subprocess.Popen[bytes] | None = None
        from vaxel.config import load_site_config

        self.config = load_site_config(site_file)
        self.calls = CallStore(db.make_sessionmaker(db.make_engine(self.config.database.url)))

    def start(self, timeout: float = 30.0) -> None:
        _take_controller_lock()
        self.ready.unlink(missing_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "vaxel.cli",
            "run",
            "--config",
            str(self.site_file),
            "--ready-file",
            str(self.ready),
            "--log-level",
            "debug",
        ]
        if self.as_if:
            cmd += ["--as-if", self.as_if]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + timeout
        while not self.ready.exists():
            if self.process.poll() is not None:
                _release_controller_lock()
                raise AssertionError(
                    f"vaxel run exited with {self.process.returncode}:\n{self.log()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"vaxel run was not ready in {timeout} s:\n{self.log()}")
            time.sleep(0.05)

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int | None:
        try:
            if self.process is None or self.process.poll() is not None:
                return self.process.returncode if self.process else None
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait()
        finally:
            _release_controller_lock()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""
