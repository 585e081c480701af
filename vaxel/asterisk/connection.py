"""Turn the site file's [asterisk] section into ARI and AMI settings."""

from __future__ import annotations

from pathlib import Path

from vaxel.asterisk.ami import AmiSettings
from vaxel.asterisk.ari import AriSettings
from vaxel.asterisk.sandbox import Sandbox
from vaxel.asterisk.sandbox_config import SandboxSettings
from vaxel.config import Asterisk


class AsteriskSettingsError(Exception):
    pass


def _secret(path: Path | None, what: str) -> str:
    assert path is not None
    try:
        return path.read_text().strip()
    except OSError as exc:
        raise AsteriskSettingsError(f"cannot read the {what} from {path}: {exc.strerror}") from None


def resolve(asterisk: Asterisk) -> tuple[AriSettings, AmiSettings, Path]:
    """Returns ARI and AMI settings and the host path where prompts must be written."""
    if asterisk.connection == "sandbox":
        sandbox = Sandbox(SandboxSettings.from_env(), app=asterisk.app)
        info = sandbox.running_info()
        if info is None:
            raise AsteriskSettingsError(
                "the sandbox Asterisk is not running: start it with 'vaxel pbx up'"
            )
        ari = AriSettings(info.ari_url, info.ari_user, info.ari_password, asterisk.app)
        ami = AmiSettings(info.ami_host, info.ami_port, info.ami_user, info.ami_secret)
        sounds = Path(info.root) / str(asterisk.sounds_dir).lstrip("/")
        return ari, ami, sounds
    assert asterisk.ari_url and asterisk.ari_username and asterisk.ami_username
    ari = AriSettings(
        asterisk.ari_url,
        asterisk.ari_username,
        _secret(asterisk.ari_password_file, "ARI password"),
        asterisk.app,
    )
    ami = AmiSettings(
        asterisk.ami_host,
        asterisk.ami_port,
        asterisk.ami_username,
        _secret(asterisk.ami_secret_file, "AMI secret"),
    )
    return ari, ami, asterisk.sounds_dir
