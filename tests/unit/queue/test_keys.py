"""Feature codes and the waiting caller's callback keys (pure)."""

from __future__ import annotations

import pytest

from vaxel.queue.keys import (
    Action,
    Choosing,
    FeatureCode,
    KeyOutcome,
    Waiting,
    parse_feature_code,
    pause_reason,
    press,
)


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("*21", FeatureCode(Action.LOGIN)),
        ("*22", FeatureCode(Action.LOGOUT)),
        ("*23", FeatureCode(Action.PAUSE)),
        ("*233", FeatureCode(Action.PAUSE, "3")),
        ("*24", FeatureCode(Action.UNPAUSE)),
        ("*2512", FeatureCode(Action.WRAPUP_CODE, "12")),
    ],
)
def test_feature_codes_are_recognised(digits, expected):
    assert parse_feature_code(digits) == expected


@pytest.mark.parametrize("digits", ["*25", "*211", "*26", "21", "*2", "", "*2a", "*25abc"])
def test_anything_else_is_not_a_feature_code(digits):
    assert parse_feature_code(digits) is None


def test_pause_reason_names_the_code():
    assert pause_reason(FeatureCode(Action.PAUSE)) == "paused"
    assert pause_reason(FeatureCode(Action.PAUSE, "4")) == "code 4"


def test_only_one_opens_the_callback_menu_while_waiting():
    assert press(Waiting(), "5", "0701").outcome is KeyOutcome.NONE
    result = press(Waiting(), "1", "0701")
    assert result == press(Waiting(), "1", None)
    assert result.state == Choosing() and result.outcome is KeyOutcome.OPEN_MENU


def test_one_confirms_the_calling_number():
    result = press(Choosing(), "1", "0701740650")
    assert result.outcome is KeyOutcome.SUBMIT and result.number == "0701740650"
    assert result.state == Waiting()


def test_one_without_a_known_number_does_nothing():
    assert press(Choosing(), "1", None).outcome is KeyOutcome.NONE


def test_another_number_is_keyed_and_ended_by_hash():
    state, outcomes = Choosing(), []
    for digit in "0701234567#":
        result = press(state, digit, "0709999999")
        state = result.state
        outcomes.append(result.outcome)
    assert outcomes[0] is KeyOutcome.STOP_MENU
    assert result.outcome is KeyOutcome.SUBMIT and result.number == "0701234567"


def test_hash_with_nothing_typed_and_star_to_go_back():
    assert press(Choosing(), "#", None).outcome is KeyOutcome.NONE
    result = press(Choosing("07"), "*", None)
    assert result.state == Waiting() and result.outcome is KeyOutcome.CANCEL


def test_a_number_is_never_longer_than_fifteen_digits():
    state = Choosing("1" * 15)
    assert press(state, "2", None).state == state
