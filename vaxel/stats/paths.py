"""Where the statistics keep their files.

- The CEL file (Asterisk's durable record): ``$VAXEL_CEL_FILE``, else inside the sandbox
  root for ``connection = "sandbox"``, else ``/var/log/asterisk/cel-custom/vaxel.jsonl``.
- The journal (write-ahead spool): ``$VAXEL_STATS_DIR``, else ``stats-journal/`` beside an
  SQLite database, else ``/var/lib/vaxel/stats-journal``.
"""

from __future__ import annotations

import os
from pathlib import Path

from vaxel.config import SiteConfig
from vaxel.stats.cel import CEL_RELATIVE


def cel_path(config: SiteConfig) -> Path:
    if env := os.environ.get("VAXEL_CEL_FILE"):
        return Path(env)
    if config.asterisk.connection == "sandbox":
        from vaxel.asterisk.sandbox_config import SandboxSettings

        return SandboxSettings.from_env().root / CEL_RELATIVE
    return Path("/") / CEL_RELATIVE


def journal_dir(config: SiteConfig) -> Path:
    if env := os.environ.get("VAXEL_STATS_DIR"):
        return Path(env)
    url = config.database.url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).parent / "stats-journal"
    return Path("/var/lib/vaxel/stats-journal")
