"""The site file: the example loads, and every kind of mistake names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaxel.config import ConfigError, load_site_config

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exempelkommun.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def broken(tmp_path: Path, old: str, new: str) -> ConfigError:
    text = EXAMPLE.read_text()
    assert old in text
    path = write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    return caught.value


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_example_site_has_merged_queue_four_offices_and_phone_hours():
    config = load_site_config(EXAMPLE)
    by_name = {n.name: n for n in config.numbers}
    assert by_name["switchboard"].queue == by_name["centre"].queue == "centre"
    assert {o.name for o in config.offices} == {"dalby", "genarp", "sodra-sandby", "veberod"}
    assert config.schedules["bygglov"].weekly["mon"] == ["10:00-12:00"]
    assert config.schedules["centre"].weekly["fri"] == ["08:00-16:00"]


def test_bad_period_names_file_line_and_field(tmp_path):
    error = broken(tmp_path, 'weekly.fri = ["08:00-16:00"]', 'weekly.fri = ["08:00-26:00"]')
    assert error.path == tmp_path / "site.toml"
    assert error.field == "schedules.centre.weekly.fri.0"
    assert error.line == line_of(error.path, "08:00-26:00")
    assert "08:00-26:00" in str(error) and str(error).startswith(f"{error.path}:{error.line}: ")


def test_bad_number_in_array_table_points_at_its_line(tmp_path):
    error = broken(tmp_path, 'e164 = "+46406280410"', 'e164 = "040-628 04 10"')
    assert error.field == "numbers.1.e164"
    assert error.line == line_of(error.path, "040-628 04 10")


def test_unknown_field_is_refused_with_its_name(tmp_path):
    error = broken(tmp_path, "max_wait_s = 900", "max_wait_s = 900\nmax_wiat = 3")
    assert error.field == "queues.0.max_wiat"
    assert "Extra inputs are not permitted" in error.reason
    assert error.line == line_of(error.path, "max_wiat")


def test_reference_to_unknown_queue_is_explained(tmp_path):
    error = broken(tmp_path, 'queue = "bygglov"', 'queue = "bygglof"')
    assert "unknown queue 'bygglof'" in error.reason


def test_toml_syntax_error_gives_line(tmp_path):
    path = write(tmp_path, '[site]\nname = "x"\nbroken = \n')
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    assert caught.value.line == 3
    assert "not valid TOML" in str(caught.value)


def test_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_site_config(tmp_path / "nope.toml")


def test_relative_sqlite_path_is_resolved_beside_the_site_file(tmp_path):
    path = write(tmp_path, EXAMPLE.read_text())
    config = load_site_config(path)
    assert config.database.url == f"sqlite:///{(tmp_path / '../var/vaxel.db').resolve()}"


def test_full_queue_destination_must_be_a_known_queue_or_message_or_closed(tmp_path):
    error = broken(
        tmp_path,
        'overflow = "queue:centre"',
        'overflow = "queue:centre"\nwhen_full = "queue:nowhere"',
    )
    assert "when_full to unknown queue 'nowhere'" in error.reason
    error = broken(
        tmp_path, 'overflow = "queue:centre"', 'overflow = "queue:centre"\nwhen_full = "hangup"'
    )
    assert "'hangup' is not 'message', 'closed' or 'queue:<name>'" in error.reason


def test_nobody_logged_in_rule_is_admit_or_a_known_destination(tmp_path):
    error = broken(
        tmp_path,
        'overflow = "queue:centre"',
        'overflow = "queue:centre"\nwhen_nobody_logged_in = "queue:nowhere"',
    )
    assert "when_nobody_logged_in to unknown queue 'nowhere'" in error.reason
    error = broken(
        tmp_path,
        'overflow = "queue:centre"',
        'overflow = "queue:centre"\nwhen_nobody_logged_in = "refuse"',
    )
    assert "'refuse' is not 'message', 'closed' or 'queue:<name>'" in error.reason
    assert error.field.endswith("when_nobody_logged_in")
