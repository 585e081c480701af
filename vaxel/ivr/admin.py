"""What staff change at run time, shared by the CLI and the API: disruption notices and
manual opening-hours overrides. Refusals are DomainErrors, mapped once per front end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vaxel.clock import Clock
from vaxel.config import SiteConfig
from vaxel.errors import DomainError
from vaxel.ivr.model import Override, OverrideMode
from vaxel.ivr.routing import Notice, RoutingError, check_target
from vaxel.ivr.store import IvrStore, OverrideInfo

MAX_NOTICE_DAYS = 14
MAX_OVERRIDE_DAYS = 31


@dataclass
class IvrAdmin:
    config: SiteConfig
    store: IvrStore
    clock: Clock

    def set_notice(
        self,
        *,
        text_sv: str,
        text_en: str | None = None,
        recording: str | None = None,
        numbers: list[str] | None = None,
        until: datetime | None = None,
        by: str,
    ) -> Notice:
        now = self.clock.now()
        if not text_sv.strip():
            raise DomainError("a disruption notice needs its Swedish text", code="invalid")
        known = {n.name for n in self.config.numbers}
        unknown = sorted(set(numbers or ()) - known)
        if unknown:
            raise DomainError(
                f"unknown number(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                code="invalid",
            )
        ends = until or now + timedelta(hours=self.config.ivr.disruption_default_hours)
        _check_future(ends, now, MAX_NOTICE_DAYS, "the notice's end")
        return self.store.add_notice(
            text_sv=text_sv.strip(),
            text_en=(text_en or "").strip() or None,
            recording=recording,
            numbers=frozenset(numbers or ()),
            starts_at=now,
            ends_at=ends,
            created_by=by,
        )

    def clear_notice(self, notice_id: int) -> Notice:
        return self.store.clear_notice(notice_id, self.clock.now())

    def active_notices(self) -> list[Notice]:
        return self.store.active_notices(self.clock.now())

    def set_override(
        self,
        target: str,
        mode: OverrideMode,
        until: datetime,
        *,
        destination: str | None = None,
        by: str,
    ) -> Override:
        try:
            check_target(self.config, target)
            if destination:
                check_target(self.config, destination)
                if not destination.startswith("queue:"):
                    raise RoutingError("an override's destination must be queue:<name>")
        except RoutingError as exc:
            raise DomainError(str(exc), code="invalid") from None
        now = self.clock.now()
        _check_future(until, now, MAX_OVERRIDE_DAYS, "the override's end")
        override = Override(mode, until, destination)
        self.store.set_override(target, override, by=by, at=now)
        return override

    def clear_override(self, target: str) -> bool:
        return self.store.clear_override(target)

    def overrides(self) -> list[OverrideInfo]:
        now = self.clock.now()
        return [i for i in self.store.override_infos() if i.override.active(now)]


def _check_future(until: datetime, now: datetime, max_days: int, what: str) -> None:
    if until.tzinfo is None:
        raise DomainError(f"{what} needs a time zone", code="invalid")
    if until <= now:
        raise DomainError(f"{what} ({until.isoformat()}) is not in the future", code="invalid")
    if until - now > timedelta(days=max_days):
        raise DomainError(f"{what} is more than {max_days} days away", code="invalid")
