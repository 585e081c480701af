import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from stats_builders import answered

from vaxel.stats.model import STOCKHOLM, WrapUp
from vaxel.stats.privacy import (
    due_for_pseudonymisation,
    is_pseudonymised,
    pseudonymise,
    pseudonymise_contact,
)

KEY = b"site-secret-1"


def test_the_same_number_always_gets_the_same_pseudonym_so_repeat_callers_can_be_counted():
    assert pseudonymise("+46701234567", KEY) == pseudonymise("+46701234567", KEY)


def test_different_numbers_get_different_pseudonyms():
    assert pseudonymise("+46701234567", KEY) != pseudonymise("+46701234568", KEY)


def test_the_pseudonym_depends_on_the_key():
    assert pseudonymise("+46701234567", KEY) != pseudonymise("+46701234567", b"other")


def test_the_pseudonym_is_hmac_sha256_in_hex_and_hides_the_number():
    pseudonym = pseudonymise("+46701234567", KEY)
    assert len(pseudonym) == 64 and is_pseudonymised(pseudonym)
    assert "701234567" not in pseudonym
    assert pseudonym == hmac.new(KEY, b"+46701234567", hashlib.sha256).hexdigest()


def test_pseudonymising_twice_changes_nothing():
    once = pseudonymise("+46701234567", KEY)
    assert pseudonymise(once, KEY) == once
    assert not is_pseudonymised("+46701234567")


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        pseudonymise("+46701234567", b"")


def test_pseudonymise_contact_replaces_only_the_caller():
    call = answered(10, WrapUp.ANSWERED_DIRECTLY)
    hidden = pseudonymise_contact(call, KEY)
    assert hidden.caller == pseudonymise("+46701234567", KEY)
    assert hidden.stints == call.stints and hidden.contact_id == call.contact_id
    assert pseudonymise_contact(hidden, KEY) == hidden


def test_raw_numbers_are_due_after_the_configured_days():
    started = datetime(2024, 5, 2, 10, 0, tzinfo=STOCKHOLM)
    assert not due_for_pseudonymisation(started, started + timedelta(days=30, seconds=-1), 30)
    assert due_for_pseudonymisation(started, started + timedelta(days=30), 30)
    assert due_for_pseudonymisation(started, started, 0)


def test_retention_counts_real_time_across_a_dst_change():
    started = datetime(2024, 3, 15, 10, 0, tzinfo=STOCKHOLM)
    same_wall_clock_30_days_later = datetime(2024, 4, 14, 10, 0, tzinfo=STOCKHOLM)
    assert not due_for_pseudonymisation(started, same_wall_clock_30_days_later, 30)
    assert due_for_pseudonymisation(
        started, same_wall_clock_30_days_later.astimezone(UTC) + timedelta(hours=1), 30
    )


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        due_for_pseudonymisation(datetime(2024, 1, 1), datetime(2024, 3, 1, tzinfo=UTC), 30)
