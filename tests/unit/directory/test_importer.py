from dataclasses import replace

from vaxel.directory.importer import (
    COLUMNS,
    StoredPerson,
    apply_plan,
    parse_directory_csv,
    plan_import,
)
from vaxel.numbers import NumberPolicy

POLICY = NumberPolicy()
HEADER = ",".join(COLUMNS)
GOOD = [
    "E1,Karin Östberg,Torghandelsansvarig,Tekniska förvaltningen,Torghandel,,2005,070-174 06 04,karin.ostberg@kommun.example,no,torghandel;uteservering,email",
    "E2,Per Åberg,Handläggare,Tekniska förvaltningen,Torghandel,,2006,,per.aberg@kommun.example,ja,torghandel,webhook",
    "E3,Eva Sjöberg,Bygglovshandläggare,Stadsbyggnadskontoret,Bygglovsenheten,Bygglov,2007,,,,bygglov,",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def parse(*rows: str):
    return parse_directory_csv(csv_text(*rows), POLICY)


def test_the_example_file_imports_cleanly(example_file):
    assert example_file.problems == ()
    rows = example_file.rows
    assert 280 <= len(rows) <= 320
    assert [r.extension for r in rows[:20]] == [str(n) for n in range(2001, 2021)]
    assert all(len(r.extension) == 4 for r in rows)
    mobiles = [r.mobile for r in rows if r.mobile]
    assert all("+46701740600" <= m <= "+46701740699" for m in mobiles)
    assert len(mobiles) == len(set(mobiles))
    assert any(r.name == "Karin Östberg" for r in rows)
    assert len({r.department for r in rows}) == 9
    keywords = {k for r in rows for k in r.keywords}
    for topic in (
        "torghandel",
        "bygglov",
        "färdtjänst",
        "skolskjuts",
        "bostadsanpassning",
        "ekonomiskt bistånd",
        "LSS",
    ):
        assert topic in keywords


def test_valid_rows_are_normalised():
    parsed = parse(*GOOD)
    assert parsed.ok
    karin, per, eva = parsed.rows
    assert karin.mobile == "+46701740604"
    assert karin.keywords == ("torghandel", "uteservering")
    assert per.number_hidden is True and per.message_channel == "webhook"
    assert eva.email is None and eva.group == "Bygglov" and eva.message_channel == "email"


def test_bad_rows_are_reported_with_line_number_and_reason():
    rows = [
        *GOOD,  # lines 2-4
        "E4,Anna A,,Dept,Unit,,20a1,,,,,",  # 5
        "E5,Bo B,,Dept,Unit,,2010,0900123456,,,,",  # 6
        "E6,Cia C,,Dept,Unit,,2011,+88234567890,,,,",  # 7
        "E1,Dan D,,Dept,Unit,,2012,,,,,",  # 8
        "E7,Eva E,,Dept,Unit,,2005,,,,,",  # 9
        "E8,,,Dept,Unit,,2013,,,,,",  # 10
        "E9,Fia F,,Dept,Unit,,2014,,not-an-email,,,",  # 11
        "E10,Gun G,,Dept,Unit,,2015,,,maybe,,",  # 12
        "E11,Hans H,,Dept,Unit,,2016,,,,,sms",  # 13
        "E12,Ida I,,Dept,Unit,,2017",  # 14
        ",Jan J,,Dept,Unit,,2018,,,,,",  # 15
        "E13,Kim K,,Dept,Unit,,123&PJSIP/evil,,,,,",  # 16
        "E14,Lo L,,,Unit,,2019,,,,,",  # 17
    ]
    parsed = parse(*rows)
    assert [r.employee_id for r in parsed.rows] == ["E1", "E2", "E3"]
    problems = {p.line: p.reason for p in parsed.problems}
    assert problems == {
        5: "bad extension '20a1': it must be 3-6 digits",
        6: "bad mobile '0900123456': +46900123456 is a premium-rate or service number and cannot be called",
        7: "bad mobile '+88234567890': +88234567890 is an international number, which is not allowed here",
        8: "employee_id E1 is already used on line 2",
        9: "extension 2005 is already used on line 2",
        10: "missing name",
        11: "bad email 'not-an-email'",
        12: "number_hidden 'maybe' must be yes/no, ja/nej or 1/0",
        13: "message_channel 'sms' must be email or webhook",
        14: "has 7 fields, the header has 12",
        15: "missing employee_id",
        16: "bad extension '123&PJSIP/evil': it must be 3-6 digits",
        17: "missing department",
    }
    assert str(parsed.problems[0]) == "line 5: bad extension '20a1': it must be 3-6 digits"


def test_line_numbers_count_physical_lines_of_quoted_fields():
    rows = ['E1,"Karin\nÖstberg",,Dept,Unit,,2005,,,,,', "E2,Per,,Dept,Unit,,20x6,,,,,"]
    problems = parse(*rows).problems
    assert [(p.line, p.reason) for p in problems] == [
        (2, "name contains a control character or line break"),
        (4, "bad extension '20x6': it must be 3-6 digits"),
    ]


def test_unknown_or_missing_columns_stop_the_import():
    parsed = parse_directory_csv(csv_text(GOOD[0] + ",x", header=HEADER + ",mobil"), POLICY)
    assert parsed.rows == ()
    assert parsed.problems[0].line == 1 and "unknown column(s) mobil" in parsed.problems[0].reason
    parsed = parse_directory_csv("employee_id,name\nE1,Karin\n", POLICY)
    assert "missing required column(s) department, extension, unit" in parsed.problems[0].reason


def test_semicolon_separated_export_with_bom_is_read():
    header = ";".join(COLUMNS)
    row = 'E1;Karin Östberg;;Tekniska;Torg;;2005;;;;"torghandel;uteservering";'
    parsed = parse_directory_csv("\ufeff" + header + "\n" + row + "\n", POLICY)
    assert parsed.ok and parsed.rows[0].keywords == ("torghandel", "uteservering")


def test_blank_lines_and_empty_file():
    assert len(parse(GOOD[0], "", GOOD[1]).rows) == 2
    assert parse_directory_csv("", POLICY).problems[0].reason == "the file is empty"


# --- plan --------------------------------------------------------------------------------


def stored(parsed) -> dict[str, StoredPerson]:
    return apply_plan({}, plan_import(parsed, {}))


def test_first_import_creates_everyone_and_a_second_changes_nothing(example_file):
    plan = plan_import(example_file, {})
    assert len(plan.create) == len(example_file.rows)
    current = apply_plan({}, plan)
    again = plan_import(example_file, current)
    assert again.is_empty
    assert len(again.unchanged) == len(example_file.rows)
    assert apply_plan(current, again) == current


def test_changed_fields_are_listed_in_an_update():
    current = stored(parse(*GOOD))
    moved = GOOD[0].replace("2005", "2099").replace("Torghandelsansvarig", "Enhetschef")
    plan = plan_import(parse(moved, *GOOD[1:]), current)
    [update] = plan.update
    assert update.after.employee_id == "E1"
    assert update.changed == ("title", "extension")
    assert sorted(plan.unchanged) == ["E2", "E3"]
    assert plan_import(parse(moved, *GOOD[1:]), apply_plan(current, plan)).is_empty


def test_removed_people_are_deactivated_not_deleted_and_come_back_on_reimport():
    current = stored(parse(*GOOD))
    plan = plan_import(parse(*GOOD[:2]), current)
    assert plan.deactivate == ("E3",)
    after = apply_plan(current, plan)
    assert after["E3"].active is False and after["E3"].person == current["E3"].person
    assert plan_import(parse(*GOOD[:2]), after).is_empty
    back = plan_import(parse(*GOOD), after)
    assert [(u.after.employee_id, u.changed) for u in back.update] == [("E3", ("active",))]


def test_a_bad_row_never_deactivates_its_person():
    current = stored(parse(*GOOD))
    broken = GOOD[2].replace("2007", "20x7")
    plan = plan_import(parse(*GOOD[:2], broken), current)
    assert plan.deactivate == ()
    assert plan.skipped == ("E3",)
    assert apply_plan(current, plan)["E3"] == current["E3"]


def test_a_truncated_export_is_flagged():
    current = stored(parse(*GOOD))
    assert plan_import(parse(GOOD[0]), current).looks_truncated()
    assert not plan_import(parse(*GOOD), current).looks_truncated()


def test_inactive_people_missing_from_the_file_stay_as_they_are():
    current = stored(parse(*GOOD))
    current["E3"] = replace(current["E3"], active=False)
    plan = plan_import(parse(*GOOD[:2]), current)
    assert plan.is_empty
