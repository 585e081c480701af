"""A real `vaxel run` with the example directory imported, web on a free port, and users."""

from __future__ import annotations

import re
import socket
import tempfile
from pathlib import Path

import httpx

from tests.conftest import run_vaxel
from tests.support.controller import ControllerProcess, write_site_file
from tests.support.sipp import SippRun, _respond, citizen_scenario, free_port, run_sipp
from tests.support.web_login import page_login
from tests.unit.directory.dir_app import EXAMPLE, PASSWORD, USERS
from vaxel.app import build_context
from vaxel.config import load_site_config

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def site_with_directory(tmp_path: Path) -> tuple[Path, str]:
    """A site file whose web server listens on a free port, the example file imported."""
    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    site = write_site_file(tmp_path, extra=f'[web]\nport = {port}\npublic_url = "{base}"\n')
    imported = run_vaxel("directory", "import", str(EXAMPLE), "--config", str(site))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    ctx = build_context(load_site_config(site))
    for username, (roles, person, unit) in USERS.items():
        ctx.auth.create_user(username=username, display_name=username.title(), password=PASSWORD,
                             roles=roles, person_id=person, unit_id=unit)  # fmt: skip
    return site, base


def start_controller(tmp_path: Path) -> tuple[ControllerProcess, str]:
    site, base = site_with_directory(tmp_path)
    controller = ControllerProcess(site, tmp_path)
    controller.start()
    return controller, base


def login_form_client(base: str, username: str) -> tuple[httpx.Client, str]:
    """A cookie session as the browser has it, with the page's CSRF token."""
    client = httpx.Client(base_url=base, timeout=10)
    reply = page_login(client, username, PASSWORD)
    assert reply.status_code in (200, 303), reply.text
    page = client.get("/my-phone")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf, page.text[:500]
    return client, csrf.group(1)


def phone_dials(pbx: dict, extension: str, dialled: str, hold_ms: int) -> SippRun:
    """A sandbox phone places a call: the INVITE says From its extension, with its password."""
    scenario = phone_caller_scenario(extension, hold_ms)
    workdir = Path(tempfile.mkdtemp(prefix=f"sipp-phone-{extension}-out-"))
    args = [
        "-m", "1", "-p", str(free_port()), "-mp", str(free_port()), "-s", dialled,
        "-inf", str(_caller_csv(workdir, extension)), "-au", extension,
        "-ap", pbx["phones"][extension]["password"], "-timeout", "30s",
        "-timeout_error", pbx["sip"],
    ]  # fmt: skip
    return run_sipp("phone-out", scenario, args, workdir=workdir)


def _caller_csv(workdir: Path, extension: str) -> Path:
    path = workdir / "caller.csv"
    path.write_text(f"SEQUENTIAL\n{extension};\n")
    return path


def phone_caller_scenario(extension: str, hold_ms: int) -> str:
    """Like a citizen's call, but From the phone's extension, and answering the re-INVITE
    Asterisk sends with the connected party's identity once the call is bridged."""
    base = citizen_scenario([]).replace("sip:trunk@", f"sip:{extension}@")
    head, bye = base.split('<send retrans="500"><![CDATA[\nBYE', 1)
    middle = "\n".join([
        f'<recv request="INVITE" timeout="{hold_ms}" ontimeout="bye"/>',
        _respond("200", "OK", sdp=True).replace(";tag=[pid]SIPpTag01[call_number]", ""),
        '<recv request="ACK"/>',
        f'<pause milliseconds="{hold_ms}"/>',
        '<label id="bye"/>',
    ])  # fmt: skip
    return head + middle + '\n<send retrans="500"><![CDATA[\nBYE' + bye
