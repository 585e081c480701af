"""The number policy keeps toll fraud and dial-string injection out of every dial string."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxel.numbers import NumberPolicy, NumberRefused, check_number

POLICY = NumberPolicy()


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("070-174 06 05", "+46701740605"),
        ("+46 70 174 06 05", "+46701740605"),
        ("0046701740605", "+46701740605"),
        ("040-628 04 00", "+46406280400"),
    ],
)
def test_swedish_numbers_are_normalised_to_e164(raw, e164):
    assert check_number(raw, POLICY).e164 == e164


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("123&PJSIP/evil", "invalid"),
        ("0701740605,1,Dial(PJSIP/x)", "invalid"),
        ("0900123456", "premium"),
        ("+46939123456", "premium"),
        ("+88234567890", "international"),
        ("+4479460000", "international"),
        ("112", "invalid"),
        ("0701", "length"),
        ("", "invalid"),
    ],
)
def test_dangerous_or_unreachable_numbers_are_refused_with_a_reason(raw, code):
    with pytest.raises(NumberRefused) as caught:
        check_number(raw, POLICY)
    assert caught.value.code == code
    assert str(caught.value)


def test_an_explicitly_allowed_prefix_overrides_the_country_rule():
    policy = NumberPolicy(allowed_prefixes=["+4520"])
    assert check_number("+4520123456", policy).e164 == "+4520123456"


@given(st.text(max_size=30))
def test_whatever_is_typed_only_digits_and_a_plus_can_pass(raw):
    try:
        checked = check_number(raw, POLICY)
    except NumberRefused:
        return
    assert checked.e164.startswith("+46") and checked.e164[1:].isdigit()
