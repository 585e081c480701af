"""Daily aggregates as JSON, and fast summing. Pure.

A persisted rollup is exactly ``aggregates.Aggregate``: every histogram and tally, nothing
rounded, so a report summed from rollups equals the report computed from the raw log.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from vaxel.stats.aggregates import (
    DEFAULT_SHORT_ABANDON_S,
    Aggregate,
    TelephonistTally,
    TransferTally,
)
from vaxel.stats.model import Outcome

ALL = frozenset({"transfers", "outcomes", "telephonists", "heat"})
_HISTOGRAMS = ("answered_waits", "abandoned_waits", "direct_waits", "callback_delays")
_COUNTS = (
    "contacts", "closed", "short_abandons", "offered", "callbacks_requested",
    "callbacks_completed", "messages_taken", "messages_handled", "messages_within_deadline",
)  # fmt: skip


def to_json(agg: Aggregate) -> str:
    data: dict[str, Any] = {
        "short_abandon_s": agg.short_abandon_s,
        "longest_wait": agg.longest_wait,
    }
    for name in _COUNTS:
        data[name] = getattr(agg, name)
    for name in _HISTOGRAMS:
        data[name] = {str(k): v for k, v in getattr(agg, name).items()}
    data["transfers"] = {
        k: [t.attempted, t.answered, t.returned, dict(t.reasons)] for k, t in agg.transfers.items()
    }
    data["outcomes"] = [[str(o), n, c] for (o, n), c in agg.outcomes.items()]
    data["telephonists"] = {
        k: [t.calls, t.talk_s, t.wrap_up_s, t.pause_s] for k, t in agg.telephonists.items()
    }
    data["heat_offered"] = [[w, h, c] for (w, h), c in agg.heat_offered.items()]
    data["heat_answered"] = [[w, h, c] for (w, h), c in agg.heat_answered.items()]
    return json.dumps(data, separators=(",", ":"))


class Summer:
    """Adds many aggregates in place: one pass, no intermediate frozen objects."""

    def __init__(
        self, short_abandon_s: int = DEFAULT_SHORT_ABANDON_S, sections: frozenset[str] = ALL
    ) -> None:
        """``sections`` limits the work to what a report needs: the accessibility figures
        are always summed; "transfers", "outcomes", "telephonists" and "heat" on request."""
        self.short_abandon_s = short_abandon_s
        self.sections = sections
        self.counts: Counter[str] = Counter()
        self.hist: dict[str, Counter[int]] = {h: Counter() for h in _HISTOGRAMS}
        self.longest: int | None = None
        self.transfers: dict[str, list[Any]] = {}
        self.outcomes: Counter[tuple[Outcome, str]] = Counter()
        self.telephonists: dict[str, list[int]] = {}
        self.heat_offered: Counter[tuple[int, int]] = Counter()
        self.heat_answered: Counter[tuple[int, int]] = Counter()

    def add_json(self, text: str) -> None:
        self.add_dict(json.loads(text))

    def add_dict(self, d: dict[str, Any]) -> None:
        if d["short_abandon_s"] != self.short_abandon_s:
            raise ValueError("rollups were made with another short-abandon limit; rebuild them")
        for name in _COUNTS:
            self.counts[name] += d[name]
        for name in _HISTOGRAMS:
            target = self.hist[name]
            for k, v in d[name].items():
                target[int(k)] += v
        if d["longest_wait"] is not None and (
            self.longest is None or d["longest_wait"] > self.longest
        ):
            self.longest = d["longest_wait"]
        sections = self.sections
        if "transfers" in sections:
            self._transfers(d)
        if "outcomes" in sections:
            for o, n, c in d["outcomes"]:
                self.outcomes[(Outcome(o), n)] += c
        if "telephonists" in sections:
            for k, vals in d["telephonists"].items():
                t = self.telephonists.setdefault(k, [0, 0, 0, 0])
                for i, v in enumerate(vals):
                    t[i] += v
        if "heat" in sections:
            for w, h, c in d["heat_offered"]:
                self.heat_offered[(w, h)] += c
            for w, h, c in d["heat_answered"]:
                self.heat_answered[(w, h)] += c

    def _transfers(self, d: dict[str, Any]) -> None:
        for k, (att, ans, ret, reasons) in d["transfers"].items():
            t = self.transfers.setdefault(k, [0, 0, 0, Counter()])
            t[0] += att
            t[1] += ans
            t[2] += ret
            t[3].update(reasons)

    def add(self, agg: Aggregate) -> None:
        if agg.short_abandon_s != self.short_abandon_s:
            raise ValueError("cannot add aggregates made with another short-abandon limit")
        for name in _COUNTS:
            self.counts[name] += getattr(agg, name)
        for name in _HISTOGRAMS:
            self.hist[name].update(getattr(agg, name))
        if agg.longest_wait is not None and (
            self.longest is None or agg.longest_wait > self.longest
        ):
            self.longest = agg.longest_wait
        if "transfers" not in self.sections:
            return self._rest(agg)
        for k, tally in agg.transfers.items():
            t = self.transfers.setdefault(k, [0, 0, 0, Counter()])
            t[0] += tally.attempted
            t[1] += tally.answered
            t[2] += tally.returned
            t[3].update(tally.reasons)
        return self._rest(agg)

    def _rest(self, agg: Aggregate) -> None:
        if "outcomes" in self.sections:
            self.outcomes.update(agg.outcomes)
        if "telephonists" in self.sections:
            for k, work in agg.telephonists.items():
                t = self.telephonists.setdefault(k, [0, 0, 0, 0])
                t[0] += work.calls
                t[1] += work.talk_s
                t[2] += work.wrap_up_s
                t[3] += work.pause_s
        if "heat" in self.sections:
            self.heat_offered.update(agg.heat_offered)
            self.heat_answered.update(agg.heat_answered)

    def result(self) -> Aggregate:
        c = self.counts
        values: dict[str, Any] = {name: c[name] for name in _COUNTS}
        values.update({name: dict(sorted(self.hist[name].items())) for name in _HISTOGRAMS})
        return Aggregate(
            short_abandon_s=self.short_abandon_s,
            **values,
            longest_wait=self.longest,
            transfers={
                k: TransferTally(t[0], t[1], t[2], dict(t[3])) for k, t in self.transfers.items()
            },
            outcomes=dict(self.outcomes),
            telephonists={k: TelephonistTally(*t) for k, t in self.telephonists.items()},
            heat_offered=dict(self.heat_offered),
            heat_answered=dict(self.heat_answered),
        )


def from_json(text: str) -> Aggregate:
    summer = Summer(json.loads(text)["short_abandon_s"])
    summer.add_json(text)
    return summer.result()


def total(
    aggregates: Iterable[Aggregate], short_abandon_s: int = DEFAULT_SHORT_ABANDON_S
) -> Aggregate:
    summer = Summer(short_abandon_s)
    for agg in aggregates:
        summer.add(agg)
    return summer.result()
