"""Shared builders for the handoff tests: a fixed clock and the usual people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from vaxel.handoff.commands import (
    Command,
    EmitEvent,
)
from vaxel.handoff.inputs import (
    DirectoryVerdict,
    Event,
    Reachable,
    Start,
    TargetAnswered,
)
from vaxel.handoff.model import (
    transition,
)
from vaxel.handoff.states import (
    STOCKHOLM,
    Idle,
    Initiator,
    Mode,
    State,
    Target,
)

T0 = datetime(2026, 5, 11, 10, 0, tzinfo=STOCKHOLM)  # a Monday
ANNA = Target("Anna Svensson", "p-anna", "2001", "bygglov", "sbf")
PER = Target("Per Olsson", "p-per", "2002", "bygglov", "sbf")
MOBILE = Target("Anna Svensson mobil", "p-anna", None, "bygglov", "sbf")
DESK, CELL = "PJSIP/2001", "PJSIP/trunk-46701234567"
TELEPHONIST = "t-lisa"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def start(mode: Mode = Mode.FOLLOW, target: Target = ANNA, *, override: bool = False) -> Start:
    return Start(
        handoff_id="h-1",
        mode=mode,
        target=target,
        telephonist=TELEPHONIST,
        initiated_by=Initiator.REFER,
        override=override,
    )


def run(events: Sequence[Event], state: State | None = None) -> tuple[State, list[Command]]:
    """Apply events one second apart; return the final state and the last commands."""
    state = Idle() if state is None else state
    commands: list[Command] = []
    for second, event in enumerate(events):
        state, commands = transition(state, event, at(second))
    return state, commands


def ring(mode: Mode = Mode.FOLLOW, colleague: str | None = None) -> list[Event]:
    return [start(mode), DirectoryVerdict(Reachable((DESK, CELL)), colleague)]


def answered(mode: Mode = Mode.FOLLOW) -> list[Event]:
    return [*ring(mode), TargetAnswered(DESK)]


def emitted(commands: Sequence[Command]) -> list[EmitEvent]:
    return [c for c in commands if isinstance(c, EmitEvent)]
