"""Nothing but a checked E.164 number or a 3-6 digit extension (ASCII) reaches a dial string."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from vaxel.handoff.inputs import Reachable
from vaxel.handoff.keys import press
from vaxel.handoff.states import Target
from vaxel.handoff.targets import Targets
from vaxel.numbers import NumberPolicy
from vaxel.queue.keys import parse_feature_code

DIAL = re.compile(r"PJSIP/[0-9]{3,6}|PJSIP/\+[1-9][0-9]{7,14}@trunk", re.ASCII)


def targets() -> Targets:
    return Targets(directory=None, policy=NumberPolicy(), outside_dial="PJSIP/{number}@trunk",
                   ring_mobile=True)  # fmt: skip


def dial_strings(target: Target) -> tuple[str, ...]:
    verdict, _ = targets().resolve(target)
    assert isinstance(verdict, Reachable)
    return verdict.devices


@pytest.mark.parametrize("number", ["+46٩٠٠١٢٣٤٥٦", "+46９００１２３４５６", "+46701740605\n"])
def test_a_forward_to_a_mobile_in_other_digits_rings_nothing(number):
    assert dial_strings(Target(name="mobilnummer", number=number)) == ()


@pytest.mark.parametrize("extension", ["٢٠٠٦", "２００６", "2006\n"])
def test_an_extension_in_other_digits_is_not_a_target(extension):
    with pytest.raises(ValueError):
        targets().target_for(extension=extension)
    assert dial_strings(Target(name="x", extension=extension)) == ()


@given(st.text(max_size=20))
@example("0701740605")
@example("+46٧٠١٧٤٠٦٠٥")
def test_whatever_number_a_target_carries_only_checked_e164_is_dialled(number):
    for device in dial_strings(Target(name="x", number=number)):
        assert DIAL.fullmatch(device), device


@given(st.text(max_size=10))
@example("2006")
@example("٢٠٠٦")
def test_whatever_extension_a_target_carries_only_ascii_digits_are_dialled(extension):
    for device in dial_strings(Target(name="x", extension=extension)):
        assert DIAL.fullmatch(device), device


def test_a_transfer_code_in_other_digits_transfers_nowhere():
    typed, command = "", None
    for key in "*7٢٠٠٦#":
        pressed = press(typed, key)
        typed, command = pressed.typed, command or pressed.command
    assert command is None
    typed, command = "", None
    for key in "*72006#":
        pressed = press(typed, key)
        typed, command = pressed.typed, command or pressed.command
    assert command is not None and command.extension == "2006"


@pytest.mark.parametrize("code", ["*25٣", "*2٥3", "*25３"])
def test_a_feature_code_in_other_digits_is_no_code(code):
    assert parse_feature_code(code) is None
