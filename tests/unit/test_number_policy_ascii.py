"""Only the digits 0-9 pass the number policy: no other script's digits, no control characters.

Python's ``\\d`` and ``str.isdigit()`` accept Arabic-Indic, full-width and other digits, and
``$`` matches before a trailing newline; a premium-rate number written that way must not be
stored, let alone dialled.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from vaxel.numbers import NumberPolicy, NumberRefused, check_number

POLICY = NumberPolicy()
TYPED = "0123456789+ -()."  # what a person may type around the digits


@pytest.mark.parametrize(
    "raw",
    [
        "+46٩٠٠١٢٣٤٥٦",  # +46 900 123456 (premium rate) in Arabic-Indic digits
        "+46９００１２３４５６",  # the same in full-width digits
        "+46۹۰۰۱۲۳۴۵۶",  # extended Arabic-Indic (Persian) digits
        "+46७०१७४०६०५",  # Devanagari
        "٠٧٠١٧٤٠٦٠٥",
    ],
)
def test_a_number_in_another_scripts_digits_is_refused_not_stored_as_typed(raw):
    with pytest.raises(NumberRefused) as caught:
        check_number(raw, POLICY)
    assert caught.value.code == "invalid"
    assert "0-9" in str(caught.value)


@pytest.mark.parametrize(
    "raw", ["070-174\n06 05", "0701740605\n", "\n0701740605", "070\t1740605", "070\r1740605"]
)
def test_a_number_with_a_newline_or_other_control_character_is_refused(raw):
    with pytest.raises(NumberRefused):
        check_number(raw, POLICY)


@pytest.mark.parametrize("raw", ["070\u00a0174 06 05", "070\u2009174", "+46\u200b701740605"])
def test_unicode_spaces_are_not_separators(raw):
    with pytest.raises(NumberRefused):
        check_number(raw, POLICY)


@pytest.mark.parametrize(
    "policy",
    [
        {"denied_prefixes": ["+46٩٠٠"]},
        {"allowed_prefixes": ["+4520\n"]},
        {"home_country_code": "٤٦"},
        {"allowed_country_codes": ["46", "４５"]},
    ],
)
def test_the_policy_itself_takes_only_ascii_digits(policy):
    with pytest.raises(ValidationError):
        NumberPolicy(**policy)


NOT_PLAIN = st.characters().filter(lambda c: not " " <= c <= "~")


@given(st.text(alphabet=TYPED, max_size=12), NOT_PLAIN, st.text(alphabet=TYPED, max_size=12))
@example("+46701740605", "\n", "")
@example("+4670", "٣", "1740605")
def test_no_string_with_a_non_ascii_or_control_character_passes(before, odd, after):
    with pytest.raises(NumberRefused):
        check_number(before + odd + after, POLICY)


@given(st.text(max_size=30).filter(lambda t: any(not " " <= c <= "~" for c in t)))
def test_any_text_with_a_non_ascii_or_control_character_is_refused(raw):
    with pytest.raises(NumberRefused):
        check_number(raw, POLICY)


def permitted(e164: str, policy: NumberPolicy) -> bool:
    """The policy as a reader states it, independently of ``check_number``."""
    if not re.fullmatch(r"\+[1-9][0-9]*", e164):
        return False
    if not policy.min_digits <= len(e164) - 1 <= policy.max_digits:
        return False
    if any(e164.startswith(p) for p in policy.allowed_prefixes):
        return True
    if any(e164.startswith(p) for p in policy.denied_prefixes):
        return False
    return any(e164.startswith("+" + cc) for cc in policy.allowed_country_codes)


def as_e164(raw: str, home: str) -> str | None:
    """What a typed number means: separators dropped, then +CC, 00CC or 0 + national."""
    text = re.sub(r"[ \-().]", "", raw.strip(" "))
    if not re.fullmatch(r"\+?[0-9]+", text):
        return None
    if text.startswith("+"):
        return text
    if text.startswith("00"):
        return "+" + text[2:]
    if text.startswith("0"):
        return f"+{home}{text[1:]}"
    return None


@given(st.text(alphabet=TYPED, max_size=20))
@example("070-174 06 05")
@example("0900-123 456")
@example("+46 (0) 70")
@example("00 0046 70 174 06 05")
def test_exactly_what_normalises_to_a_permitted_e164_number_is_accepted(raw):
    meant = as_e164(raw, POLICY.home_country_code)
    expected = meant if meant is not None and permitted(meant, POLICY) else None
    try:
        got = check_number(raw, POLICY).e164
    except NumberRefused:
        got = None
    assert got == expected
    if got is not None:
        assert re.fullmatch(r"\+[1-9][0-9]{7,14}", got, re.ASCII)


@given(
    st.sampled_from(["+4670", "+4640", "+468", "+46900", "+46118", "+4520", "+88"]),
    st.text(alphabet="0123456789", min_size=3, max_size=10),
    st.sampled_from(["e164", "national", "international", "spaced"]),
)
def test_every_way_of_writing_a_permitted_number_gives_the_same_e164(prefix, rest, style):
    e164 = prefix + rest
    written = {
        "e164": e164,
        "national": "0" + e164[3:] if e164.startswith("+46") else e164,
        "international": "00" + e164[1:],
        "spaced": " ".join([e164[:3], e164[3:6], e164[6:]]),
    }[style]
    try:
        got = check_number(written, POLICY).e164
    except NumberRefused:
        got = None
    assert got == (e164 if permitted(e164, POLICY) else None)


def test_no_module_matches_digits_with_unicode_aware_tools():
    """``\\d``, ``\\D`` and ``isdigit``/``isdecimal``/``isnumeric`` accept any script's digits;
    vaxel writes ``[0-9]`` and ``numbers.is_ascii_digits`` instead."""
    from pathlib import Path

    import vaxel

    root = Path(vaxel.__file__).parent
    unsafe = re.compile(r"\\[dD]|\.is(digit|decimal|numeric)\(")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if unsafe.search(line.split("#", 1)[0]) and '"""' not in line and "``" not in line
    ]
    assert found == []
