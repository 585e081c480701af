"""Asterisk's durable record: CEL as JSON lines (asterisk_conf/cel_custom.conf). Pure parts
turn CEL records into contact facts; ``CelFile`` reads the file from a byte offset.

A contact is a linkedid whose channel entered our Stasis app as ``inbound`` (APP_START,
appdata ``<app>,inbound,<number dialled>``); it ends at LINKEDID_END. AMI delivers the
same events live as ``Event: CEL``; its ``EventTime`` is local wall time to the second,
while the file has epoch microseconds, so the file wins for times when both exist.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from vaxel.numbers import is_ascii_digits

CEL_RELATIVE = Path("var/log/asterisk/cel-custom/vaxel.jsonl")


@dataclass(frozen=True)
class Fact:
    ev: str  # "start" | "end"
    id: str
    at: datetime
    e164: str | None = None
    caller: str | None = None

    def item(self) -> dict[str, str | None]:
        return {"type": "chan", "ev": self.ev, "id": self.id, "at": self.at.isoformat(),
                "e164": self.e164, "caller": self.caller}  # fmt: skip


def _inbound_number(appname: str, appdata: str, app: str) -> str | None:
    if appname.lower() != "stasis":
        return None
    parts = appdata.split(",")
    if len(parts) >= 2 and parts[0] == app and parts[1] == "inbound":
        return parts[2] if len(parts) > 2 else ""
    return None


def fact_from_file(record: Mapping[str, str], app: str) -> Fact | None:
    kind = record.get("eventtype")
    at = datetime.fromtimestamp(float(record.get("eventtime") or 0), UTC)
    if kind == "APP_START":
        number = _inbound_number(record.get("appname", ""), record.get("appdata", ""), app)
        if number is not None:
            return Fact("start", record["linkedid"], at, number or None, record.get("num") or None)
    elif kind == "LINKEDID_END":
        return Fact("end", record["linkedid"], at)
    return None


def fact_from_ami(message: Mapping[str, str], app: str, tz: ZoneInfo) -> Fact | None:
    kind = message.get("EventName")
    try:
        at = datetime.strptime(message.get("EventTime", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        at = datetime.now(UTC)
    if kind == "APP_START":
        number = _inbound_number(message.get("Application", ""), message.get("AppData", ""), app)
        if number is not None:
            linkedid = message.get("LinkedID", "")
            # The linkedid's first part is the channel's creation time in epoch seconds.
            created = linkedid.split(".")[0]
            if is_ascii_digits(created):
                at = datetime.fromtimestamp(int(created), UTC)
            return Fact("start", linkedid, at, number or None, message.get("CallerIDnum") or None)
    elif kind == "LINKEDID_END":
        return Fact("end", message.get("LinkedID", ""), at)
    return None


def facts(records: Iterable[Mapping[str, str]], app: str) -> Iterator[Fact]:
    for record in records:
        fact = fact_from_file(record, app)
        if fact is not None:
            yield fact


class CelFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read_from(self, offset: int) -> tuple[list[dict[str, str]], int]:
        """Whole lines after ``offset``; a file shorter than it was rotated: start over."""
        try:
            size = os.path.getsize(self.path)
        except FileNotFoundError:
            return [], 0
        if size < offset:
            offset = 0
        records = []
        with open(self.path, "rb") as f:
            f.seek(offset)
            for line in f:
                if not line.endswith(b"\n"):
                    break
                offset += len(line)
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue  # a torn line from a crash; Asterisk writes the next one whole
        return records, offset
