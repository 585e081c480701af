"""Prompts as Asterisk-ready audio: espeak-ng speaks the text, sox makes it 8 kHz mono.

Files are named by a hash of everything that shapes the audio, so a text is rendered once
and a changed text or voice gets a new file instead of overwriting one a call is playing.
Asterisk runs in a chroot: it sees ``asterisk_dir`` where we see ``host_dir``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Bump when the rendering pipeline changes, so every cached prompt is rendered again.
RENDERER_VERSION = 1
SAMPLE_RATE = 8000
DEFAULT_VOICES: Mapping[str, str] = {"sv": "sv", "en": "en"}
_APT_PACKAGES = {"espeak-ng": "espeak-ng", "sox": "sox"}


class PromptRenderError(RuntimeError):
    """A prompt could not be turned into audio. The message says what to install or fix."""


@dataclass(frozen=True)
class RenderedPrompt:
    sound_uri: str
    host_path: Path
    seconds: float


class PromptRenderer:
    def __init__(
        self,
        host_dir: Path,
        asterisk_dir: str,
        espeak: str = "espeak-ng",
        sox: str = "sox",
        *,
        voices: Mapping[str, str] = DEFAULT_VOICES,
        words_per_minute: int = 150,
        timeout_s: float = 30.0,
    ) -> None:
        self.host_dir = Path(host_dir)
        self.asterisk_dir = asterisk_dir.rstrip("/")
        self.espeak = espeak
        self.sox = sox
        self.voices = dict(voices)
        self.words_per_minute = words_per_minute
        self.timeout_s = timeout_s
        self._voices: frozenset[str] | None = None

    @property
    def recorded_dir(self) -> Path:
        return self.host_dir / "recorded"

    def cache_key(self, text: str, lang: str) -> str:
        shape = {
            "text": text,
            "lang": lang,
            "voice": self.voice(lang),
            "wpm": self.words_per_minute,
            "version": RENDERER_VERSION,
        }
        encoded = json.dumps(shape, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()[:24]

    def voice(self, lang: str) -> str:
        return self.voices.get(lang, lang)

    def render(self, name: str, text: str, lang: str = "sv") -> RenderedPrompt:
        """The audio for prompt ``name``: a recording if one exists, else synthesised text."""
        recorded = self.recorded_dir / f"{name}.wav"
        if recorded.is_file():
            return self._from_recording(recorded)
        key = self.cache_key(text, lang)
        target = self.host_dir / f"{key}.wav"
        if not target.is_file():
            self._synthesise(text, lang, target)
        return self._rendered(key, target)

    def _from_recording(self, recorded: Path) -> RenderedPrompt:
        # Recordings arrive in whatever format the recorder used; Asterisk's wav is 8 kHz.
        digest = hashlib.sha256(recorded.read_bytes()).hexdigest()[:20]
        key = f"rec-{digest}-v{RENDERER_VERSION}"
        target = self.host_dir / f"{key}.wav"
        if not target.is_file():
            self._convert(recorded, target)
        return self._rendered(key, target)

    def _rendered(self, key: str, target: Path) -> RenderedPrompt:
        return RenderedPrompt(
            sound_uri=f"sound:{self.asterisk_dir}/{key}",
            host_path=target,
            seconds=wav_seconds(target),
        )

    def _synthesise(self, text: str, lang: str, target: Path) -> None:
        espeak = self._tool(self.espeak)
        self._check_voice(espeak, self.voice(lang))
        self.host_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.host_dir, prefix=".render-") as work:
            spoken = Path(work) / "espeak.wav"
            command = [
                espeak,
                "-v",
                self.voice(lang),
                "-s",
                str(self.words_per_minute),
                "-b",
                "1",
                "-w",
                str(spoken),
                "--stdin",
            ]
            self._run(command, text)
            self._convert(spoken, target)

    def _convert(self, source: Path, target: Path) -> None:
        sox = self._tool(self.sox)
        self.host_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.host_dir, prefix=".", suffix=".wav")
        os.close(handle)
        try:
            command = [
                sox,
                "-G",
                str(source),
                "-r",
                str(SAMPLE_RATE),
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed-integer",
                temporary,
            ]
            self._run(command, None)
            # Atomic on one file system: a concurrent render of the same key just replaces
            # identical bytes, and a reader never sees half a file.
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _check_voice(self, espeak: str, voice: str) -> None:
        # espeak-ng quietly falls back to English for an unknown voice, which would read
        # Swedish text with English rules; refuse instead.
        if self._voices is None:
            listing = subprocess.run(
                [espeak, "--voices"],
                check=False,
                capture_output=True,
                text=True,
                timeout=self.timeout_s,
            ).stdout
            self._voices = _voice_names(listing)
        base = voice.split("+", 1)[0].lower()
        if base not in self._voices:
            raise PromptRenderError(
                f"espeak-ng has no voice '{voice}'; see 'espeak-ng --voices' (the Debian "
                "package espeak-ng-data holds the voices)"
            )

    def _tool(self, program: str) -> str:
        found = shutil.which(program)
        if found is None:
            package = _APT_PACKAGES.get(Path(program).name, Path(program).name)
            raise PromptRenderError(
                f"'{program}' was not found; install the Debian package '{package}' "
                f"(apt-get install {package})"
            )
        return found

    def _run(self, command: list[str], stdin: str | None) -> None:
        try:
            subprocess.run(
                command,
                input=stdin.encode() if stdin is not None else None,
                capture_output=True,
                check=True,
                timeout=self.timeout_s,
            )
        except subprocess.CalledProcessError as exc:
            error = exc.stderr.decode(errors="replace").strip()
            raise PromptRenderError(f"{Path(command[0]).name} failed: {error}") from None
        except subprocess.TimeoutExpired:
            raise PromptRenderError(
                f"{Path(command[0]).name} took more than {self.timeout_s} s"
            ) from None


def _voice_names(listing: str) -> frozenset[str]:
    """Every name ``-v`` accepts, from ``espeak-ng --voices``: language, name, file, aliases."""
    names: set[str] = set()
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 5:
            continue
        language, _gender, voice_name, file = fields[1:5]
        names.update({language, voice_name, file, file.rsplit("/", 1)[-1]})
        names.update(re.findall(r"\(([^\s)]+)", " ".join(fields[5:])))
    return frozenset(name.lower() for name in names)


def wav_seconds(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as audio:
            return audio.getnframes() / audio.getframerate()
    except (wave.Error, EOFError, OSError) as exc:
        raise PromptRenderError(f"{path} is not a readable WAV file: {exc}") from None
