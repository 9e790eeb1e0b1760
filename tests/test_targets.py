"""Target maths (A, B), balance and mix: every rule with its edge cases, the JSON report, and the page."""

import json
from datetime import date

import pandas as pd
import pytest

from mobility import cli
from mobility.charts_targets import balance_chart, mix_chart, national_comparison_chart, target_chart
from mobility.counts import Cell, save_counts
from mobility.examples import remove_example_data
from mobility.targets import (
    Goal,
    evaluate,
    expected_pct,
    plan_goals,
    progress_pct,
    target_series,
    targets_page,
    targets_report,
)
from tests.conftest import EDITOR, texts

END = date(2018, 12, 31)  # the plan's last day: what the CLI and the pages show by default once it ended

A = Goal(
    code="A",
    area="A",
    name={},
    group="student",
    direction="out",
    programmes=None,
    baseline_year=2015,
    uplift_pct=25,
    target_year=2018,
    definition={},
)


def series(**values) -> pd.DataFrame:
    return pd.DataFrame({"year": [int(y[1:]) for y in values], "value": list(values.values())})


@pytest.fixture
def clean(engine):
    remove_example_data(engine=engine, actor=EDITOR)
    return engine


def put(engine, *cells):
    save_counts(
        engine=engine,
        actor=EDITOR,
        source="form",
        cells=[
            Cell(year, term, group, direction, programme, level, faculty, count=n)
            for year, term, group, direction, programme, level, faculty, n in cells
        ],
    )


# The rules -----------------------------------------------------------------------------------------------------


def test_the_targets_are_read_from_the_plan_file():
    """A: all outgoing students +25 %; B: outgoing Erasmus teachers +20 %; both 2015 → 2018."""
    goals = {g.code: g for g in plan_goals()["targets"]}
    assert (goals["A"].group, goals["A"].direction, goals["A"].programmes, goals["A"].uplift_pct) == (
        "student",
        "out",
        None,
        25,
    )
    assert (goals["B"].group, goals["B"].programmes, goals["B"].uplift_pct) == ("teacher", ("erasmus",), 20)
    assert {g.baseline_year for g in goals.values()} == {2015} and {g.target_year for g in goals.values()} == {2018}


def test_expected_progress_is_a_straight_path_capped_at_the_target_year():
    """0 % in the baseline year, a third a year, 100 % in 2018 and after; nothing before the baseline."""
    assert expected_pct(2015, 2015, 2018) == 0
    assert expected_pct(2016, 2015, 2018) == pytest.approx(33.33, abs=0.01)
    assert expected_pct(2018, 2015, 2018) == 100
    assert expected_pct(2021, 2015, 2018) == 100
    assert expected_pct(2014, 2015, 2018) is None


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (125, "achieved"),
        (140, "achieved"),
        (116, "on_track"),
        (115, "behind"),
        (114, "at_risk"),
        (90, "at_risk"),
    ],
)
def test_status_thresholds_in_2017(value, status):
    """Expected 66,7 % of the way in 2017: ≥ 95 % of that is on track, 85–95 % behind, below at risk."""
    row = evaluate(A, series(y2015=100, y2017=value), 2017)
    assert row["target"] == 125 and row["expected_pct"] == pytest.approx(66.7)
    assert row["status"] == status


def test_progress_is_the_share_of_the_way_from_baseline_to_target():
    """(value − baseline) / (target − baseline): 110 of 100 → 125 is 40 %; below the baseline it is negative."""
    assert evaluate(A, series(y2015=100, y2016=110), 2016)["progress_pct"] == 40
    assert evaluate(A, series(y2015=100, y2016=90), 2016)["progress_pct"] == -40
    assert progress_pct(None, 100, 125) is None


def test_without_a_baseline_or_a_value_there_is_no_status():
    """No 2015 figure, or no figure for the year asked: no_data, and no made-up numbers."""
    no_baseline = evaluate(A, series(y2016=110), 2016)
    assert (no_baseline["baseline"], no_baseline["target"], no_baseline["status"]) == (None, None, "no_data")
    no_value = evaluate(A, series(y2015=100), 2017)
    assert (no_value["value"], no_value["progress_pct"], no_value["status"]) == (None, None, "no_data")


def test_a_baseline_of_zero_gives_a_target_of_zero_and_no_progress_share():
    """25 % more than nothing is nothing: any value reaches it, and a share of a zero-length way is undefined."""
    row = evaluate(A, series(y2015=0, y2017=3), 2017)
    assert (row["target"], row["progress_pct"], row["status"]) == (0, None, "achieved")


def test_a_year_before_the_baseline_has_no_expected_progress():
    """2014 comes before the goal applies: its value shows, its status is no_data."""
    row = evaluate(A, series(y2014=96, y2015=100), 2014)
    assert (row["value"], row["expected_pct"], row["status"]) == (96, None, "no_data")


def test_beyond_the_target_year_the_full_target_is_expected():
    """In 2020 the whole way is expected; 120 of 125 is 80 % of it: at risk."""
    row = evaluate(A, series(y2015=100, y2020=120), 2020)
    assert (row["expected_pct"], row["progress_pct"], row["status"]) == (100, 80, "at_risk")


# From the store ------------------------------------------------------------------------------------------------


def test_a_calendar_year_sums_spring_autumn_and_whole_year_rows(clean):
    """2015 = VT 10 + HT 20 + whole year 5; the academic year 2015/16 = HT 2015 + VT 2016 without whole-year rows."""
    put(
        clean,
        (2015, "VT", "student", "out", "erasmus", "", "", 10),
        (2015, "HT", "student", "out", "erasmus", "", "", 20),
        (2015, "", "student", "out", "bilateral", "", "", 5),
        (2016, "VT", "student", "out", "erasmus", "", "", 7),
        (2016, "HT", "student", "out", "nordplus", "", "", 1),
    )
    calendar = target_series(clean, "A")
    assert dict(zip(calendar["year"], calendar["value"], strict=True)) == {2015: 35, 2016: 8}
    academic = target_series(clean, "A", academic=True)
    assert dict(zip(academic["year"], academic["value"], strict=True)) == {2015: 27}  # 2016/17 lacks its VT


def test_target_b_counts_only_outgoing_erasmus_teachers(clean):
    """Nordplus teachers, incoming teachers and students do not count towards B."""
    put(
        clean,
        (2015, "VT", "teacher", "out", "erasmus", "", "NMT", 10),
        (2015, "VT", "teacher", "out", "nordplus", "", "", 4),
        (2015, "VT", "teacher", "in", "erasmus", "", "", 9),
        (2015, "VT", "student", "out", "erasmus", "", "", 50),
        (2018, "VT", "teacher", "out", "erasmus", "", "HUV", 12),
    )
    report = targets_report(clean, as_of=END)
    b = next(r for r in report["targets"] if r["code"] == "B")
    assert (b["baseline"], b["target"], b["value"], b["status"]) == (10, 12, 12, "achieved")


def test_filters_narrow_baseline_and_value_alike(clean):
    """With faculty NMT only NMT cells count, for the baseline too."""
    put(
        clean,
        (2015, "VT", "student", "out", "erasmus", "first", "NMT", 40),
        (2015, "VT", "student", "out", "erasmus", "first", "HUV", 60),
        (2018, "VT", "student", "out", "erasmus", "second", "NMT", 50),
    )
    a = targets_report(clean, as_of=END, faculty="NMT")["targets"][0]
    assert (a["baseline"], a["value"], a["status"]) == (40, 50, "achieved")
    assert targets_report(clean, as_of=END, level="first", year=2018)["targets"][0]["value"] is None


def test_balance_and_mix_use_the_plans_programme_groups(clean):
    """Balance: exchange students only; mix: incoming exchange, fee-paying and non-fee-paying."""
    put(
        clean,
        (2017, "HT", "student", "in", "erasmus", "", "", 80),
        (2017, "HT", "student", "in", "bilateral", "", "", 20),
        (2017, "HT", "student", "in", "freemover_fee", "", "", 30),
        (2017, "HT", "student", "in", "freemover_no_fee", "", "", 10),
        (2017, "HT", "student", "out", "erasmus", "", "", 50),
        (2017, "HT", "student", "out", "freemover_no_fee", "", "", 9),
    )
    report = targets_report(clean, as_of=END)
    assert report["balance"] == {"incoming": 100, "outgoing": 50, "ratio": 0.5}
    assert report["composition"] == {"exchange": 100, "fee_paying": 30, "no_fee": 10}


def test_no_incoming_students_gives_no_ratio(clean):
    """Dividing by zero is not a balance."""
    put(clean, (2017, "HT", "student", "out", "erasmus", "", "", 5))
    assert targets_report(clean, as_of=END)["balance"] == {"incoming": 0, "outgoing": 5, "ratio": None}


def test_the_example_data_gives_a_plausible_report(engine):
    """The shipped example: A behind and B achieved in 2018, about 100 incoming exchange students a term."""
    report = targets_report(engine, as_of=END)
    assert report["year"] == 2018
    assert [(r["code"], r["status"]) for r in report["targets"]] == [("A", "behind"), ("B", "achieved")]
    assert 150 <= report["balance"]["incoming"] <= 250 and 80 <= report["balance"]["outgoing"] <= 150


def test_the_cli_prints_the_report_as_json(engine, capsys):
    """`targets --json` has exactly the documented keys, for the latest year or the one asked for."""
    assert cli.main(["targets", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "year_reason", "example", "year", "targets", "balance", "composition"}
    assert (out["as_of"], out["year_reason"], out["example"]) == ("2018-12-31", "as_of_year", True)
    assert set(out["targets"][0]) == {
        "code",
        "baseline_year",
        "baseline",
        "target",
        "target_year",
        "value",
        "progress_pct",
        "expected_pct",
        "status",
    }
    assert set(out["balance"]) == {"incoming", "outgoing", "ratio"}
    assert set(out["composition"]) == {"exchange", "fee_paying", "no_fee"}
    assert out == targets_report(engine, as_of=END)
    assert cli.main(["targets", "--json", "--year", "2016"]) == 0
    assert json.loads(capsys.readouterr().out)["targets"][0]["value"] == 106


def test_the_national_comparison_is_an_index_from_the_first_common_academic_year(engine):
    """Both lines start at 100 in the same academic year, and the national ones are named national."""
    national = targets_page(engine, as_of=END)["national"]
    out = national[national["direction"] == "out"]
    first = out["year"].min()
    assert set(out.loc[out["year"] == first, "index"]) == {100.0}
    fig = national_comparison_chart(national, lang="sv")
    assert any("nationellt" in trace.name for trace in fig.data)
    assert all("nationellt" in tr.name or tr.name.startswith("Miun") for tr in fig.data)


def test_every_chart_has_a_title_and_axis_titles(engine):
    """Title and labelled axes in both languages."""
    data = targets_page(engine, as_of=END)
    report = targets_report(engine, as_of=END)
    for lang in ("sv", "en"):
        for fig in (
            target_chart(data["series"]["A"], report["targets"][0], name="A", lang=lang),
            balance_chart(data["balance"], lang=lang),
            mix_chart(data["composition"], lang=lang),
            national_comparison_chart(data["national"], lang=lang),
        ):
            assert fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text


# The page ------------------------------------------------------------------------------------------------------


def test_the_page_shows_each_target_with_status_words_and_definitions(app):
    """Management reads value vs target, a status word and the definition, marked as example data."""
    sv = texts(app("targets"))
    assert "2018: **122** mot målet **125** (2018)" in sv and "Efter" in sv and "Uppnått" in sv
    assert "Exempeldata" in sv and "Vår tolkning av planens" in sv and "NATIONELLA" in sv
    en = texts(app("targets", lang="en"))
    assert "Behind" in en and "Achieved" in en and "Example data" in en and "NATIONAL figures" in en


def test_the_page_follows_the_filters_and_the_year_basis_in_the_url(app):
    """?basis=academic&faculty=NMT shows academic years and says what is selected."""
    at = app("targets", basis="academic", faculty="NMT", t_year="2016")
    shown = texts(at)
    assert "2016/17:" in shown and "Urval: NMT" in shown and "Läsår = HT" in shown
    assert not at.exception


def test_without_example_data_the_badge_goes(app, engine):
    """After remove-example the page has no data and no badge."""
    remove_example_data(engine=engine, actor=EDITOR)
    shown = texts(app("targets"))
    assert "Exempeldata" not in shown and "Det finns inga antal" in shown
