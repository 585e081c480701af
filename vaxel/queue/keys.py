"""Keys pressed on phones, decided without I/O: telephonists' feature codes and the
waiting caller's callback keys.

Feature codes, dialled from the telephonist's own softphone (context ``from-phone``; the
controller gets them as StasisStart args ``["internal", "<digits>"]``):

=========  ===================================================================
``*21``    log in to every queue the telephonist is a member of
``*22``    log out
``*23``    pause (reason "paused"); ``*23<n>`` pauses with reason code ``n``
``*24``    end the pause
``*25<c>`` wrap-up code ``c`` (1-6 digits) for the telephonist's latest call
=========  ===================================================================

The waiting caller's keys: ``1`` asks for a callback; then ``1`` confirms the number they
call from, or they key in another number ended by ``#``; ``*`` goes back to the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from vaxel.numbers import ASCII_DIGITS

PREFIX = "*2"
_CODE = re.compile(r"\*2([1-5])([0-9]{0,6})")


class Action(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    UNPAUSE = "unpause"
    WRAPUP_CODE = "wrapup_code"


_ACTIONS = {
    "1": Action.LOGIN,
    "2": Action.LOGOUT,
    "3": Action.PAUSE,
    "4": Action.UNPAUSE,
    "5": Action.WRAPUP_CODE,
}


@dataclass(frozen=True)
class FeatureCode:
    action: Action
    argument: str = ""


def parse_feature_code(digits: str) -> FeatureCode | None:
    """``None`` for anything that is not one of the codes above."""
    match = _CODE.fullmatch(digits.strip())
    if not match:
        return None
    action = _ACTIONS[match.group(1)]
    argument = match.group(2)
    if action is Action.WRAPUP_CODE and not argument:
        return None
    if action in (Action.LOGIN, Action.LOGOUT, Action.UNPAUSE) and argument:
        return None
    return FeatureCode(action, argument)


def pause_reason(code: FeatureCode) -> str:
    return f"code {code.argument}" if code.argument else "paused"


# --- the waiting caller's callback keys -------------------------------------------------

MAX_NUMBER_DIGITS = 15


@dataclass(frozen=True)
class Waiting:
    """Music on hold; only ``1`` means something."""


@dataclass(frozen=True)
class Choosing:
    """The callback menu is playing or done; ``typed`` holds digits keyed so far."""

    typed: str = ""


KeyState = Waiting | Choosing


class KeyOutcome(StrEnum):
    NONE = "none"
    OPEN_MENU = "open_menu"  # play "press 1 to confirm ..., or key in another number"
    STOP_MENU = "stop_menu"  # the caller started typing: silence the menu
    SUBMIT = "submit"  # check ``number`` against the policy
    CANCEL = "cancel"  # back to the music


@dataclass(frozen=True)
class KeyResult:
    state: KeyState
    outcome: KeyOutcome
    number: str | None = None


def press(state: KeyState, digit: str, caller_number: str | None) -> KeyResult:
    """One key from the waiting caller. ``1`` as the first key in the menu confirms the
    number they call from (Swedish numbers start with 0, so it cannot begin a number)."""
    match state:
        case Waiting():
            if digit == "1":
                return KeyResult(Choosing(), KeyOutcome.OPEN_MENU)
            return KeyResult(state, KeyOutcome.NONE)
        case Choosing(typed):
            if digit == "*":
                return KeyResult(Waiting(), KeyOutcome.CANCEL)
            if digit == "1" and not typed:
                if caller_number:
                    return KeyResult(Waiting(), KeyOutcome.SUBMIT, caller_number)
                return KeyResult(state, KeyOutcome.NONE)
            if digit == "#":
                if typed:
                    return KeyResult(Waiting(), KeyOutcome.SUBMIT, typed)
                return KeyResult(state, KeyOutcome.NONE)
            if digit in ASCII_DIGITS and len(typed) < MAX_NUMBER_DIGITS:
                outcome = KeyOutcome.STOP_MENU if not typed else KeyOutcome.NONE
                return KeyResult(Choosing(typed + digit), outcome)
    return KeyResult(state, KeyOutcome.NONE)
