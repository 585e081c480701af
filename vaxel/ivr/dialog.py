"""Asking the caller for keys: the pure state machine behind every menu and number entry.

One ``transition(ask, state, event) -> (state, commands)``; the service plays, stops and
times out as the commands say. The rules from the domain: a key pressed during the prompt
answers at once; invalid or slow input repeats the prompt ``repeats`` times and then falls
through to the caller's default; nothing here ever ends a call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

KEYS = frozenset("0123456789*#")
# The language behind each menu key; Swedish is the default and needs no key.
LANGUAGE_KEYS: Mapping[str, str] = {"1": "en"}
PERSON_KEY = "0"


class Phase(StrEnum):
    PROMPTING = "prompting"
    WAITING = "waiting"
    DONE = "done"


class FellThrough(StrEnum):
    TIMEOUT = "timeout"
    INVALID = "invalid"


@dataclass(frozen=True)
class Ask:
    """What is asked. ``accept`` are the single keys that answer; with ``collect`` the caller
    types several digits ended by '#' (or a pause), e.g. a phone number."""

    accept: frozenset[str] = frozenset()
    collect: bool = False
    timeout_s: float = 4.0
    repeats: int = 1
    max_digits: int = 15


@dataclass(frozen=True)
class AskState:
    phase: Phase = Phase.PROMPTING
    attempt: int = 1
    buffer: str = ""
    answer: str | None = None
    fell_through: FellThrough | None = None


# --- events ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PromptFinished:
    pass


@dataclass(frozen=True)
class Digit:
    digit: str


@dataclass(frozen=True)
class TimedOut:
    pass


AskEvent = PromptFinished | Digit | TimedOut


# --- commands -------------------------------------------------------------------------
@dataclass(frozen=True)
class PlayPrompt:
    attempt: int


@dataclass(frozen=True)
class StopPrompt:
    pass


@dataclass(frozen=True)
class StartTimer:
    seconds: float


@dataclass(frozen=True)
class StopTimer:
    pass


@dataclass(frozen=True)
class Finish:
    answer: str | None
    fell_through: FellThrough | None = None


Command = PlayPrompt | StopPrompt | StartTimer | StopTimer | Finish


def start(ask: Ask) -> tuple[AskState, tuple[Command, ...]]:
    return AskState(), (PlayPrompt(1),)


def transition(ask: Ask, state: AskState, event: AskEvent) -> tuple[AskState, tuple[Command, ...]]:
    if state.phase is Phase.DONE:
        return state, ()  # keys after the answer, e.g. the rest of "9*#77", are ignored
    if isinstance(event, PromptFinished):
        if state.phase is Phase.PROMPTING:
            return replace(state, phase=Phase.WAITING), (StartTimer(ask.timeout_s),)
        return state, ()
    if isinstance(event, TimedOut):
        if state.phase is not Phase.WAITING:
            return state, ()
        if ask.collect and state.buffer:
            return _done(state, state.buffer)
        return _retry(ask, state, FellThrough.TIMEOUT)
    return _digit(ask, state, event.digit)


def _digit(ask: Ask, state: AskState, digit: str) -> tuple[AskState, tuple[Command, ...]]:
    if digit not in KEYS:
        return _retry(ask, state, FellThrough.INVALID)
    if not ask.collect:
        if digit in ask.accept:
            return _done(state, digit)
        return _retry(ask, state, FellThrough.INVALID)
    if digit == "#":
        if state.buffer:
            return _done(state, state.buffer)
        return _retry(ask, state, FellThrough.INVALID)
    if digit == "*":
        return _retry(ask, state, FellThrough.INVALID)
    buffer = state.buffer + digit
    if len(buffer) >= ask.max_digits:
        return _done(state, buffer)
    # The first digit silences the prompt; every digit restarts the pause allowed.
    stop: tuple[Command, ...] = (StopPrompt(),) if state.phase is Phase.PROMPTING else ()
    return (
        replace(state, phase=Phase.WAITING, buffer=buffer),
        (*stop, StartTimer(ask.timeout_s)),
    )


def _done(state: AskState, answer: str) -> tuple[AskState, tuple[Command, ...]]:
    commands = _silence(state)
    done = replace(state, phase=Phase.DONE, answer=answer)
    return done, (*commands, Finish(answer))


def _retry(ask: Ask, state: AskState, why: FellThrough) -> tuple[AskState, tuple[Command, ...]]:
    commands = _silence(state)
    if state.attempt > ask.repeats:
        done = replace(state, phase=Phase.DONE, buffer="", fell_through=why)
        return done, (*commands, Finish(None, why))
    again = AskState(Phase.PROMPTING, state.attempt + 1)
    return again, (*commands, PlayPrompt(again.attempt))


def _silence(state: AskState) -> tuple[Command, ...]:
    return (StopPrompt(),) if state.phase is Phase.PROMPTING else (StopTimer(),)


# --- the entry menu -------------------------------------------------------------------
@dataclass(frozen=True)
class MenuChoice:
    """The menu's result: the caller's language and how they got there."""

    language: str
    by_key: bool


def entry_menu(timeout_s: float, *, open_now: bool) -> Ask:
    """1 = English; 0 = a person (only while someone can answer). Nothing = the default."""
    accept = set(LANGUAGE_KEYS)
    if open_now:
        accept.add(PERSON_KEY)
    return Ask(accept=frozenset(accept), timeout_s=timeout_s)


def menu_choice(answer: str | None, default_language: str) -> MenuChoice:
    if answer is None:
        return MenuChoice(default_language, by_key=False)
    return MenuChoice(LANGUAGE_KEYS.get(answer, default_language), by_key=True)
