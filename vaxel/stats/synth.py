"""Synthetic caller-view contacts with realistic patterns, for reports, charts and benches.

Deterministic for a seed. Arrivals follow a weekday x hour profile (Monday morning peak,
lunch dip, quiet Friday afternoon, a trickle while closed); waits are lognormal and grow
with the hour's load; callers abandon when their exponential patience runs out, so the
abandon probability grows with the wait; transfers reach their target 42-60 % of the time
depending on the department, and unanswered ones return to the same telephonist.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import TypeVar

from vaxel.stats.model import (
    STOCKHOLM,
    Contact,
    NumberKind,
    OpeningState,
    Stint,
    StintKind,
    StintOutcome,
    WrapUp,
)

_T = TypeVar("_T")

# Relative arrivals per hour of an open weekday; the lunch dip is at 12.
HOUR_WEIGHTS = (
    *(0.01,) * 7,
    0.2,  # 07: people calling before opening
    1.0, 1.45, 1.35, 1.15, 0.65, 1.05, 1.0, 0.8, 0.5,  # 08-16
    0.15, 0.08, 0.05, 0.04, 0.03, 0.02, 0.01,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.35, 1.1, 1.0, 1.0, 0.85, 0.12, 0.08)
NON_WORKING_DAY_WEIGHT = 0.1


@dataclass(frozen=True)
class Number:
    name: str
    kind: NumberKind
    share: float
    median_wait_s: float


@dataclass(frozen=True)
class Department:
    name: str
    reach: float
    units: tuple[tuple[str, tuple[str, ...]], ...]


NUMBERS = (
    Number("switchboard", NumberKind.SWITCHBOARD, 0.5, 35.0),
    Number("centre", NumberKind.CENTRE, 0.3, 45.0),
    Number("office-dalby", NumberKind.OFFICE, 0.06, 20.0),
    Number("office-genarp", NumberKind.OFFICE, 0.04, 20.0),
    Number("office-sodra-sandby", NumberKind.OFFICE, 0.06, 20.0),
    Number("office-veberod", NumberKind.OFFICE, 0.04, 20.0),
)
_DEPARTMENT_NAMES = (
    "building", "social", "education", "elderly-care", "lss",
    "environment", "technical", "culture", "planning", "schools",
)  # fmt: skip
TELEPHONISTS = tuple(f"t{i:02d}" for i in range(1, 21))


def _organisation() -> tuple[Department, ...]:
    rng = random.Random("vaxel-organisation")
    departments = []
    for d, name in enumerate(_DEPARTMENT_NAMES):
        units = tuple(
            (f"{name}-u{u}", tuple(f"p{d:02d}{u}{k:02d}" for k in range(8))) for u in range(3)
        )
        departments.append(Department(name, round(rng.uniform(0.42, 0.60), 2), units))
    return tuple(departments)


DEPARTMENTS = _organisation()


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def closes_at(day: date) -> int:
    """The hour the centre and offices close: 17 Monday-Thursday, 16 on Friday."""
    return 16 if day.weekday() == 4 else 17


def _slot_weights(
    start: date, days: int, is_working_day: Callable[[date], bool], rng: random.Random
) -> list[tuple[date, int, bool, float]]:
    slots = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        working = is_working_day(day)
        weekday = day.weekday()
        day_weight = WEEKDAY_WEIGHTS[weekday] if working else NON_WORKING_DAY_WEIGHT
        for hour in range(24):
            weight = day_weight * HOUR_WEIGHTS[hour]
            if weekday == 0 and 8 <= hour < 11:
                weight *= 1.3
            if weekday == 4 and hour >= 13:
                weight *= 0.6
            is_open = working and 8 <= hour < closes_at(day)
            slots.append((day, hour, is_open, weight * rng.lognormvariate(0.0, 0.15)))
    return slots


def _allocate(n: int, weights: Sequence[float]) -> list[int]:
    """Exactly n arrivals, in proportion to the weights (largest remainder)."""
    total = sum(weights)
    quotas = [n * w / total for w in weights]
    counts = [int(q) for q in quotas]
    short = n - sum(counts)
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[:short]:
        counts[i] += 1
    return counts


def generate(
    n_calls: int,
    start: date,
    days: int,
    seed: int,
    *,
    is_working_day: Callable[[date], bool] = weekdays_only,
) -> Iterator[Contact]:
    """``n_calls`` contacts spread over ``days`` days from ``start``, in time order."""
    if n_calls < 0 or days < 1:
        raise ValueError("need n_calls >= 0 and days >= 1")
    rng = random.Random(seed)
    slots = _slot_weights(start, days, is_working_day, rng)
    counts = _allocate(n_calls, [w for *_, w in slots])
    peak = max(HOUR_WEIGHTS)
    repeat_pool = [_phone_number(rng) for _ in range(max(50, n_calls // 20))]
    number_cumulative = list(accumulate(n.share for n in NUMBERS))
    number_total = number_cumulative[-1]
    seq = 0
    for (day, hour, is_open, _), count in zip(slots, counts, strict=True):
        if not count:
            continue
        base = datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)
        epoch = int(base.timestamp())
        load = 0.5 + HOUR_WEIGHTS[hour] / peak
        for offset in sorted(rng.random() * 3600.0 for _ in range(count)):
            seq += 1
            started = base + timedelta(seconds=offset)
            number = NUMBERS[bisect(number_cumulative, rng.random() * number_total)]
            if rng.random() < 0.3:
                caller = _pick(rng, repeat_pool)
            else:
                caller = _phone_number(rng)
            if is_open:
                wrap_up, stints = _open_contact(rng, started, number, load)
            else:
                wrap_up, stints = None, _closed_contact(rng, started)
            yield Contact(
                contact_id=f"{epoch + int(offset)}.{seq}",
                started_at=started,
                number_dialled=number.name,
                number_kind=number.kind,
                opening=OpeningState.OPEN if is_open else OpeningState.CLOSED,
                caller=caller,
                wrap_up=wrap_up,
                stints=stints,
            )


def _phone_number(rng: random.Random) -> str:
    return f"+467{int(rng.random() * 1e8):08d}"


def _uniform(rng: random.Random, low: float, high: float) -> float:
    return low + (high - low) * rng.random()


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    # gauss() is several times faster than lognormvariate()'s normalvariate().
    return median * math.exp(sigma * rng.gauss())


def _pick(rng: random.Random, items: Sequence[_T]) -> _T:
    return items[int(rng.random() * len(items))]


def _closed_contact(rng: random.Random, started: datetime) -> tuple[Stint, ...]:
    ivr_end = started + timedelta(seconds=_uniform(rng, 8.0, 25.0))
    return (Stint(StintKind.IVR, started, ivr_end, StintOutcome.COMPLETED),)


def _open_contact(
    rng: random.Random, started: datetime, number: Number, load: float
) -> tuple[WrapUp | None, tuple[Stint, ...]]:
    stints: list[Stint] = []
    if number.kind is NumberKind.SWITCHBOARD:
        ivr_end = started + timedelta(seconds=_uniform(rng, 3.0, 5.0))
    else:
        ivr_end = started + timedelta(seconds=_uniform(rng, 6.0, 18.0))
    if rng.random() < 0.01:
        return None, (Stint(StintKind.IVR, started, ivr_end, StintOutcome.ABANDONED),)
    stints.append(Stint(StintKind.IVR, started, ivr_end, StintOutcome.COMPLETED))
    wait = _lognormal(rng, number.median_wait_s * load, 0.9)
    patience = rng.expovariate(1.0 / 300.0)
    queue = number.name
    if patience < wait:
        left = ivr_end + timedelta(seconds=patience)
        if patience > 90.0 and rng.random() < 0.25:
            stints.append(Stint(StintKind.QUEUE_WAIT, ivr_end, left, StintOutcome.LEFT, queue))
            stints.append(_callback(rng, left, queue))
            return None, tuple(stints)
        stints.append(Stint(StintKind.QUEUE_WAIT, ivr_end, left, StintOutcome.ABANDONED, queue))
        return None, tuple(stints)
    answered = ivr_end + timedelta(seconds=wait)
    stints.append(Stint(StintKind.QUEUE_WAIT, ivr_end, answered, StintOutcome.ANSWERED, queue))
    telephonist = _pick(rng, TELEPHONISTS)
    wrap_up_s = int(_lognormal(rng, 20.0, 0.6))
    transfer_share = 0.55 if number.kind is NumberKind.SWITCHBOARD else 0.25
    if rng.random() >= transfer_share:
        talk_end = answered + timedelta(seconds=_lognormal(rng, 110.0, 0.7))
        stints.append(_talk(answered, talk_end, queue, telephonist, wrap_up_s))
        wrap_up = _direct_wrap_up(rng)
        if wrap_up is WrapUp.MESSAGE:
            stints.append(_message(rng, talk_end))
        return wrap_up, tuple(stints)
    talk_end = answered + timedelta(seconds=_lognormal(rng, 35.0, 0.5))
    stints.append(_talk(answered, talk_end, queue, telephonist, wrap_up_s))
    return _transfer(rng, stints, talk_end, queue, telephonist)


def _talk(start: datetime, end: datetime, queue: str, telephonist: str, wrap_up_s: int) -> Stint:
    return Stint(
        StintKind.TELEPHONIST,
        start,
        end,
        StintOutcome.COMPLETED,
        queue,
        telephonist,
        wrap_up_seconds=wrap_up_s,
    )


def _direct_wrap_up(rng: random.Random) -> WrapUp:
    r = rng.random()
    if r < 0.80:
        return WrapUp.ANSWERED_DIRECTLY
    if r < 0.88:
        return WrapUp.REFERRED_TO_PHONE_HOURS
    if r < 0.94:
        return WrapUp.MESSAGE
    if r < 0.98:
        return WrapUp.REFERRED_TO_E_SERVICE
    return WrapUp.OTHER


_FAILURES = (
    StintOutcome.NO_ANSWER,
    StintOutcome.BUSY,
    StintOutcome.UNAVAILABLE,
    StintOutcome.DECLINED,
)
_FAILURE_CUMULATIVE = (0.6, 0.8, 0.95)


def _transfer(
    rng: random.Random, stints: list[Stint], at: datetime, queue: str, telephonist: str
) -> tuple[WrapUp | None, tuple[Stint, ...]]:
    department = _pick(rng, DEPARTMENTS)
    unit, people = _pick(rng, department.units)
    for attempt in range(2):
        person = _pick(rng, people)
        answered = rng.random() < department.reach
        ring = _uniform(rng, 5.0, 12.0) if answered else _uniform(rng, 15.0, 30.0)
        if answered:
            outcome = StintOutcome.ANSWERED
        else:
            outcome = _FAILURES[bisect(_FAILURE_CUMULATIVE, rng.random())]
        end = at + timedelta(seconds=ring)
        hung_up = not answered and rng.random() < 0.05
        stints.append(
            Stint(
                StintKind.HANDOFF_ATTEMPT,
                at,
                end,
                StintOutcome.ABANDONED if hung_up else outcome,
                queue,
                telephonist,
                person,
                unit,
                department.name,
            )
        )
        if answered:
            return WrapUp.TRANSFERRED, tuple(stints)
        if hung_up:
            return WrapUp.TRANSFERRED, tuple(stints)
        back = end + timedelta(seconds=_uniform(rng, 10.0, 40.0))
        stints.append(
            Stint(StintKind.RETURN, end, back, StintOutcome.COMPLETED, queue, telephonist)
        )
        at = back
        if attempt == 0 and rng.random() >= 0.25:
            break
    r = rng.random()
    if r < 0.4:
        stints.append(_message(rng, at, department.name, unit, person))
        return WrapUp.MESSAGE, tuple(stints)
    if r < 0.7:
        return WrapUp.REFERRED_TO_PHONE_HOURS, tuple(stints)
    if r < 0.8:
        stints.append(_callback(rng, at, queue, person))
        return WrapUp.OTHER, tuple(stints)
    return WrapUp.TRANSFERRED, tuple(stints)


def _message(
    rng: random.Random,
    at: datetime,
    department: str | None = None,
    unit: str | None = None,
    person: str | None = None,
) -> Stint:
    deadline = at + timedelta(days=1)
    handled = rng.random() < 0.85
    end = at + timedelta(seconds=_lognormal(rng, 5 * 3600.0, 0.8)) if handled else None
    return Stint(
        StintKind.MESSAGE,
        at,
        end,
        StintOutcome.COMPLETED if handled else StintOutcome.PENDING,
        target_person=person,
        target_unit=unit,
        target_department=department,
        deadline=deadline,
    )


def _callback(rng: random.Random, at: datetime, queue: str, person: str | None = None) -> Stint:
    r = rng.random()
    if r < 0.92:
        end = at + timedelta(seconds=_lognormal(rng, 20 * 60.0, 0.7))
        telephonist = None if person else _pick(rng, TELEPHONISTS)
        return Stint(
            StintKind.CALLBACK,
            at,
            end,
            StintOutcome.COMPLETED,
            queue,
            telephonist,
            person,
        )
    outcome = StintOutcome.FAILED if r < 0.97 else StintOutcome.PENDING
    return Stint(StintKind.CALLBACK, at, None, outcome, queue, target_person=person)
