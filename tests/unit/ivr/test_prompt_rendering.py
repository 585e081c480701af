"""Renders real audio with espeak-ng and sox (Debian packages); skipped where they are absent."""

import re
import subprocess
import wave
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from vaxel.ivr.prompts import PromptRenderer, PromptRenderError
from vaxel.ivr.speech import position_announcement

ASTERISK_DIR = "/var/lib/vaxel/sounds"


def sox_stat(path: Path) -> dict[str, float]:
    result = subprocess.run(
        ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True
    )
    stats = {}
    for line in result.stderr.splitlines():
        match = re.match(r"^(.+?):\s+(-?[\d.]+)$", line)
        if match:
            stats[" ".join(match.group(1).split())] = float(match.group(2))
    return stats


@pytest.fixture
def renderer(tmp_path: Path) -> PromptRenderer:
    return PromptRenderer(tmp_path / "sounds", ASTERISK_DIR)


def test_swedish_position_announcement_is_audible_telephone_audio(
    renderer: PromptRenderer,
) -> None:
    text = position_announcement(2, timedelta(minutes=3))
    prompt = renderer.render("position", text, "sv")

    stats = sox_stat(prompt.host_path)
    assert stats["RMS amplitude"] > 0.02
    assert 2.0 <= stats["Length (seconds)"] <= 8.0
    assert prompt.seconds == pytest.approx(stats["Length (seconds)"], abs=0.01)
    with wave.open(str(prompt.host_path), "rb") as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
            8000,
            1,
            2,
        )


def test_sound_uri_names_the_file_as_asterisk_sees_it(renderer: PromptRenderer) -> None:
    prompt = renderer.render("greeting", "Välkommen.", "sv")
    key = prompt.host_path.stem
    assert prompt.sound_uri == f"sound:{ASTERISK_DIR}/{key}"
    assert prompt.host_path == renderer.host_dir / f"{key}.wav"


def test_identical_text_is_rendered_once(renderer: PromptRenderer, tmp_path: Path) -> None:
    first = renderer.render("greeting", "Välkommen till kommunen.", "sv")
    before = first.host_path.stat().st_mtime_ns
    # A renderer that cannot synthesise proves the second answer comes from the cache.
    offline = PromptRenderer(renderer.host_dir, ASTERISK_DIR, espeak="/nonexistent/espeak-ng")
    second = offline.render("greeting", "Välkommen till kommunen.", "sv")
    assert second == first
    assert second.host_path.stat().st_mtime_ns == before


def test_changed_text_or_language_gets_a_new_file(renderer: PromptRenderer) -> None:
    swedish = renderer.render("greeting", "Välkommen.", "sv")
    changed = renderer.render("greeting", "Välkommen hit.", "sv")
    english = renderer.render("greeting", "Welcome.", "en")
    assert len({swedish.host_path, changed.host_path, english.host_path}) == 3
    assert sox_stat(english.host_path)["RMS amplitude"] > 0.02


def test_a_recorded_file_replaces_the_prompt(renderer: PromptRenderer) -> None:
    recorded = renderer.recorded_dir / "greeting.wav"
    recorded.parent.mkdir(parents=True)
    # A recorder's usual 44.1 kHz stereo, which Asterisk's wav format cannot play as is.
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "44100",
            "-c",
            "2",
            str(recorded),
            "synth",
            "1.5",
            "sine",
            "440",
        ],
        check=True,
    )
    prompt = renderer.render("greeting", "Välkommen.", "sv")
    assert prompt.sound_uri.startswith(f"sound:{ASTERISK_DIR}/rec-")
    assert prompt.seconds == pytest.approx(1.5, abs=0.01)
    with wave.open(str(prompt.host_path), "rb") as audio:
        assert (audio.getframerate(), audio.getnchannels()) == (8000, 1)
    assert renderer.render("other", "Välkommen.", "sv").sound_uri != prompt.sound_uri


def test_concurrent_renders_of_one_text_agree_and_leave_no_temporary_files(
    renderer: PromptRenderer,
) -> None:
    text = "Du är nummer fem i kön."
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: renderer.render("position", text, "sv"), range(4)))
    assert len({r.host_path for r in results}) == 1
    leftovers = [p.name for p in renderer.host_dir.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_missing_espeak_names_the_debian_package(tmp_path: Path) -> None:
    renderer = PromptRenderer(tmp_path, ASTERISK_DIR, espeak="/nonexistent/espeak-ng")
    with pytest.raises(PromptRenderError, match=r"apt-get install espeak-ng"):
        renderer.render("greeting", "Hej.", "sv")


def test_unknown_voice_is_a_render_error(tmp_path: Path) -> None:
    renderer = PromptRenderer(tmp_path, ASTERISK_DIR, voices={"xx": "no-such-voice"})
    with pytest.raises(PromptRenderError, match="espeak-ng"):
        renderer.render("greeting", "Hej.", "xx")
