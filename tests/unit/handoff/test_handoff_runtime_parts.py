"""The runtime's pure parts: the state codec the store relies on, and the in-call keys."""

from __future__ import annotations

from handoff_builders import answered, at, ring, run

from vaxel.handoff import store
from vaxel.handoff.inputs import RingTimeout, TelephonistAnswered, TelephonistNoAnswer
from vaxel.handoff.keys import KeyAction, KeyCommand, press
from vaxel.handoff.states import Idle


def typed(keys: str) -> list[KeyCommand]:
    state, found = "", []
    for key in keys:
        pressed = press(state, key)
        state = pressed.typed
        if pressed.command is not None:
            found.append(pressed.command)
    return found


def test_every_state_of_a_handoff_survives_the_store_codec():
    """The store writes each state as JSON; a restarted controller must read back the same."""
    from vaxel.handoff.model import transition

    events = [*ring(), RingTimeout(), TelephonistNoAnswer(), TelephonistAnswered("t-2")]
    state = Idle()
    for second, event in enumerate(events):
        state, commands = transition(state, event, at(second))
        assert store.loads(store.dumps(state)) == state
        for command in commands:
            assert store.loads(store.dumps(command)) == command
    state, _ = run(answered())
    assert store.loads(store.dumps(state)) == state


def test_transfer_keys_need_star_digit_extension_and_hash():
    assert typed("*72011#") == [KeyCommand(KeyAction.FOLLOW, "2011")]
    assert typed("*82005#") == [KeyCommand(KeyAction.ATTENDED, "2005")]
    assert typed("*7201#") == [KeyCommand(KeyAction.FOLLOW, "201")]
    assert typed("*72#") == []  # too short for an extension
    assert typed("2011#") == []  # conversation, not a command


def test_single_keys_and_recovery_after_a_mistake():
    assert typed("*1") == [KeyCommand(KeyAction.COMPLETE)]
    assert typed("*0") == [KeyCommand(KeyAction.CANCEL)]
    assert typed("*9*4") == [KeyCommand(KeyAction.REFER)]
    assert typed("**5") == [KeyCommand(KeyAction.MESSAGE)]
