"""Labelled business events ("entered queue centre", "transfer to X not answered").

Packages emit them where the fact happens, so statistics never guess from channel events
(the lesson of Wazo's call logs). The statistics package provides the sink, registered as
``ctx.services["labels"]``; it must never block or fail a call: a sink that cannot write
spools and retries.

An event is any frozen dataclass with a ``name`` class attribute, an ``at`` datetime and a
``contact_id`` (the Asterisk linkedid of the citizen's call, or the callback's id); its
other fields are flattened to strings by the sink.
"""

from __future__ import annotations

from typing import Any, Protocol


class LabelSink(Protocol):
    async def emit(self, event: Any, *, channel_id: str | None = None) -> None: ...
