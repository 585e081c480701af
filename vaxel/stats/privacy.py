"""Pseudonymising callers' numbers. Pure.

A pseudonym is still personal data, but without the key nobody can tell which number it
stands for, and the same number always gets the same pseudonym, so repeat callers can
still be counted. The key lives in the site's secrets; rotating it breaks that continuity,
which is sometimes the point.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from vaxel.stats.model import Contact

HEX = frozenset("0123456789abcdef")


def pseudonymise(number: str, key: bytes) -> str:
    if not key:
        raise ValueError("pseudonymising needs a non-empty key")
    if is_pseudonymised(number):
        return number
    return hmac.new(key, number.strip().encode(), hashlib.sha256).hexdigest()


def is_pseudonymised(value: str) -> bool:
    """A pseudonym is 64 hex digits; a phone number has at most 15 digits and maybe a +."""
    return len(value) == 64 and set(value) <= HEX


def due_for_pseudonymisation(started_at: datetime, now: datetime, raw_days: int) -> bool:
    """Raw numbers are kept for ``raw_days`` full days after the contact started."""
    if started_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    if raw_days < 0:
        raise ValueError("raw_days cannot be negative")
    # In UTC: subtracting two Stockholm times would ignore a DST change in between.
    return now.astimezone(UTC) - started_at.astimezone(UTC) >= timedelta(days=raw_days)


def pseudonymise_contact(contact: Contact, key: bytes) -> Contact:
    if contact.caller is None or is_pseudonymised(contact.caller):
        return contact
    return replace(contact, caller=pseudonymise(contact.caller, key))
