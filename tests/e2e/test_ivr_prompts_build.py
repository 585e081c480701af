"""`vaxel prompts build` renders the site's prompts and the sentences composed at run time;
a Swedish sentence is really audible, measured with sox."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_vaxel
from tests.support.controller import write_site_file


def sox_stat(path: Path) -> dict[str, float]:
    result = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True,
                            check=True)  # fmt: skip
    stats = {}
    for line in result.stderr.splitlines():
        match = re.match(r"^(.+?):\s+(-?[\d.]+)$", line)
        if match:
            stats[" ".join(match.group(1).split())] = float(match.group(2))
    return stats


def test_prompts_build_renders_an_audible_swedish_position_announcement(tmp_path):
    site = write_site_file(tmp_path)
    sounds = tmp_path / "sounds"
    result = run_vaxel("prompts", "build", "--config", str(site), "--sounds-dir", str(sounds),
                       "--as-if", "2026-11-27T16:30", "--json", timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    by_text = {(r["text"], r["lang"]): r for r in rows}
    assert ("Vi har stängt just nu. Vi öppnar igen måndag klockan åtta.", "sv") in by_text
    assert ("noll", "sv") in by_text and ("Välkommen till Exempelkommun.", "sv") in by_text

    row = by_text[("Du är nummer tre i kön.", "sv")]
    stats = sox_stat(Path(row["path"]))
    rate = subprocess.run(["sox", "--i", "-r", row["path"]], capture_output=True, text=True)
    assert rate.stdout.strip() == "8000"  # what Asterisk's .wav format expects
    assert stats["RMS amplitude"] > 0.02  # speech, not silence
    assert stats["Length (seconds)"] == pytest.approx(row["seconds"], abs=0.01)
    # Six words at 150 words a minute: about two seconds, never a clipped or runaway file.
    assert 1.2 < stats["Length (seconds)"] < 4.0
    assert all(r["seconds"] > 0.3 for r in rows)
