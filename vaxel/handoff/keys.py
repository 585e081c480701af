"""Keys a telephonist presses during a call, decided without I/O.

Dialled on the telephonist's own phone while talking to the caller (RFC 4733 DTMF; the
caller cannot trigger them, only the telephonist's leg is listened to):

==================  ===================================================================
``*7<ext>#``        follow the call to extension ``<ext>`` (the default mode): the caller
                    holds, the target's phones ring, you are free at once; if nobody
                    answers the call comes back to you
``*8<ext>#``        attended: you talk to the target first, the caller holds
``*1``              (attended, talking to the target) complete: caller and target connected
``*0``              (attended) cancel: back to the caller
``*4``              (the call came back, for any reason) refer to phone hours: the caller
                    hears when the target answers next, and may press 1 to leave a
                    message instead; with no phone hours ahead you hear so and keep
                    the caller
``*5``              (the call came back) let the caller record a message by voice
==================  ===================================================================

An extension is 3-6 digits. A key sequence not finished within the digit timeout is
dropped. These are in-call keys; the queue's ``*2x`` codes are dialled as separate calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_TRANSFER = re.compile(r"\*([78])([0-9]{3,6})#")
MAX_KEYS = 10


class KeyAction(StrEnum):
    FOLLOW = "follow"
    ATTENDED = "attended"
    COMPLETE = "complete"
    CANCEL = "cancel"
    REFER = "refer"
    MESSAGE = "message"


_SINGLE = {"*1": KeyAction.COMPLETE, "*0": KeyAction.CANCEL, "*4": KeyAction.REFER,
           "*5": KeyAction.MESSAGE}  # fmt: skip


@dataclass(frozen=True)
class KeyCommand:
    action: KeyAction
    extension: str = ""


@dataclass(frozen=True)
class Pressed:
    typed: str  # what is still being collected ("" when idle)
    command: KeyCommand | None = None


def press(typed: str, digit: str) -> Pressed:
    """One more key; a finished sequence returns its command and starts over."""
    if not typed and digit != "*":
        return Pressed("")  # keys outside a sequence are conversation, not commands
    typed = "*" if digit == "*" and typed in ("", "*") else typed + digit
    if typed in _SINGLE:
        return Pressed("", KeyCommand(_SINGLE[typed]))
    match = _TRANSFER.fullmatch(typed)
    if match:
        action = KeyAction.FOLLOW if match.group(1) == "7" else KeyAction.ATTENDED
        return Pressed("", KeyCommand(action, match.group(2)))
    if typed.endswith("#") or len(typed) > MAX_KEYS or not re.fullmatch(r"\*([78][0-9]*)?", typed):
        return Pressed("")
    return Pressed(typed)
