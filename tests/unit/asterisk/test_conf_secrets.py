"""ARI and AMI: loopback only, and credentials that are generated, never written in the repo."""

from __future__ import annotations

import re
import stat
from pathlib import Path

from vaxel.asterisk.sandbox_config import Credentials, SandboxSettings, load_credentials

CONF = Path(__file__).resolve().parents[3] / "asterisk_conf"


def settings_of(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.split(";")[0].strip() for k, v in pairs if not k.startswith(";")}


def test_ari_and_ami_listen_on_loopback_only():
    assert settings_of(CONF / "http.conf")["bindaddr"] == "127.0.0.1"
    manager = (CONF / "manager.conf").read_text()
    assert settings_of(CONF / "manager.conf")["bindaddr"] == "127.0.0.1"
    assert "deny = 0.0.0.0/0.0.0.0" in manager and "permit = 127.0.0.1/255.255.255.255" in manager


def test_ari_and_ami_credentials_are_placeholders_in_the_repository():
    assert re.fullmatch(r"@VAXEL_\w+@", settings_of(CONF / "ari.conf")["password"])
    assert re.fullmatch(r"@VAXEL_\w+@", settings_of(CONF / "manager.conf")["secret"])


def test_the_sandbox_generates_its_credentials_and_keeps_them_private(tmp_path):
    one, two = Credentials.generate(), Credentials.generate()
    assert one.ari_password != two.ari_password and len(one.ari_password) >= 24
    assert one.ami_secret != one.ari_password
    settings = SandboxSettings(cache_dir=tmp_path, sip_port=1, http_port=2, ami_port=3)
    load_credentials(settings)
    assert stat.S_IMODE(settings.credentials_file.stat().st_mode) == 0o600
