"""`vaxel config check` refuses what would only fail at run time, at the right line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaxel.config import ConfigError, load_site_config
from vaxel.config_locate import locate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exempelkommun.toml"
DALBY_ROSTER = 'roster = { mon = "+46701740605"'
EXCEPTIONS = '  { date = 2026-12-23, periods = ["08:00-15:00"], reason = "Dagen före julafton" },\n'


def broken(tmp_path: Path, old: str, new: str) -> ConfigError:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / "site.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    error = caught.value
    assert str(error).startswith(f"{path}:{error.line}: {error.field}: "), str(error)
    return error


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    found = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return found[nth]


def test_the_example_site_file_still_passes():
    assert load_site_config(EXAMPLE).offices[0].roster["mon"] == "+46701740605"


@pytest.mark.parametrize(
    ("number", "reason"),
    [("+46900123456", "premium-rate"), ("+88234567890", "international"),
     ("+46118118", "premium-rate")],
)  # fmt: skip
def test_a_roster_number_the_policy_refuses_is_refused_at_its_line(tmp_path, number, reason):
    error = broken(tmp_path, DALBY_ROSTER, f'roster = {{ mon = "{number}"')
    assert error.field == "offices.0.roster.mon"
    assert reason in error.reason
    assert error.line == line_of(error.path, number)


@pytest.mark.parametrize("e164", ["+46٤٠٦٢٨٠٤٠٠", "+46４０６２８０４００", "+46406280400\n"])
def test_a_published_number_in_other_digits_is_refused(tmp_path, e164):
    escaped = e164.replace("\n", "\\n")
    error = broken(tmp_path, 'e164 = "+46406280400"', f'e164 = "{escaped}"')
    assert error.field == "numbers.0.e164"
    assert error.line == line_of(error.path, escaped)


def test_a_roster_number_in_arabic_indic_digits_is_refused(tmp_path):
    error = broken(tmp_path, DALBY_ROSTER, 'roster = { mon = "+46٧٠١٧٤٠٦٠٥"')
    assert error.field == "offices.0.roster"


def test_overlapping_weekly_periods_are_refused_naming_both(tmp_path):
    error = broken(tmp_path, 'weekly.mon = ["10:00-12:00"]',
                   'weekly.mon = ["10:00-12:00", "11:30-13:00"]')  # fmt: skip
    assert error.field == "schedules.bygglov.weekly.mon.1"
    assert "'10:00-12:00' and '11:30-13:00' overlap" in error.reason
    assert error.line == line_of(error.path, "11:30-13:00")


def test_periods_that_only_touch_do_not_overlap(tmp_path):
    text = EXAMPLE.read_text().replace('weekly.mon = ["10:00-12:00"]',
                                       'weekly.mon = ["10:00-12:00", "12:00-13:00"]', 1)  # fmt: skip
    path = tmp_path / "site.toml"
    path.write_text(text)
    assert load_site_config(path).schedules["bygglov"].weekly["mon"][1] == "12:00-13:00"


def test_two_exceptions_on_the_same_date_are_refused_at_the_second(tmp_path):
    second = '  { date = 2026-12-23, periods = ["10:00-12:00"], reason = "Personalmöte" },\n'
    error = broken(tmp_path, EXCEPTIONS, EXCEPTIONS + second)
    assert error.field == "schedules.centre.exceptions.1.date"
    assert "2026-12-23 has an exception already (exceptions.0)" in error.reason
    assert error.line == line_of(error.path, "Personalmöte")


def test_an_error_inside_an_array_points_at_the_elements_own_line(tmp_path):
    second = '  { date = 2026-12-24, periods = ["08:00-26:00"] },\n'
    error = broken(tmp_path, EXCEPTIONS, EXCEPTIONS + second)
    assert error.field == "schedules.centre.exceptions.1.periods.0"
    assert error.line == line_of(error.path, "08:00-26:00")


def test_an_error_in_a_multi_line_list_points_at_the_value(tmp_path):
    error = broken(tmp_path, 'weekly.fri = ["08:00-16:00"]\nexceptions',
                   'weekly.fri = [\n  "08:00-12:00",\n  "13:00-16:00",\n  "16:00-15:00",\n]\nexceptions')  # fmt: skip
    assert error.field == "schedules.centre.weekly.fri.2"
    assert error.line == line_of(error.path, "16:00-15:00")


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ('queue = "bygglov"', 'queue = "bygglof"', "numbers.2.queue", "bygglof"),
        ('office = "genarp"', 'office = "genarb"', "numbers.4.office", "genarb"),
        ('overflow = "queue:centre"', 'overflow = "queue:central"', "queues.1.overflow",
         "queue:central"),
        ("queues = { centre = 0, bygglov = 1 }", "queues = { centre = 0, bygglof = 1 }",
         "telephonists.2.queues.bygglof", "bygglof"),
        ('schedule = "lss"', 'schedule = "lsss"', "queues.2.schedule", "lsss"),
        ('name = "genarp"', 'name = "dalby"', "offices.1.name", 'name = "dalby"'),
        ('id = "t1002"', 'id = "t1001"', "telephonists.1.id", 'id = "t1001"'),
    ],
)  # fmt: skip
def test_a_wrong_cross_reference_gives_file_line_and_field(tmp_path, old, new, field, needle):
    error = broken(tmp_path, old, new)
    assert error.field == field
    # The last line with it: for a duplicate, the second one is the mistake.
    assert error.line == line_of(error.path, needle, -1)


def test_returned_calls_must_wait_in_a_known_queue(tmp_path):
    error = broken(tmp_path, "[asterisk]", '[handoff]\nqueue = "vaxel"\n\n[asterisk]')
    assert error.field == "handoff.queue"


def test_the_locator_reads_nested_arrays_strings_and_comments():
    text = (
        "[a]\n"
        'x = [ # a comment with ] and ,\n'
        '  "one, ]",\n'
        "  { k = [1,\n"
        "         2] },\n"
        '  """multi\n'
        '  line""",\n'
        "]\n"
        "y = 3\n"
    )  # fmt: skip
    assert locate(text, ("a", "x", 0)) == 3
    assert locate(text, ("a", "x", 1, "k")) == 4
    assert locate(text, ("a", "x", 1, "k", 1)) == 5
    assert locate(text, ("a", "x", 2)) == 6
    assert locate(text, ("a", "y")) == 9
