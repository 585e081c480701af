"""The EY audit (Lund, 2017) reproduced from 48 hand-built contacts.

EY's text says 11 of 26 transfers were answered, but its own table has 10 calls answered by
a case officer after transfer (2 + 8); the table is what the report must reproduce, so
these contacts have 26 transfers of which 10 were answered. Likewise the text's "23 % told
to call in phone hours" and "83 % answered at the centre" do not follow from the table
(10/48 = 21 %, 14/17 = 82 %), so only the table and the 44 % are asserted.
"""

from stats_builders import answered, contact, queue, talk, transferred

from vaxel.stats.aggregates import aggregate
from vaxel.stats.figures import audit_table, transfer_figures
from vaxel.stats.model import Contact, Outcome, StintOutcome, WrapUp

CENTRE, SWITCHBOARD = "centre", "switchboard"


def no_answer_after_transfer(number: str) -> Contact:
    return transferred(False, WrapUp.TRANSFERRED, number=number)


def phone_hours_without_transfer(number: str) -> Contact:
    return contact(
        queue(0, 10, StintOutcome.ANSWERED),
        talk(10, 40),
        number=number,
        wrap_up=WrapUp.REFERRED_TO_PHONE_HOURS,
    )


def ey_contacts() -> list[Contact]:
    to_centre = (
        [answered(20, WrapUp.ANSWERED_DIRECTLY, number=CENTRE)] * 12
        + [transferred(True, WrapUp.TRANSFERRED, number=CENTRE)] * 2
        + [phone_hours_without_transfer(CENTRE)] * 2
        + [no_answer_after_transfer(CENTRE)] * 1
    )
    to_switchboard = (
        [answered(20, WrapUp.ANSWERED_DIRECTLY, number=SWITCHBOARD)] * 5
        + [transferred(True, WrapUp.TRANSFERRED, number=SWITCHBOARD)] * 8
        + [transferred(False, WrapUp.REFERRED_TO_PHONE_HOURS, number=SWITCHBOARD)] * 5
        + [phone_hours_without_transfer(SWITCHBOARD)] * 3
        + [no_answer_after_transfer(SWITCHBOARD)] * 10
    )
    return to_centre + to_switchboard


EY_TABLE = {
    # outcome: (to centre, % of 17, to switchboard, % of 31)
    Outcome.ANSWERED_BY_CENTRE: (12, 71, 0, 0),
    Outcome.ANSWERED_BY_SWITCHBOARD: (0, 0, 5, 16),
    Outcome.ANSWERED_BY_OFFICER_AFTER_TRANSFER: (2, 12, 8, 26),
    Outcome.REFERRED_TO_PHONE_HOURS: (2, 12, 8, 26),
    Outcome.NO_ANSWER: (1, 6, 10, 32),
}


def test_audit_table_reproduces_every_cell_of_the_ey_table():
    table = audit_table(aggregate(ey_contacts()), numbers=[CENTRE, SWITCHBOARD])
    assert table.totals == {CENTRE: 17, SWITCHBOARD: 31}
    for outcome, (centre, centre_pct, switchboard, switchboard_pct) in EY_TABLE.items():
        assert table.count(outcome, CENTRE) == centre, outcome
        assert table.count(outcome, SWITCHBOARD) == switchboard, outcome
        assert round(100 * (table.share(outcome, CENTRE) or 0)) == centre_pct, outcome
        assert round(100 * (table.share(outcome, SWITCHBOARD) or 0)) == switchboard_pct, outcome
    for outcome in set(Outcome) - set(EY_TABLE):
        assert table.count(outcome, CENTRE) == table.count(outcome, SWITCHBOARD) == 0


def test_ey_headline_figures_follow_from_the_same_contacts():
    contacts = ey_contacts()
    table = audit_table(aggregate(contacts), numbers=[CENTRE, SWITCHBOARD])

    def both(outcome: Outcome) -> int:
        return table.count(outcome, CENTRE) + table.count(outcome, SWITCHBOARD)

    no_answer_to_question = both(Outcome.NO_ANSWER) + both(Outcome.REFERRED_TO_PHONE_HOURS)
    assert round(100 * no_answer_to_question / 48) == 44
    (overall,) = transfer_figures(aggregate(contacts), "all")
    assert (overall.attempted, overall.answered) == (26, 10)


def test_audit_table_columns_default_to_every_number_seen():
    table = audit_table(aggregate(ey_contacts()))
    assert table.numbers == (CENTRE, SWITCHBOARD)
    assert table.share(Outcome.CLOSED, "office-dalby") is None
