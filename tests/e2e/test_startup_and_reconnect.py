"""Start-up failures are one clear line; a running controller rides out an Asterisk restart."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from tests.conftest import run_vaxel, wait_until
from tests.support.controller import ControllerProcess, write_site_file
from tests.support.sipp import call_in, free_port

SWITCHBOARD = "+46406280400"


def explicit_site(
    tmp_path: Path, pbx: dict, *, ari_port: int | None = None, ari_password: str | None = None
) -> Path:
    (tmp_path / "ari.secret").write_text(ari_password or pbx["ari_password"])
    (tmp_path / "ami.secret").write_text(pbx["ami_secret"])
    url = pbx["ari_url"] if ari_port is None else f"http://127.0.0.1:{ari_port}/ari"
    site = write_site_file(tmp_path)
    text = site.read_text().replace(
        'connection = "sandbox"',
        f'connection = "explicit"\nari_url = "{url}"\nari_username = "{pbx["ari_user"]}"\n'
        f'ari_password_file = "{tmp_path / "ari.secret"}"\nami_port = {pbx["ami_port"]}\n'
        f'ami_username = "{pbx["ami_user"]}"\nami_secret_file = "{tmp_path / "ami.secret"}"\n'
        f'sounds_dir = "/var/lib/vaxel/sounds"\nstartup_timeout_s = 1.0',
    )
    site.write_text(text)
    return site


def assert_one_clear_line(result: subprocess.CompletedProcess, code: int, needle: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert needle in lines[0]


def test_invalid_site_file_gives_one_line_with_file_line_and_field(tmp_path):
    site = write_site_file(tmp_path)
    site.write_text(site.read_text().replace("max_wait_s = 900", "max_wait_s = -5"))
    result = run_vaxel("run", "--config", str(site))
    assert_one_clear_line(result, 2, f"{site}:")
    assert "queues.0.max_wait_s" in result.stderr


def test_unreachable_asterisk_gives_one_line(pbx, tmp_path):
    site = explicit_site(tmp_path, pbx, ari_port=free_port(socket.SOCK_STREAM))
    result = run_vaxel("run", "--config", str(site))
    assert_one_clear_line(result, 3, "cannot reach ARI")


def test_wrong_ari_credentials_give_one_line(pbx, tmp_path):
    site = explicit_site(tmp_path, pbx, ari_password="not-the-password")
    result = run_vaxel("run", "--config", str(site))
    assert_one_clear_line(result, 3, f"refused user '{pbx['ari_user']}'")


def test_explicit_connection_with_right_credentials_answers_calls(pbx, tmp_path):
    controller = ControllerProcess(explicit_site(tmp_path, pbx), tmp_path)
    controller.start()
    try:
        caller = call_in(pbx, SWITCHBOARD, [("pause", 1500)])
        assert caller.wait(timeout=30) == 0, caller.tail()
        wait_until(lambda: controller.calls.recent(), what="the call record")
    finally:
        assert controller.stop() == 0, controller.log()


def test_controller_reconnects_after_asterisk_restart_and_down_leaves_no_process(pbx, controller):
    from vaxel.asterisk.sandbox import Sandbox
    from vaxel.asterisk.sandbox_config import SandboxSettings

    sandbox = Sandbox(SandboxSettings.from_env())
    old_pid = sandbox.running_info().pid
    assert sandbox.down()
    assert (
        not Path(f"/proc/{old_pid}").exists()
        or "Z" in Path(f"/proc/{old_pid}/stat").read_text().split()[2]
    )
    root = os.path.realpath(pbx["root"])
    survivors = [p for p in os.listdir("/proc") if p.isdigit() and _runs_in(p, root)]
    assert survivors == []
    sandbox.up()
    wait_until(
        lambda: "ari_connected" in controller.log().split("ari_disconnected", 1)[-1],
        timeout=15,
        what="the controller to reconnect",
    )
    caller = call_in(pbx, SWITCHBOARD, [("pause", 1500)])
    assert caller.wait(timeout=30) == 0, caller.tail()
    wait_until(lambda: controller.calls.recent(), what="a call recorded after the restart")
    assert controller.process.poll() is None


def _runs_in(pid: str, root: str) -> bool:
    try:
        if open(f"/proc/{pid}/stat").read().split()[2] == "Z":
            return False
        return os.path.realpath(f"/proc/{pid}/root") == root
    except OSError:
        return False
