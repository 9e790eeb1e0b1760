"""The loaded plan matches the adopted plan (../shared/seeds) in every activity, amount, date, link and flag."""

from datetime import date

import pytest

from mobility.cli import activities_json
from mobility.plan import parse_month, parse_resources

TODAY = date(2026, 11, 28)

# code: (section, goals as written, start, end, budget SEK, links, decided) — read off the plan by hand.
PLAN = {
    "A1": ("A", ["A"], "2016-02", "2017-02", 100_000, ["A2", "B2"], True),
    "A2": ("A", ["A"], "2016-10", None, 30_000, ["A1", "B2"], True),
    "A3": ("A", ["A"], "2017-01", None, 37_500, ["A1", "A2"], True),
    "A4": ("A", ["A"], "2016-01", "2017-12", 3_000, [], True),
    "A5": ("A", ["A"], "2017-01", None, 20_000, [], True),
    "A6": ("A", ["A"], "2016-08", None, None, [], True),
    "A7": ("A", ["A"], "2016-08", None, None, [], True),
    "A8": ("A", ["A"], "2018-01", None, None, [], False),
    "A9": ("A", ["A"], "2018-01", None, None, [], False),
    "B1": ("B", ["B"], "2017-01", None, None, ["B3", "B4"], True),
    "B2": ("B", ["B"], "2016-09", None, 140_000, ["A1", "A2"], True),
    "B3": ("B", ["B"], "2016-12", "2017-06", None, [], True),
    "B4": ("B", ["B"], "2016-12", "2017-04", None, [], True),
    "B5": ("B", ["A", "B"], "2016-10", "2017-04", None, [], True),
    "B6": ("B", ["A", "B"], "2016-09", None, 20_000, [], True),
    "B7": ("B", ["B"], "2016-01", "2017-12", None, [], True),
    "B8": ("B", ["A", "B"], "2018-01", None, None, [], False),
    "B9": ("B", ["A", "B"], "2017-01", "2019-12", 300_000, [], True),
    "B10": ("B", ["A", "B"], "2017-01", "2019-12", 500_000, [], True),
    "C1": ("C", ["C"], "2016-11", "2017-06", 50_000, [], True),
    "C2": ("C", ["C"], "2016-11", "2017-06", None, [], True),
    "C3": ("C", ["C"], "2017-01", "2018-06", None, [], True),
    "D1": ("D", ["C"], "2016-12", "2017-12", None, ["D2"], True),
    "D2": ("D", ["C"], "2016-08", "2017-12", 30_000, [], True),
    "D3": ("D", [], "2016-11", None, 100_000, [], True),
    "E1": ("E", ["A", "B"], "2017-08", None, 30_000, [], True),
    "E2": ("E", ["A", "B"], None, None, None, [], True),
    "IBS": ("E", [], None, None, 200_000, [], True),
}


@pytest.fixture
def loaded(engine):
    return {a["code"]: a for a in activities_json(engine, TODAY)["activities"]}


def test_every_activity_of_the_plan_is_loaded_in_plan_order(loaded):
    """28 activities, A1 to IBS, in the order the plan lists them."""
    assert list(loaded) == list(PLAN)


@pytest.mark.parametrize("code", PLAN)
def test_activity_matches_the_plan(loaded, code):
    """Section, goals as written, parsed months, amount, links and the decided flag, per activity."""
    section, goals, start, end, budget, links, decided = PLAN[code]
    a = loaded[code]
    assert (a["section"], a["goals"], a["start"], a["end"]) == (section, goals, start, end)
    assert (a["budget_sek"], sorted(a["links"]), a["decided"]) == (budget, sorted(links), decided)


def test_the_plan_allocates_1_560_500_kronor(loaded):
    """The sum of every amount in the plan, to the krona, and per area."""
    per_area = {}
    for a in loaded.values():
        per_area[a["section"]] = per_area.get(a["section"], 0) + (a["budget_sek"] or 0)
    assert sum(per_area.values()) == 1_560_500
    assert per_area == {"A": 190_500, "B": 960_000, "C": 50_000, "D": 130_000, "E": 230_000}


def test_texts_are_kept_as_written(loaded):
    """Dates and resources keep the plan's own spelling next to the parsed values."""
    assert (loaded["C2"]["start_text"], loaded["C2"]["end_text"]) == ("nov -16", "juni 17")
    assert loaded["A3"]["start_text"] == "Januari 2017"
    assert loaded["B10"]["cofinancing_required"] is True
    assert loaded["B7"]["responsible"] == "KOM"


@pytest.mark.parametrize(
    ("text", "as_end", "expected"),
    [
        ("feb-16", False, date(2016, 2, 1)),
        ("okt-16", False, date(2016, 10, 1)),
        ("Januari 2017", False, date(2017, 1, 1)),
        ("vt-16", False, date(2016, 1, 1)),
        ("vt-18", True, date(2018, 6, 1)),
        ("ht-16", False, date(2016, 8, 1)),
        ("ht-17", True, date(2017, 12, 1)),
        ("2018", False, date(2018, 1, 1)),
        ("2019", True, date(2019, 12, 1)),
        ("nov -16", False, date(2016, 11, 1)),
        ("juni 17", True, date(2017, 6, 1)),
        ("sept-16", False, date(2016, 9, 1)),
        ("Nov-16", False, date(2016, 11, 1)),
        ("april-17", True, date(2017, 4, 1)),
        ("", False, None),
    ],
)
def test_dates_as_written_are_read_as_months(text, as_end, expected):
    """Every way the plan writes a date; terms and bare years open at their first and close at their last month."""
    assert parse_month(text, as_end=as_end) == expected


def test_an_unreadable_date_is_an_error_not_a_guess():
    """A typo in a future plan file fails loudly instead of landing in the wrong month."""
    with pytest.raises(ValueError, match="smarch-17"):
        parse_month("smarch-17")


@pytest.mark.parametrize(
    ("text", "amount", "formula", "unit_cost", "cofinancing"),
    [
        ("Kontaktresor sa 100 000 kr", 100_000, None, None, False),
        ("25*1500", 37_500, "25*1500", None, False),
        ("Snittkostnad 760 kr/ översatt kursplan 30 000 kr", 30_000, None, 760, False),
        ("500 000 Motfinansiering krävs.", 500_000, None, None, True),
        ("Lunch till studenterna 3000kr", 3_000, None, None, False),
        ("140 000kr", 140_000, None, None, False),
        ("", None, None, None, False),
    ],
)
def test_resources_as_written_are_read_as_amounts(text, amount, formula, unit_cost, cofinancing):
    """Sums, formulas, unit costs and co-financing, each kept in its own field."""
    r = parse_resources(text)
    read = (r.amount_sek, r.formula, r.unit_cost_sek, r.cofinancing_required)
    assert read == (amount, formula, unit_cost, cofinancing)


def test_seeding_twice_changes_nothing(engine):
    """Start-up runs the seed every time; the plan is loaded once."""
    from mobility.plan import init_database

    before = activities_json(engine, TODAY)
    init_database(engine)
    assert activities_json(engine, TODAY) == before
