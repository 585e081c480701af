"""The sandbox PBX's root and process: a real Asterisk 22 from Debian sid, in a chroot.

sid's Asterisk needs a newer libc than the host, so it runs inside a minimal sid root made
by debootstrap and cached outside the repo. This module builds that root, starts Asterisk in
it with the configuration ``sandbox_config`` renders, and stops it by its recorded PID only.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from vaxel.asterisk.sandbox_config import (
    PHONE_PORT_BASE,
    PSTN_PORT,
    REGISTRABLE_PHONES,
    STATIC_PHONES,
    Credentials,
    PbxError,
    SandboxSettings,
    load_credentials,
    render_config,
    write_readable,
)

SUPPORTED_MAJOR_VERSIONS = (20, 22)
DEBIAN_MIRROR = "http://deb.debian.org/debian"
ROOT_PACKAGES = "asterisk,asterisk-modules,asterisk-core-sounds-en,asterisk-moh-opsound-wav"


@dataclass
class SandboxInfo:
    pid: int
    version: str
    ari_url: str
    ari_user: str
    ari_password: str
    ami_host: str
    ami_port: int
    ami_user: str
    ami_secret: str
    sip: str
    app: str
    trunk: dict[str, str]
    phones: dict[str, dict[str, str | int]]
    root: str
    started_at: float


class Sandbox:
    def __init__(self, settings: SandboxSettings, app: str = "vaxel") -> None:
        self.settings = settings
        self.app = app

    # --- the root -------------------------------------------------------------------
    def ensure_root(self, log=print) -> None:
        root = self.settings.root
        if (root / "usr/sbin/asterisk").exists():
            return
        if os.geteuid() != 0:
            raise PbxError(
                "building the sandbox needs root (debootstrap and chroot): run as root, "
                "or build it once with 'sudo vaxel pbx up'"
            )
        if shutil.which("debootstrap") is None:
            raise PbxError("debootstrap is missing: install it with 'apt-get install debootstrap'")
        partial = root.with_name(root.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        log(f"building the Asterisk root in {root} (about a minute, once)")
        cmd = [
            "debootstrap",
            "--variant=minbase",
            f"--include={ROOT_PACKAGES}",
            "sid",
            str(partial),
            DEBIAN_MIRROR,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            raise PbxError("debootstrap failed: " + " | ".join(tail))
        partial.rename(root)

    def asterisk_version(self) -> str:
        out = subprocess.run(
            ["chroot", str(self.settings.root), "/usr/sbin/asterisk", "-V"],
            capture_output=True,
            text=True,
            check=False,
        )
        version = out.stdout.strip()
        match = re.match(r"Asterisk ([0-9]+)\.", version)
        if not match or int(match.group(1)) not in SUPPORTED_MAJOR_VERSIONS:
            raise PbxError(
                f"unsupported Asterisk in the sandbox root: {version or out.stderr.strip()!r}; "
                f"vaxel supports major versions {SUPPORTED_MAJOR_VERSIONS}. "
                f"Delete {self.settings.root} to rebuild it"
            )
        return version

    def _prepare_dirs(self) -> None:
        root = self.settings.root
        (root / "run/asterisk").mkdir(parents=True, exist_ok=True)
        uid, gid = _chroot_ids(root, "asterisk")
        for rel in (
            "run/asterisk",
            "var/lib/asterisk",
            "var/log/asterisk",
            "var/spool/asterisk",
            # ARI's record writes here but Asterisk does not create it.
            "var/spool/asterisk/recording",
            "var/lib/vaxel",
        ):
            base = root / rel
            base.mkdir(parents=True, exist_ok=True)
            for dirpath, _dirnames, filenames in os.walk(base):
                os.chown(dirpath, uid, gid)
                for name in filenames:
                    os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)
        (root / "var/log/asterisk/cel-custom").mkdir(exist_ok=True)
        os.chown(root / "var/log/asterisk/cel-custom", uid, gid)
        write_hosts(root)

    # --- lifecycle ----------------------------------------------------------------------
    def up(self, timeout: float = 30.0, log=print) -> SandboxInfo:
        self.settings.cache_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.cache_dir / "pbx.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two 'up's at once must not both start Asterisk
            return self._up(timeout, log)

    def _up(self, timeout: float, log) -> SandboxInfo:  # type: ignore[no-untyped-def]
        running = self.running_info()
        if running:
            return running
        self.ensure_root(log=log)
        version = self.asterisk_version()
        for port in (self.settings.sip_port, self.settings.http_port, self.settings.ami_port):
            if _port_in_use(port):
                raise PbxError(
                    f"port {port} on 127.0.0.1 is taken by another program; stop it or set "
                    "VAXEL_SIP_PORT / VAXEL_HTTP_PORT / VAXEL_AMI_PORT"
                )
        creds = load_credentials(self.settings)
        render_config(self.settings, creds, self.app)
        self._prepare_dirs()
        log_path = self.settings.cache_dir / "asterisk.log"
        with open(log_path, "ab") as log_file:
            proc = subprocess.Popen(
                [
                    "chroot",
                    str(self.settings.root),
                    "/usr/sbin/asterisk",
                    "-f",
                    "-U",
                    "asterisk",
                    "-G",
                    "asterisk",
                    "-n",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        info = self._info(proc.pid, version, creds)
        self._write_state(info)
        try:
            self._wait_ready(info, proc, timeout)
        except PbxError:
            self.down()
            raise
        return info

    def _wait_ready(self, info: SandboxInfo, proc: subprocess.Popen, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        auth = (info.ari_user, info.ari_password)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise PbxError(
                    f"Asterisk exited with status {proc.returncode} while starting; "
                    f"see {self.settings.cache_dir / 'asterisk.log'}"
                )
            try:
                reply = httpx.get(f"{info.ari_url}/asterisk/info", auth=auth, timeout=1.0)
                if reply.status_code == 200 and _ami_answers(info.ami_port):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise PbxError(f"Asterisk did not answer on ARI and AMI within {timeout:.0f} s")

    def down(self, timeout: float = 10.0) -> bool:
        state = self._read_state()
        if state is None:
            return False
        pid = int(state["pid"])
        if _is_our_asterisk(pid, self.settings.root):
            subprocess.run(
                ["chroot", str(self.settings.root), "/usr/sbin/asterisk", "-rx", "core stop now"],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
            deadline = time.monotonic() + timeout
            while _is_our_asterisk(pid, self.settings.root) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _is_our_asterisk(pid, self.settings.root):
                os.kill(pid, signal.SIGKILL)
                while _is_our_asterisk(pid, self.settings.root):
                    time.sleep(0.05)
        self.settings.state_file.unlink(missing_ok=True)
        return True

    def running_info(self) -> SandboxInfo | None:
        state = self._read_state()
        if state is None or not _is_our_asterisk(int(state["pid"]), self.settings.root):
            return None
        return SandboxInfo(**state)

    def cli(self, command: str | None) -> int:
        args = ["chroot", str(self.settings.root), "/usr/sbin/asterisk"]
        args += ["-rx", command] if command else ["-r"]
        return subprocess.call(args)

    # --- state ----------------------------------------------------------------------------
    def _info(self, pid: int, version: str, creds: Credentials) -> SandboxInfo:
        s = self.settings
        phones: dict[str, dict[str, str | int]] = {}
        for ext in STATIC_PHONES:
            phones[ext] = {
                "password": creds.phone_passwords[ext],
                "listens_on": PHONE_PORT_BASE + int(ext),
            }
        for ext in REGISTRABLE_PHONES:
            phones[ext] = {"password": creds.phone_passwords[ext], "listens_on": "register"}
        return SandboxInfo(
            pid=pid,
            version=version,
            ari_url=f"http://127.0.0.1:{s.http_port}/ari",
            ari_user=creds.ari_user,
            ari_password=creds.ari_password,
            ami_host="127.0.0.1",
            ami_port=s.ami_port,
            ami_user=creds.ami_user,
            ami_secret=creds.ami_secret,
            sip=f"127.0.0.1:{s.sip_port}",
            app=self.app,
            trunk={
                "username": "trunk",
                "password": creds.trunk_password,
                "outbound_to": f"127.0.0.1:{PSTN_PORT}",
            },
            phones=phones,
            root=str(s.root),
            started_at=time.time(),
        )

    def _write_state(self, info: SandboxInfo) -> None:
        path = self.settings.state_file
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(asdict(info), fh, indent=2)

    def _read_state(self) -> dict | None:
        try:
            return json.loads(self.settings.state_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None


def write_hosts(root: Path) -> None:
    """Give the root an /etc/hosts that names this machine.

    Asterisk looks up its own hostname for every call's media (acl.c ast_find_ourip), and
    without an entry it goes to DNS, then to A.ROOT-SERVERS.NET. A lost DNS reply then
    stalls that call's answer for the resolver's 5 s timeout (seen under load here).
    """
    hostname = socket.gethostname()
    text = f"127.0.0.1 localhost\n127.0.0.1 {hostname}\n::1 localhost ip6-localhost\n"
    write_readable(root / "etc/hosts", text)


def _chroot_ids(root: Path, user: str) -> tuple[int, int]:
    for line in (root / "etc/passwd").read_text().splitlines():
        parts = line.split(":")
        if parts[0] == user:
            return int(parts[2]), int(parts[3])
    raise PbxError(f"the sandbox root has no '{user}' user; delete {root} to rebuild it")


def _is_our_asterisk(pid: int, root: Path) -> bool:
    """True only for an Asterisk process running inside this sandbox's root."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        proc_root = os.readlink(f"/proc/{pid}/root")
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    if "State:\tZ" in status:
        return False
    return bool(cmdline) and cmdline[0].endswith(b"asterisk") and Path(proc_root) == root.resolve()


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _ami_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            return conn.recv(64).startswith(b"Asterisk Call Manager")
    except OSError:
        return False
