"""The number policy: which outside numbers vaxel may ever dial.

Toll fraud is the classic PBX attack, so every number a person types (forwarding
targets, callback numbers) passes ``check_number`` before it can reach a dial string.
Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

# ASCII only, on purpose: Python's \d and str.isdigit() accept every script's digits
# (Arabic-Indic, full-width, ...) and \s accepts newlines; none of those may reach a dial string.
SEPARATORS = re.compile(r"[ \-().]")
DIGITS = re.compile(r"\+?[0-9]+")
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
ASCII_DIGITS = frozenset("0123456789")
COUNTRY_CODE = re.compile(r"[1-9][0-9]{0,2}")
PREFIX = re.compile(r"\+[0-9]{1,15}")


ONLY_DIGITS = "the number may contain only digits (0-9), spaces, dashes and a leading +"


def is_ascii_digits(text: str) -> bool:
    """``str.isdigit()`` for the digits 0-9 only (isdigit accepts '٣' and '３')."""
    return bool(text) and all(c in ASCII_DIGITS for c in text)


def is_e164(text: str) -> bool:
    return E164.fullmatch(text) is not None


class NumberPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    home_country_code: str = "46"
    allowed_country_codes: list[str] = Field(default_factory=lambda: ["46"])
    # Swedish premium rate (0900, 0939, 0944), mass calling (099) and directory services (118).
    denied_prefixes: list[str] = Field(
        default_factory=lambda: ["+46900", "+46939", "+46944", "+4699", "+46118"]
    )
    allowed_prefixes: list[str] = Field(default_factory=list)
    min_digits: int = 8
    max_digits: int = 15

    @field_validator("home_country_code")
    @classmethod
    def _country_code(cls, value: str) -> str:
        if not COUNTRY_CODE.fullmatch(value):
            raise ValueError(f"'{value}' is not a country code like 46 (digits 0-9)")
        return value

    @field_validator("allowed_country_codes")
    @classmethod
    def _country_codes(cls, values: list[str]) -> list[str]:
        for value in values:
            cls._country_code(value)
        return values

    @field_validator("denied_prefixes", "allowed_prefixes")
    @classmethod
    def _prefixes(cls, values: list[str]) -> list[str]:
        for value in values:
            if not PREFIX.fullmatch(value):
                raise ValueError(f"'{value}' is not a prefix like +46900 (digits 0-9)")
        return values


class NumberRefused(ValueError):
    """A number the policy refuses; ``str()`` is safe to show to the person who typed it."""

    def __init__(self, number: str, reason: str, code: str) -> None:
        self.number, self.reason, self.code = number, reason, code
        super().__init__(reason)


@dataclass(frozen=True)
class CheckedNumber:
    """An E.164 number that passed the policy: the only kind allowed into a dial string."""

    e164: str

    def __str__(self) -> str:
        return self.e164


def normalise(raw: str, home_country_code: str = "46") -> str:
    """Turn what a person or a trunk wrote into E.164, or raise NumberRefused."""
    text = SEPARATORS.sub("", raw.strip(" "))
    if not PRINTABLE_ASCII.fullmatch(raw) or not DIGITS.fullmatch(text):
        raise NumberRefused(raw, ONLY_DIGITS, "invalid")
    if text.startswith("+"):
        return text
    if text.startswith("00"):
        return "+" + text[2:]
    if text.startswith("0"):
        return f"+{home_country_code}{text[1:]}"
    raise NumberRefused(raw, "write the number with area code, e.g. 070-123 45 67", "invalid")


def check_number(raw: str, policy: NumberPolicy) -> CheckedNumber:
    e164 = normalise(raw, policy.home_country_code)
    digits = len(e164) - 1
    if digits < policy.min_digits or digits > policy.max_digits:
        raise NumberRefused(
            raw, f"{e164} has {digits} digits, which is not a full phone number", "length"
        )
    if not is_e164(e164):  # e.g. "000..." gives "+0...": no country code starts with 0
        raise NumberRefused(raw, f"{e164} is not a phone number (E.164)", "invalid")
    if any(e164.startswith(prefix) for prefix in policy.allowed_prefixes):
        return CheckedNumber(e164)
    if any(e164.startswith(prefix) for prefix in policy.denied_prefixes):
        raise NumberRefused(
            raw, f"{e164} is a premium-rate or service number and cannot be called", "premium"
        )
    if not any(e164.startswith("+" + cc) for cc in policy.allowed_country_codes):
        raise NumberRefused(
            raw, f"{e164} is an international number, which is not allowed here", "international"
        )
    return CheckedNumber(e164)
