"""Labelled business events ("entered queue centre", "transfer to X not answered").

Packages emit them where the fact happens, so statistics never guess from channel events
(the lesson of Wazo's call logs). The statistics package provides the sink, registered as
``ctx.services["labels"]``; it must never block or fail a call: a sink that cannot write
spools and retries.

An event is any frozen dataclass with a ``name`` class attribute, an ``at`` datetime and a
``contact_id`` (the Asterisk linkedid of the citizen's call, or the callback's id); its
other fields are flattened to strings.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, Protocol


class LabelSink(Protocol):
    async def emit(self, event: Any, *, channel_id: str | None = None) -> None: ...


def flatten(event: Any) -> tuple[str, str, datetime, dict[str, str]]:
    """(name, contact_id, at, fields as strings) for any labelled event dataclass."""
    values = dataclasses.asdict(event)
    at = values.pop("at")
    contact_id = str(values.pop("contact_id"))
    fields: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            fields[key] = value.isoformat()
        elif isinstance(value, dict | list | tuple):
            fields[key] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            fields[key] = str(value)
    return type(event).name, contact_id, at, fields


class DiscardingSink:
    """For tools that run without statistics (e.g. `vaxel directory import`)."""

    async def emit(self, event: Any, *, channel_id: str | None = None) -> None:
        return None
