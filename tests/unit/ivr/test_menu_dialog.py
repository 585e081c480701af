"""The key-entry state machine: digits, repeats, fall-through, number entry. Pure."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vaxel.ivr.dialog import (
    Ask,
    AskState,
    Digit,
    FellThrough,
    Finish,
    Phase,
    PlayPrompt,
    PromptFinished,
    StartTimer,
    StopPrompt,
    StopTimer,
    TimedOut,
    entry_menu,
    menu_choice,
    start,
    transition,
)

MENU = entry_menu(4.0, open_now=True)


def run(ask: Ask, events: list) -> tuple[AskState, list]:
    state, commands = start(ask)
    seen = list(commands)
    for event in events:
        state, commands = transition(ask, state, event)
        seen.extend(commands)
    return state, seen


def test_a_valid_key_during_the_prompt_stops_it_and_answers_at_once() -> None:
    state, commands = run(MENU, [Digit("1")])
    assert state.answer == "1"
    assert commands == [PlayPrompt(1), StopPrompt(), Finish("1")]


def test_a_valid_key_after_the_prompt_answers_and_stops_the_timer() -> None:
    state, commands = run(MENU, [PromptFinished(), Digit("0")])
    assert state.phase is Phase.DONE and state.answer == "0"
    assert commands == [PlayPrompt(1), StartTimer(4.0), StopTimer(), Finish("0")]


def test_silence_repeats_the_prompt_once_then_falls_through_to_the_default() -> None:
    state, commands = run(MENU, [PromptFinished(), TimedOut(), PromptFinished(), TimedOut()])
    assert state.answer is None and state.fell_through is FellThrough.TIMEOUT
    assert commands.count(PlayPrompt(2)) == 1
    assert commands[-1] == Finish(None, FellThrough.TIMEOUT)
    assert menu_choice(state.answer, "sv").language == "sv"


def test_an_invalid_key_repeats_the_prompt_and_a_second_one_falls_through() -> None:
    state, commands = run(MENU, [Digit("9"), Digit("*")])
    assert commands == [
        PlayPrompt(1),
        StopPrompt(),
        PlayPrompt(2),
        StopPrompt(),
        Finish(None, FellThrough.INVALID),
    ]
    assert state.phase is Phase.DONE


def test_keys_after_the_answer_are_ignored() -> None:
    state, commands = run(MENU, [Digit("9"), Digit("*"), Digit("#"), Digit("7"), Digit("7")])
    assert commands[-1] == Finish(None, FellThrough.INVALID)
    assert state.answer is None


def test_a_valid_key_on_the_repeat_still_counts() -> None:
    state, _ = run(MENU, [Digit("5"), Digit("1")])
    assert state.answer == "1"
    assert menu_choice(state.answer, "sv").language == "en"


def test_zero_is_no_choice_while_closed_because_nobody_can_answer() -> None:
    closed = entry_menu(4.0, open_now=False)
    state, _ = run(closed, [Digit("0"), Digit("0")])
    assert state.answer is None and state.fell_through is FellThrough.INVALID


def test_zero_keeps_the_default_language() -> None:
    choice = menu_choice("0", "sv")
    assert choice.language == "sv" and choice.by_key


def test_a_stale_prompt_finished_while_waiting_changes_nothing() -> None:
    state, commands = run(MENU, [PromptFinished(), PromptFinished()])
    assert state.phase is Phase.WAITING
    assert commands == [PlayPrompt(1), StartTimer(4.0)]


NUMBER = Ask(collect=True, timeout_s=6.0, max_digits=15)


def test_a_number_is_collected_until_the_hash_key() -> None:
    keys = [Digit(d) for d in "0701740650#"]
    state, commands = run(NUMBER, keys)
    assert state.answer == "0701740650"
    assert commands[:3] == [PlayPrompt(1), StopPrompt(), StartTimer(6.0)]
    assert commands[-1] == Finish("0701740650")


def test_a_pause_after_digits_ends_the_number() -> None:
    state, _ = run(NUMBER, [Digit("0"), Digit("7"), TimedOut()])
    assert state.answer == "07"


def test_a_hash_alone_or_a_star_asks_again() -> None:
    state, _ = run(NUMBER, [Digit("#")])
    assert state.phase is Phase.PROMPTING and state.attempt == 2
    state, _ = run(NUMBER, [Digit("1"), Digit("*"), Digit("2"), Digit("#")])
    assert state.answer == "2"


def test_the_number_ends_by_itself_at_the_longest_allowed_length() -> None:
    state, _ = run(Ask(collect=True, max_digits=4), [Digit(d) for d in "123456"])
    assert state.answer == "1234"


@given(
    st.lists(
        st.one_of(
            st.builds(Digit, st.sampled_from(list("0123456789*#ABx"))),
            st.just(PromptFinished()),
            st.just(TimedOut()),
        ),
        max_size=30,
    )
)
def test_any_input_ends_in_an_answer_or_a_fall_through_never_anything_else(events) -> None:
    for ask in (MENU, NUMBER):
        state, commands = run(ask, events)
        finishes = [c for c in commands if isinstance(c, Finish)]
        assert len(finishes) <= 1
        assert state.attempt <= ask.repeats + 1
        if state.phase is Phase.DONE:
            assert (state.answer is None) != (state.fell_through is None)
            assert finishes
        if finishes and finishes[0].answer is not None and not ask.collect:
            assert finishes[0].answer in ask.accept
