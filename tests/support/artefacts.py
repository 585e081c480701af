"""Where browser tests leave their screenshots: one gitignored folder, or $VAXEL_ARTEFACTS."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("VAXEL_ARTEFACTS", ROOT / "artefacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
