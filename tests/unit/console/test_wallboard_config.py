"""The site file's [wallboard] section: sensible defaults, and mistakes named by file, line
and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaxel.config import ConfigError, load_site_config

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "exempelkommun.toml"


def broken(tmp_path: Path, old: str, new: str) -> tuple[ConfigError, Path]:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / "site.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    return caught.value, path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_example_documents_the_wallboard_with_its_defaults():
    wallboard = load_site_config(EXAMPLE).wallboard
    assert wallboard.service_level_60.warn == 80 and wallboard.service_level_60.alarm == 60
    assert wallboard.colours.alarm == "#a4001d" and wallboard.queues == []


def test_limits_in_the_wrong_order_name_the_line_and_the_field(tmp_path):
    error, path = broken(tmp_path, "waiting = { warn = 3, alarm = 8 }",
                         "waiting = { warn = 9, alarm = 8 }")  # fmt: skip
    assert error.field == "wallboard.waiting"
    assert error.line == line_of(path, "waiting = { warn = 9")
    assert "alarm (8) must not be below warn (9)" in str(error)
    assert str(error).startswith(f"{path}:{error.line}: wallboard.waiting: ")


def test_service_level_limits_are_floors_in_per_cent(tmp_path):
    error, _ = broken(tmp_path, "service_level_60 = { warn = 80, alarm = 60 }",
                      "service_level_60 = { warn = 60, alarm = 80 }")  # fmt: skip
    assert error.field == "wallboard.service_level_60" and "higher service level" in error.reason
    error, _ = broken(tmp_path, "service_level_120 = { warn = 90, alarm = 75 }",
                      "service_level_120 = { warn = 0.9, alarm = 75 }")  # fmt: skip
    assert "higher service level is better" in error.reason
    error, _ = broken(tmp_path, "service_level_120 = { warn = 90, alarm = 75 }",
                      "service_level_120 = { warn = 190, alarm = 75 }")  # fmt: skip
    assert "per cent" in error.reason


def test_a_colour_too_light_for_white_text_is_refused(tmp_path):
    error, path = broken(tmp_path, 'warn = "#8a4b00"', 'warn = "#ffbf47"')
    assert error.field == "wallboard.colours.warn" and error.line == line_of(path, "#ffbf47")
    assert "contrast" in error.reason and "4.5:1" in error.reason
    error, _ = broken(tmp_path, 'ok = "#1c6b2e"', 'ok = "green"')
    assert "not a colour" in error.reason


def test_an_unknown_queue_on_the_wallboard_is_refused(tmp_path):
    error, _ = broken(tmp_path, "queues = []            #", 'queues = ["nope"]  #')
    assert "wallboard: shows unknown queue 'nope'" in str(error)


def test_an_unknown_wallboard_setting_is_refused(tmp_path):
    error, path = broken(tmp_path, "stats_refresh_s = 5", "stats_refresh = 5")
    assert error.field == "wallboard.stats_refresh" and error.line == line_of(
        path, "stats_refresh ="
    )
