"""Prompts as sound URIs: rendered once at start-up, so no call waits for espeak-ng.

The site file's [prompts] replace the defaults in ``texts.DEFAULT_PROMPTS``; a recorded
file named after the prompt replaces either (see ``PromptRenderer``). Sentences composed
at run time (closed messages, notices) go through the same content-hash cache.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from vaxel.config import SiteConfig
from vaxel.ivr.prompts import PromptRenderer, RenderedPrompt
from vaxel.ivr.routing import Notice
from vaxel.ivr.texts import DEFAULT_PROMPTS

LANGUAGES = ("sv", "en")


def prompt_texts(config: SiteConfig) -> dict[tuple[str, str], str]:
    """(name, language) -> text, defaults overlaid by the site file."""
    texts = {
        (name, lang): text
        for name, pair in DEFAULT_PROMPTS.items()
        for lang, text in zip(LANGUAGES, pair, strict=True)
    }
    for name, prompt in config.prompts.items():
        texts[(name, "sv")] = prompt.sv
        if prompt.en:
            texts[(name, "en")] = prompt.en
        elif (name, "en") in texts and name not in DEFAULT_PROMPTS:
            del texts[(name, "en")]
    return texts


class PromptLibrary:
    def __init__(self, config: SiteConfig, renderer: PromptRenderer) -> None:
        self.renderer = renderer
        self.texts = prompt_texts(config)
        self._sounds: dict[tuple[str, str], str] = {}
        for (name, lang), text in self.texts.items():
            if text:
                self._sounds[(name, lang)] = renderer.render(name, text, lang).sound_uri

    def has(self, name: str, lang: str) -> bool:
        return (name, lang) in self._sounds or (name, "sv") in self._sounds

    def sound(self, name: str, lang: str) -> str:
        found = self._sounds.get((name, lang)) or self._sounds.get((name, "sv"))
        if found is None:
            raise KeyError(f"no prompt '{name}' in the site file")
        return found

    async def sentence(self, text: str, lang: str) -> str:
        """A composed sentence; the first call renders it (in a thread), later calls hit
        the cache."""
        rendered = await asyncio.to_thread(self.renderer.render, "sentence", text, lang)
        return rendered.sound_uri

    async def notice(self, notice: Notice, lang: str) -> str:
        if notice.recording:
            rendered = await asyncio.to_thread(self._recorded_notice, notice)
            if rendered is not None:
                return rendered.sound_uri
        text = notice.text_en if lang == "en" and notice.text_en else notice.text_sv
        return await self.sentence(text, "en" if text is notice.text_en else "sv")

    def _recorded_notice(self, notice: Notice) -> RenderedPrompt | None:
        # A recording is copied beside the other recordings under the notice's own name,
        # so the renderer converts it to 8 kHz once and caches it by content.
        source = Path(notice.recording or "")
        if not source.is_file():
            return None
        name = f"disruption-{notice.id}"
        target = self.renderer.recorded_dir / f"{name}.wav"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return self.renderer.render(name, notice.text_sv, "sv")
