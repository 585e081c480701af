"""Extensions, forward targets and phone hours take the digits 0-9 only, with nothing after."""

from __future__ import annotations

import pytest

from tests.unit.directory.dir_app import KARIN, make_app
from vaxel.directory.forwarding import TargetRefused, validate_forward_target
from vaxel.directory.importer import COLUMNS, parse_directory_csv
from vaxel.directory.model import Person, parse_period
from vaxel.numbers import NumberPolicy

POLICY = NumberPolicy()
ROW = "E1,Karin Östberg,Torghandelsansvarig,Tekniska förvaltningen,Torghandel,,{ext},{mobile},,no,,email"


def imported(extension: str = "2005", mobile: str = ""):  # type: ignore[no-untyped-def]
    text = ",".join(COLUMNS) + "\n" + ROW.format(ext=extension, mobile=mobile) + "\n"
    return parse_directory_csv(text, POLICY)


@pytest.mark.parametrize("extension", ["٢٠٠٥", "２００５", "20\u00b2"])
def test_the_csv_import_refuses_an_extension_in_another_scripts_digits(extension):
    parsed = imported(extension=extension)
    assert parsed.rows == ()
    assert [p.line for p in parsed.problems] == [2]
    assert "extension" in parsed.problems[0].reason


def test_the_csv_import_refuses_a_mobile_in_arabic_indic_digits():
    parsed = imported(mobile="+46٧٠١٧٤٠٦٠٤")
    assert parsed.rows == ()
    assert "mobile" in parsed.problems[0].reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("extension", "٢٠٠٥"), ("extension", "2005\n"), ("mobile", "+46701740604\n"),
     ("mobile", "+46٧٠١٧٤٠٦٠٤"), ("desk_endpoint", "PJSIP/2005\n")],
)  # fmt: skip
def test_a_person_with_a_non_ascii_or_newline_number_cannot_exist(field, value):
    values = {"extension": "2005", field: value}
    with pytest.raises(ValueError):
        Person("E1", "Karin", "", "torg", **values)


@pytest.mark.parametrize("target", ["+46٩٠٠١٢٣٤٥٦", "+46９００１２３４５６", "+46701740605\n"])
def test_a_forward_to_a_number_in_other_digits_is_refused(target):
    with pytest.raises(TargetRefused):
        validate_forward_target("mobile", target, {"2005", "2006"}, POLICY)


@pytest.mark.parametrize("target", ["٢٠٠٦", "２００６"])
def test_a_forward_to_an_extension_in_other_digits_is_refused_even_if_it_would_match(target):
    # The known extensions are what the import stored, so they are ASCII; the check must
    # not depend on that.
    with pytest.raises(TargetRefused):
        validate_forward_target("extension", target, {"2006", target}, POLICY)


@pytest.mark.parametrize("period", ["١٠:٠٠-١٢:٠٠", "10:00-12:00\n"])
def test_phone_hours_in_other_digits_or_with_a_newline_are_refused(period):
    with pytest.raises(ValueError):
        parse_period(period)


def test_the_api_refuses_a_premium_forward_in_arabic_indic_digits_and_stores_nothing(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    reply = app.client.put(
        "/api/v1/directory/people/me/forwards/unconditional",
        json={"target_kind": "mobile", "target": "+46٩٠٠١٢٣٤٥٦"},
        headers=app.bearer("karin"),
    )
    assert reply.status_code == 400 and reply.json()["error"] == "target_refused"
    assert app.service.settings(KARIN).forwards == ()
    app.client.close()
