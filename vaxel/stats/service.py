"""The statistics service: wrap-up codes, the caller-view call log, reports, privacy."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import sessionmaker

from vaxel.calendar import BusinessCalendar
from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.errors import DomainError, NotFound
from vaxel.stats.events import WrapUpSet, record_of
from vaxel.stats.ingest import Ingest, label_item
from vaxel.stats.model import STOCKHOLM, Contact, WrapUp, summarise
from vaxel.stats.privacy import is_pseudonymised, pseudonymise
from vaxel.stats.reader import Reader
from vaxel.stats.reports import Query, Report, build
from vaxel.stats.store import CallRecord, ContactRecord, LabelRow

log = structlog.get_logger("vaxel.stats")


def load_key(config: SiteConfig, fallback_dir: Path) -> bytes:
    """The pseudonym key: the site's ``privacy.hash_key_file``, else one generated once."""
    path = config.privacy.hash_key_file or fallback_dir / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        log.info("pseudonym_key_created", path=str(path))
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class CallLogRow:
    contact_id: str
    started_at: datetime
    ended_at: datetime | None
    number_dialled: str
    opening: str
    caller: str | None  # always a pseudonym: analysts never see raw numbers
    wrap_up: str | None
    outcome: str
    wait_s: int | None
    stints: list[dict[str, Any]]


class StatsService:
    def __init__(self, *, sessions: sessionmaker, ingest: Ingest, reader: Reader,
                 calendar: BusinessCalendar, clock: Clock, config: SiteConfig, key: bytes) -> None:  # fmt: skip
        self.sessions, self.ingest, self.reader = sessions, ingest, reader
        self.calendar, self.clock, self.config, self._key = calendar, clock, config, key

    # --- wrap-up ------------------------------------------------------------------------
    def set_wrap_up(self, contact_id: str, code: str, by: str) -> None:
        try:
            WrapUp(code)
        except ValueError:
            choices = ", ".join(w.value for w in WrapUp)
            raise DomainError(f"'{code}' is not a wrap-up code; use one of {choices}") from None
        with self.sessions() as session:
            if session.get(ContactRecord, contact_id) is None:
                raise NotFound(f"no contact '{contact_id}'")
        record = record_of(WrapUpSet(at=self.clock.now(), contact_id=contact_id, code=code, by=by))
        self.ingest.apply([label_item(record)])
        log.info("wrap_up_set", contact=contact_id, code=code, by=by)

    # --- call log -----------------------------------------------------------------------
    def call_log(self, first: date, last: date, *, number: str | None = None,
                 limit: int = 200, offset: int = 0) -> list[CallLogRow]:  # fmt: skip
        from vaxel.stats.reports import _bounds

        start, end = _bounds(first, last)
        contacts = self.reader.contacts_between(
            start, end, number=number, limit=limit, offset=offset
        )
        ends = self._ends([c.contact_id for c in contacts])
        return [self._row(c, ends.get(c.contact_id)) for c in contacts]

    def _ends(self, ids: list[str]) -> dict[str, datetime | None]:
        with self.sessions() as session:
            query = select(ContactRecord.id, ContactRecord.ended_at).where(
                ContactRecord.id.in_(ids)
            )
            return dict(session.execute(query).tuples().all()) if ids else {}

    def _row(self, c: Contact, ended_at: datetime | None) -> CallLogRow:
        summary = summarise(c)
        caller = None
        if c.caller:
            caller = c.caller if is_pseudonymised(c.caller) else pseudonymise(c.caller, self._key)
        stints = [
            {k: (v.astimezone(STOCKHOLM).isoformat() if isinstance(v, datetime) else (str(v) if v is not None else None))
             for k, v in (("kind", s.kind), ("start", s.start), ("end", s.end), ("outcome", s.outcome),
                          ("queue", s.queue), ("telephonist", s.telephonist),
                          ("target_person", s.target_person), ("target_unit", s.target_unit),
                          ("target_department", s.target_department), ("deadline", s.deadline))}
            for s in c.stints
        ]  # fmt: skip
        return CallLogRow(c.contact_id, c.started_at, ended_at, c.number_dialled, str(c.opening),
                          caller, str(c.wrap_up) if c.wrap_up else None, str(summary.outcome),
                          summary.wait, stints)  # fmt: skip

    # --- reports ------------------------------------------------------------------------
    def report(self, query: Query) -> Report:
        return build(self.reader, self.calendar, query)

    # --- privacy ------------------------------------------------------------------------
    def raw_number_cutoff(self) -> datetime:
        """Raw numbers from before this instant are due for pseudonymisation."""
        # In UTC: "30 days" is 30 x 24 h even across a DST change.
        return self.clock.now().astimezone(UTC) - timedelta(
            days=self.config.privacy.raw_number_days
        )

    def pseudonym(self, number: str) -> str:
        return pseudonymise(number, self._key)

    def pseudonymise_due(self) -> int:
        """Replace raw caller numbers older than ``privacy.raw_number_days`` by a keyed
        hash: in contacts, in the contact labels and in the entry service's call record."""
        cutoff = self.raw_number_cutoff()
        done = 0
        with self.sessions.begin() as session:
            rows = session.scalars(select(ContactRecord).where(
                ContactRecord.started_at < cutoff, ContactRecord.caller.is_not(None),
                ContactRecord.caller_pseudonymised.is_(False)))  # fmt: skip
            for row in rows:
                row.caller = pseudonymise(row.caller or "", self._key)
                row.caller_pseudonymised = True
                done += 1
            import json

            for label in session.scalars(select(LabelRow).where(
                    LabelRow.name == "ContactStarted", LabelRow.at < cutoff,
                    LabelRow.fields.like('%"caller"%'))):  # fmt: skip
                fields = json.loads(label.fields)
                if fields.get("caller") and not is_pseudonymised(fields["caller"]):
                    fields["caller"] = pseudonymise(fields["caller"], self._key)
                    label.fields = json.dumps(fields, ensure_ascii=False)
            for call in session.scalars(select(CallRecord).where(
                    CallRecord.started_at < cutoff, CallRecord.caller_number.is_not(None))):  # fmt: skip
                call.caller_hash = pseudonymise(call.caller_number or "", self._key)
                call.caller_number = None
        log.info("stats_pseudonymised", contacts=done, cutoff=cutoff.isoformat(),
                 raw_number_days=self.config.privacy.raw_number_days)  # fmt: skip
        return done

    def retention_cutoff(self) -> datetime | None:
        days = self.config.privacy.call_log_retention_days
        return None if days is None else self.clock.now().astimezone(UTC) - timedelta(days=days)

    def delete_expired(self) -> int:
        """Retention deletion (gallring) of the call log per ``privacy.call_log_retention_days``.
        Daily rollups (aggregates) are kept; their days are frozen so they are never rebuilt
        from a log that no longer exists."""
        cutoff = self.retention_cutoff()
        if cutoff is None:
            return 0
        with self.sessions.begin() as session:
            ids = select(ContactRecord.id).where(ContactRecord.started_at < cutoff)
            session.execute(delete(LabelRow).where(LabelRow.contact_id.in_(ids)))
            session.execute(delete(LabelRow).where(LabelRow.contact_id == "", LabelRow.at < cutoff))
            gone = session.execute(
                delete(ContactRecord).where(ContactRecord.started_at < cutoff)
            ).rowcount
            session.execute(delete(CallRecord).where(CallRecord.started_at < cutoff))
        log.info("stats_retention_deleted", contacts=gone, cutoff=cutoff.isoformat(),
                 retention_days=self.config.privacy.call_log_retention_days)  # fmt: skip
        return int(gone or 0)

    async def privacy_job(self) -> None:
        import asyncio

        await asyncio.to_thread(self.pseudonymise_due)
        await asyncio.to_thread(self.delete_expired)


__all__ = ["CallLogRow", "StatsService", "load_key", "update"]
