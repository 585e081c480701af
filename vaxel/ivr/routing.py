"""Where a call to a published number goes at instant t: pure, built on ``model.decide``.

A number's hours come from its own schedule if it names one, else from its queue's or
office's. Manual overrides are keyed by target ("number:switchboard", "queue:centre",
"office:dalby"); the most specific unexpired one applies. Disruption notices are chosen
here too, so the service only plays what it is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from vaxel.calendar import BusinessCalendar
from vaxel.config import PublishedNumber, SiteConfig
from vaxel.ivr.model import Decision, Override, decide, guide_on_duty, late_day_of

TARGET_KINDS = ("number", "queue", "office")


class RoutingError(ValueError):
    """A target that names nothing in the site file."""


@dataclass(frozen=True)
class ToQueue:
    queue: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ToGuide:
    """Ring the on-duty guide's mobile; on no answer or busy, the fallback queue."""

    office: str
    mobile: str
    ring_timeout_s: int
    fallback: ToQueue


@dataclass(frozen=True)
class Closed:
    decision: Decision
    # The queue a closed-hours callback request is left for; None when not offered.
    callback_queue: str | None


Route = ToQueue | ToGuide | Closed


@dataclass(frozen=True)
class Notice:
    """A disruption notice; ``numbers`` empty means every published number."""

    id: int
    text_sv: str
    text_en: str | None
    recording: str | None
    numbers: frozenset[str]
    starts_at: datetime
    ends_at: datetime

    def applies(self, number: str, t: datetime) -> bool:
        return self.starts_at <= t < self.ends_at and (not self.numbers or number in self.numbers)


def targets_of(number: PublishedNumber) -> tuple[str, ...]:
    """Override targets for a number, most specific first."""
    owner = f"queue:{number.queue}" if number.queue else f"office:{number.office}"
    return (f"number:{number.name}", owner)


def check_target(config: SiteConfig, target: str) -> str:
    kind, _, name = target.partition(":")
    names = {
        "number": {n.name for n in config.numbers},
        "queue": {q.name for q in config.queues},
        "office": {o.name for o in config.offices},
    }
    if kind not in names:
        raise RoutingError(f"'{target}': write number:<name>, queue:<name> or office:<name>")
    if name not in names[kind]:
        known = ", ".join(sorted(names[kind]))
        raise RoutingError(f"'{target}': no {kind} '{name}' in the site file (known: {known})")
    return target


def route(
    config: SiteConfig,
    calendar: BusinessCalendar,
    number: PublishedNumber,
    t: datetime,
    overrides: Mapping[str, Override] | None = None,
) -> Route:
    override = _override_for(number, overrides or {}, t)
    office = next((o for o in config.offices if o.name == number.office), None)
    schedule_name = number.schedule or (office.schedule if office else None)
    if schedule_name is None:
        queue = next(q for q in config.queues if q.name == number.queue)
        schedule_name = queue.schedule
    late_day = late_day_of(office) if office else None
    decision = decide(
        config.schedules[schedule_name], calendar, t, override=override, late_day=late_day
    )
    if not decision.open:
        return Closed(decision, _callback_queue(config, number))
    destination = _queue_destination(decision.destination)
    if destination is not None:
        return ToQueue(destination, {"number": number.name})
    if office is None:
        assert number.queue is not None
        return ToQueue(number.queue, {"number": number.name})
    fallback = ToQueue(office.fallback_queue, {"number": number.name, "office": office.name})
    mobile = guide_on_duty(office, t, calendar)
    if mobile is None:
        return fallback  # nobody on the roster today: the centre answers
    return ToGuide(office.name, mobile, office.ring_timeout_s, fallback)


def notices_for(notices: Iterable[Notice], number: str, t: datetime) -> Sequence[Notice]:
    """The notices a call to ``number`` hears first, oldest first."""
    return sorted((n for n in notices if n.applies(number, t)), key=lambda n: n.starts_at)


def _override_for(
    number: PublishedNumber, overrides: Mapping[str, Override], t: datetime
) -> Override | None:
    for target in targets_of(number):
        found = overrides.get(target)
        if found is not None and found.active(t):
            return found
    return None


def _queue_destination(destination: str | None) -> str | None:
    if destination and destination.startswith("queue:"):
        return destination.removeprefix("queue:")
    return None


def _callback_queue(config: SiteConfig, number: PublishedNumber) -> str | None:
    allowed = number.callback_in_closed
    if allowed is None:
        allowed = config.ivr.callback_in_closed
    if not allowed:
        return None
    name = number.queue
    if name is None:
        name = next(o.fallback_queue for o in config.offices if o.name == number.office)
    queue = next(q for q in config.queues if q.name == name)
    return queue.name if queue.callback else None
