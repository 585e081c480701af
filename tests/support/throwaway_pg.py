"""A private PostgreSQL server for tests that stop the database: never the machine's cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.sipp import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


class ThrowawayPostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vaxel-pg-"))
        self.data = self.dir / "data"
        self.port = free_port(__import__("socket").SOCK_STREAM)
        os.chmod(self.dir, 0o777)
        shutil.chown(self.dir, "postgres", "postgres")

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True,
                              text=True, check=check, cwd=self.dir)  # fmt: skip

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/vaxel"

    def create(self) -> None:
        self._as_postgres(
            str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self.start()
        self._as_postgres(str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "vaxel")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                          str(self.dir / "log"), "-w", "start")  # fmt: skip
        for _ in range(50):
            ready = self._as_postgres(str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p",
                                      str(self.port), check=False)  # fmt: skip
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError("the throwaway PostgreSQL did not start")

    def stop(self) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                          check=False)  # fmt: skip

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
