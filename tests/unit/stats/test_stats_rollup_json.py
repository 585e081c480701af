"""Persisted rollups are exact: JSON round trips, and sums of days equal the raw aggregate."""

from __future__ import annotations

from datetime import date

from vaxel.stats.aggregates import aggregate, daily_rollups
from vaxel.stats.rollups import from_json, to_json, total
from vaxel.stats.synth import generate


def test_a_rollup_survives_json_unchanged():
    agg = aggregate(generate(800, date(2024, 3, 4), 10, seed=5))
    assert from_json(to_json(agg)) == agg


def test_summing_daily_rollups_gives_the_raw_aggregate():
    contacts = list(generate(1500, date(2024, 3, 1), 40, seed=9))
    daily = daily_rollups(contacts)
    assert total(from_json(to_json(a)) for a in daily.values()) == aggregate(contacts)
