"""Budget: allocations against the plan, the append-only ledger, imports, the report, the CLI and the page."""

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from mobility import budget, cli, example_data, parsing, spending
from mobility.audit import audit_entries
from mobility.charts_budget import burn_chart
from mobility.examples import remove_example_data
from mobility.i18n import local_today
from mobility.service import SYSTEM, VIEWER, ConcurrentEditError, NotAllowed, ValidationError
from tests.conftest import EDITOR, open_tab, texts
from tests.html_tables import read_tables

PLAN_AREAS = {"A": 190_500, "B": 960_000, "C": 50_000, "D": 130_000, "E": 230_000}
TODAY = date(2026, 11, 28)
HEADER = "date,activity,amount_sek,description,reference\n"


@pytest.fixture
def clean(engine):
    """The plan without example spending, so each test knows every ledger entry."""
    remove_example_data(engine=engine, actor=SYSTEM)
    return engine


def spend(engine, code, amount, day="2017-03-01", reference="", description="test"):
    return spending.add_spend(engine=engine, actor=EDITOR, spent_on=day, activity=code, amount=amount,
                            description=description, reference=reference, today=TODAY)


def activity(report, code):
    return next(a for a in report["activities"] if a["code"] == code)


def csv_file(*rows, header=HEADER) -> bytes:
    return (header + "".join(rows)).encode()


def ledger_state(engine):
    return budget.ledger_summary(engine)["entries"], budget.budget_report(engine, as_of=TODAY)["total"]


# Allocations ------------------------------------------------------------------------------------------------------
def test_allocations_per_area_and_in_total_are_the_plans(engine):
    """1 560 500 kr in all, split A–E as the plan writes it; IBS counts under E."""
    report = budget.budget_report(engine, as_of=TODAY)
    assert {a["code"]: a["allocated"] for a in report["areas"]} == PLAN_AREAS
    assert report["total"]["allocated"] == 1_560_500
    assert activity(report, "IBS") == {**activity(report, "IBS"), "area": "E", "allocated": 200_000}
    assert activity(report, "A3")["allocated"] == 37_500  # 25*1500
    assert activity(report, "A6")["allocated"] is None and activity(report, "A6")["burn_pct"] is None


def test_flags_from_the_plan(clean):
    """2018 activities are not decided; B10 needs co-financing."""
    report = budget.budget_report(clean, as_of=date(2016, 1, 1))
    assert "not_decided" in activity(report, "A8")["flags"]
    assert activity(report, "B10")["flags"] == ["cofinancing_required"]
    assert activity(report, "A1")["flags"] == []


def test_a_later_decision_replaces_the_allocation_but_keeps_the_plans_figure(clean):
    """The report uses the decision from its date on; the history keeps both; the change is audited."""
    budget.change_allocation(engine=clean, actor=EDITOR, code="A8", amount="40 000", decided_on="2018-02-01",
                             note="Rektorsbeslut 2018-02-01", expected_changes=0, today=TODAY)
    before, after = (budget.budget_report(clean, as_of=d) for d in (date(2018, 1, 31), date(2018, 2, 1)))
    assert activity(before, "A8")["allocated"] is None and "not_decided" in activity(before, "A8")["flags"]
    assert activity(after, "A8")["allocated"] == 40_000 and "not_decided" not in activity(after, "A8")["flags"]
    assert after["total"]["allocated"] == 1_600_500
    history = budget.allocation_history(clean, code="A8")
    assert history["plan_ore"] is None and [c["amount_ore"] for c in history["changes"]] == [4_000_000]
    log = audit_entries(clean, entity="allocation")
    assert list(log["action"]) == ["change_allocation"] and list(log["entity_key"]) == ["A8"]


def test_a_decision_on_a_stale_form_is_refused(clean):
    """Someone else decided in between: nothing is overwritten."""
    budget.change_allocation(engine=clean, actor=EDITOR, code="B2", amount=150_000, decided_on="2017-01-10",
                             note="Utökning", expected_changes=0, today=TODAY)
    with pytest.raises(ConcurrentEditError):
        budget.change_allocation(engine=clean, actor=EDITOR, code="B2", amount=120_000, decided_on="2017-01-11",
                                 note="Minskning", expected_changes=0, today=TODAY)
    assert activity(budget.budget_report(clean, as_of=TODAY), "B2")["allocated"] == 150_000


def test_a_bad_decision_names_its_fields(clean):
    with pytest.raises(ValidationError) as exc:
        budget.change_allocation(engine=clean, actor=EDITOR, code="B2", amount="-5", decided_on="2017-02-30",
                                 note="", expected_changes=0, lang="en", today=TODAY)
    assert [p.split(":")[0] for p in exc.value.problems] == ["New allocation (SEK)", "Date of decision",
                                                             "Decision (note)"]


# The ledger -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ore"), [
    ("75 000,50", 7_500_050), ("-2 500", -250_000), ("1234.5", 123_450), ("12\u00a0500 kr", 1_250_000),
    ("\u2212300", -30_000), (75000.5, 7_500_050), (12, 1_200),
])
def test_amounts_are_read_the_swedish_way_to_the_ore(text, ore):
    assert parsing.parse_amount(text) == ore


@pytest.mark.parametrize("text", ["abc", "1,234.56", "12,345", "1 23", "", None, 0.001])
def test_amounts_that_are_not_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parsing.parse_amount(text)


def test_spending_over_the_allocation_is_over_budget_to_the_ore(clean):
    spend(clean, "A4", "3 000")
    assert activity(budget.budget_report(clean, as_of=TODAY), "A4")["flags"] == []
    spend(clean, "A4", "0,50")
    a4 = activity(budget.budget_report(clean, as_of=TODAY), "A4")
    assert (a4["spent"], a4["remaining"], a4["burn_pct"]) == (3000.5, -0.5, 100.0)
    assert a4["flags"] == ["over_budget"]


def test_a_correction_is_a_new_negative_entry(clean):
    """Nothing is edited: two entries, the net is what counts."""
    spend(clean, "B2", "10 000", reference="V-1")
    spend(clean, "B2", "-2 500,25", reference="V-2", description="Rättelse V-1")
    report = budget.budget_report(clean, as_of=TODAY)
    assert activity(report, "B2")["spent"] == 7499.75 and report["total"]["spent"] == 7499.75
    assert list(budget.ledger_entries(clean)["amount_ore"]) == [-250_025, 1_000_000]


def test_as_of_counts_only_what_was_spent_by_that_day(clean):
    spend(clean, "C1", "5 000", day="2017-03-01")
    assert activity(budget.budget_report(clean, as_of=date(2017, 2, 28)), "C1")["spent"] == 0
    assert activity(budget.budget_report(clean, as_of=date(2017, 3, 1)), "C1")["spent"] == 5000
    assert budget.budget_report(clean, as_of=date(2017, 3, 1))["as_of"] == "2017-03-01"


def test_spending_without_an_allocation_is_flagged(clean):
    spend(clean, "B7", "4 200")
    b7 = activity(budget.budget_report(clean, as_of=TODAY), "B7")
    assert b7["flags"] == ["unfunded_spend"] and b7["remaining"] is None
    area_b = next(a for a in budget.budget_report(clean, as_of=TODAY)["areas"] if a["code"] == "B")
    assert area_b["remaining"] == 960_000 - 4_200


def test_money_is_idle_six_months_after_the_start_until_something_is_spent(clean):
    """D3 starts November 2016."""
    assert "idle" not in activity(budget.budget_report(clean, as_of=date(2017, 5, 1)), "D3")["flags"]
    assert "idle" in activity(budget.budget_report(clean, as_of=date(2017, 5, 2)), "D3")["flags"]
    spend(clean, "D3", "100", day="2017-01-15")
    assert "idle" not in activity(budget.budget_report(clean, as_of=date(2017, 5, 2)), "D3")["flags"]


def test_a_bad_entry_names_every_field_and_writes_nothing(clean):
    with pytest.raises(ValidationError) as exc:
        spending.add_spend(engine=clean, actor=EDITOR, spent_on="2017-02-30", activity="Z9", amount="0",
                         lang="en", today=TODAY)
    assert [p.split(":")[0] for p in exc.value.problems] == ["Date", "Activity", "Amount (SEK)"]
    for amount, problem in [("10 000 000,01", "at most 10 000 000 kr"), ("tio kronor", "not an amount")]:
        with pytest.raises(ValidationError, match=problem):
            spending.add_spend(engine=clean, actor=EDITOR, spent_on="2017-01-01", activity="A1", amount=amount,
                             lang="en", today=TODAY)
    with pytest.raises(ValidationError, match="in the future"):
        spending.add_spend(engine=clean, actor=EDITOR, spent_on="2026-11-29", activity="A1", amount=1, lang="en",
                         today=TODAY)
    with pytest.raises(NotAllowed):
        spending.add_spend(engine=clean, actor=VIEWER, spent_on="2017-01-01", activity="A1", amount=1, today=TODAY)
    assert budget.ledger_summary(clean)["entries"] == 0


def test_a_reference_already_in_the_ledger_is_refused_in_the_form(clean):
    spend(clean, "A1", 100, reference="V-7")
    with pytest.raises(ValidationError, match="V-7"):
        spend(clean, "A2", 100, reference="V-7")


def test_every_entry_is_audited_with_who_entered_it(clean):
    spend(clean, "A1", "1 234,56", reference="V-9")
    log = audit_entries(clean, entity="spend", action="add_spend")
    assert list(log["action"]) == ["add_spend"] and list(log["actor"]) == ["io.editor"]
    assert '"amount_sek": "1234.56"' in log["after"].iloc[0]
    assert budget.ledger_entries(clean)["entered_by"].tolist() == ["io.editor"]


# Import -----------------------------------------------------------------------------------------------------------
def test_a_semicolon_csv_with_bom_and_swedish_amounts_imports(clean):
    data = "\ufeffdate;activity;amount_sek;description;reference\n2017-03-01;B2;75 000,50;Resor;V-1\n" \
           "2017-03-02;b2;-2 500;Rättelse;V-2\n"
    data = data.encode()
    result = spending.import_spend(engine=clean, actor=EDITOR, data=data, filename="export.csv", today=TODAY)
    assert len(result.rows) == 2 and result.total_ore == 7_250_050
    assert activity(budget.budget_report(clean, as_of=TODAY), "B2")["spent"] == 72_500.5
    assert set(budget.ledger_entries(clean)["source"]) == {"import"}
    log = audit_entries(clean, entity="spend", action="import_spend")
    assert list(log["action"]) == ["import_spend"] * 2 and sorted(log["entity_key"]) == ["V-1", "V-2"]
    assert '"amount_sek": "-2500"' in log[log["entity_key"] == "V-2"]["after"].iloc[0]


def test_re_importing_the_same_export_never_counts_twice(clean):
    data = csv_file('2017-03-01,A1,"1 000,25",Resa,V-1\n', "2017-03-02,A2,500,Tryck,V-2\n")
    spending.import_spend(engine=clean, actor=EDITOR, data=data, filename="export.csv", today=TODAY)
    before = ledger_state(clean)
    again = spending.import_spend(engine=clean, actor=EDITOR, data=data, filename="export.csv", today=TODAY)
    assert (len(again.rows), [r.reference for r in again.skipped]) == (0, ["V-1", "V-2"])
    assert ledger_state(clean) == before
    grown = data + b"2017-03-03,A3,1500,Stipendium,V-3\n"
    preview = spending.preview_import(clean, data=grown, filename="export.csv", today=TODAY)
    assert ([r.reference for r in preview.rows], len(preview.skipped)) == (["V-3"], 2)


def test_an_import_racing_another_with_the_same_file_is_refused_by_the_database(clean, monkeypatch):
    """The check for known references can lose a race; the unique reference still never counts a row twice."""
    data = csv_file("2017-03-01,A1,100,Resa,RACE-1\n")
    spending.import_spend(engine=clean, actor=EDITOR, data=data, filename="a.csv", today=TODAY)
    before = ledger_state(clean)
    monkeypatch.setattr(spending, "_existing_references", lambda session, references: set())
    with pytest.raises(ConcurrentEditError):
        spending.import_spend(engine=clean, actor=EDITOR, data=data, filename="a.csv", today=TODAY)
    assert ledger_state(clean) == before


def test_an_xlsx_with_date_and_number_cells_imports(clean):
    wb = Workbook()
    wb.active.append(["Date", "Activity", "Amount_SEK", "Description", "Reference"])
    wb.active.append([date(2017, 4, 3), "IBS", 95000.5, "Licens", "V-100"])
    wb.active.append(["2017-04-04", "E1", "-1 000", "Rättelse", "V-101"])
    buffer = io.BytesIO()
    wb.save(buffer)
    spending.import_spend(engine=clean, actor=EDITOR, data=buffer.getvalue(), filename="export.xlsx", today=TODAY)
    report = budget.budget_report(clean, as_of=TODAY)
    assert activity(report, "IBS")["spent"] == 95000.5 and report["total"]["spent"] == 94000.5


@pytest.mark.parametrize(("rows", "header", "expected"), [
    (["2017-03-01,Z9,100,x,R1\n"], HEADER, "Row 3, column activity: “Z9” is not an activity in the plan"),
    (["2017-03-01,A1,100,x,R1\n", "2017-02-30,A1,100,x,R2\n"], HEADER, "Row 4, column date:"),
    (["01/03/2017,A1,100,x,R1\n"], HEADER, "Row 3, column date:"),
    (["2017-03-01,A1,hundra,x,R1\n"], HEADER, "Row 3, column amount_sek: “hundra” is not an amount"),
    (["2017-03-01,A1,0,x,R1\n"], HEADER, "Row 3, column amount_sek: the amount must not be zero"),
    (["2017-03-01,A1,100,x\n"], "date,activity,amount_sek,description\n", "Row 2: 5 values but only 4 columns"),
    (["2017-03-01,A1,100,x,\n"], HEADER, "Row 3, column reference: missing"),
    (["2017-03-01,A1,100,x,R1\n", "2017-03-02,A2,200,y,R1\n"], HEADER,
     "Row 4, column reference: “R1” already occurs in row 3"),
])
def test_a_malformed_import_names_row_and_column_and_changes_nothing(clean, rows, header, expected):
    spend(clean, "A1", 10, reference="OLD")
    before = ledger_state(clean)
    good = "2017-01-05,A2,300,ok,R9\n"  # row 2: a good row does not make a bad file importable
    with pytest.raises(ValidationError) as exc:
        spending.import_spend(engine=clean, actor=EDITOR, data=csv_file(good, *rows, header=header),
                            filename="bad.csv", lang="en", today=TODAY)
    assert any(p.startswith(expected) for p in exc.value.problems), exc.value.problems
    assert ledger_state(clean) == before


def test_a_file_that_is_not_a_table_is_refused(clean):
    for data, name in [(b"\xff\xfe\x00garbage", "x.csv"), (b"PK\x03\x04broken", "x.xlsx"), (b"", "x.csv")]:
        preview = spending.preview_import(clean, data=data, filename=name, lang="en", today=TODAY)
        assert preview.problems and not preview.rows


# Report, series, export, examples -----------------------------------------------------------------------------
def test_the_series_end_where_the_report_does(engine):
    report = budget.budget_report(engine, as_of=TODAY)
    spent = budget.cumulative_spend(engine, as_of=TODAY)
    planned = budget.planned_burn(engine, as_of=TODAY)
    assert spent["cumulative_ore"].iloc[-1] == round(report["total"]["spent"] * 100)
    assert planned["planned_ore"].iloc[-1] == 156_050_000 and planned["planned_ore"].is_monotonic_increasing
    one = budget.planned_burn(engine, activity="C1", as_of=TODAY)  # 50 000 kr, Nov 2016 – Jun 2017
    assert one["date"].iloc[0] == date(2016, 11, 1) and one["planned_ore"].iloc[-1] == 5_000_000
    in_2017 = budget.cumulative_spend(engine, year=2017)
    before_2017 = budget.cumulative_spend(engine, as_of=date(2016, 12, 31))["cumulative_ore"].iloc[-1]
    assert (in_2017["date"].iloc[0], in_2017["cumulative_ore"].iloc[0]) == (date(2017, 1, 1), before_2017)


def test_the_burn_chart_has_title_axes_and_both_lines(engine):
    fig = burn_chart(budget.cumulative_spend(engine), budget.planned_burn(engine, as_of=TODAY), lang="sv",
                     scope="hela planen", as_of=date(2017, 12, 31), allocated_ore=156_050_000)
    assert fig.layout.title.text == "Förbrukning mot plan – hela planen"
    assert fig.layout.yaxis.title.text == "Kronor (ackumulerat)" and fig.layout.separators == ", "
    assert [tr.name for tr in fig.data] == ["Planerad förbrukning", "Förbrukat"]
    assert fig.data[1].y[-1] == 562_751.25


def test_the_xlsx_agrees_with_the_report_to_the_ore(engine):
    table = budget.budget_table(engine, as_of=TODAY)
    report = budget.budget_report(engine, as_of=TODAY)
    sheet = load_workbook(io.BytesIO(budget.budget_xlsx(table, lang="sv"))).active
    assert sheet["A2"].value == "Kod" and sheet["F2"].value == "Förbrukat (kr)"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, max_row=2 + len(table), values_only=True)}
    for a in report["activities"]:
        assert (rows[a["code"]][4], rows[a["code"]][5]) == (a["allocated"], a["spent"]), a["code"]
    assert sum(r[5] for r in rows.values()) == report["total"]["spent"]
    assert sheet.cell(3 + len(table), 6).value == f"=SUM(F3:F{2 + len(table)})"


def test_example_spending_is_labelled_and_removed_with_the_other_examples(engine):
    """Plausible 2016–2017 spending, every row marked; remove-example leaves an empty ledger."""
    entries = budget.ledger_entries(engine)
    assert len(entries) == len(example_data.EXAMPLE_SPENDING) and set(entries["source"]) == {"example"}
    assert entries["spent_on"].min() >= date(2016, 1, 1) and entries["spent_on"].max() <= date(2017, 12, 31)
    assert remove_example_data(engine=engine, actor=SYSTEM)["spend"] == len(example_data.EXAMPLE_SPENDING)
    assert budget.budget_report(engine, as_of=TODAY)["total"]["spent"] == 0


# CLI ----------------------------------------------------------------------------------------------------------------
def test_cli_budget_json_is_the_report(engine, capsys):
    assert cli.main(["budget", "--json", "--as-of", "2016-12-31"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == budget.budget_report(engine, as_of=date(2016, 12, 31))
    assert set(printed) == {"as_of", "example", "total", "areas", "activities"} and printed["example"] is True
    assert set(printed["activities"][0]) == {"code", "area", "allocated", "decided", "spent", "remaining",
                                             "burn_pct", "flags"}


def test_cli_import_spend_reports_and_refuses(engine, tmp_path, capsys):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_file("2017-03-01,A1,\"1 000,50\",Resa,CLI-1\n"))
    bad.write_bytes(csv_file("2017-03-01,A1,tusen,Resa,CLI-2\n"))
    assert cli.main(["import-spend", str(good)]) == 0
    assert "Imported 1 entries (1000.50 SEK)" in capsys.readouterr().out
    before = ledger_state(engine)
    assert cli.main(["import-spend", str(bad)]) != 0
    assert "Row 2, column amount_sek" in capsys.readouterr().err
    assert cli.main(["import-spend", str(good)]) == 0
    assert "skipped 1 already in the ledger: CLI-1" in capsys.readouterr().out
    assert cli.main(["import-spend", str(tmp_path / "missing.csv")]) != 0
    assert ledger_state(engine) == before


# The page -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("actor", [None, EDITOR], ids=["viewer", "editor"])
def test_the_budget_page_opens(app, lang, actor):
    at = app("budget", lang=lang, actor=actor)
    assert not at.exception, at.exception
    assert at.title[0].value == ("Budget och förbrukning" if lang == "sv" else "Budget and spending")


def test_a_manager_sees_totals_warnings_and_example_labels(app):
    """Kronor the Swedish way, over-budget and idle money named, example data said to be examples."""
    at = app("budget")
    shown = texts(at)
    assert "Tilldelat 1\u00a0560\u00a0500\u00a0kr" in shown and "Förbrukat 562\u00a0751\u00a0kr" in shown
    assert "Över budget: **A4**" in shown and "**D3** (100\u00a0000\u00a0kr)" in shown
    assert "Utgifter utan tilldelning: **B7**" in shown and "Exempeldata" in shown
    ledger = at.dataframe[-1].value
    assert set(ledger["Källa"]) == {"Exempeldata"}
    assert len(at.get("plotly_chart")) == 2
    assert "Bokför utgiften" not in [b.label for b in at.button]


def test_the_filters_live_in_the_url(app):
    at = app("budget", lang="en", area="B", year="2016")
    shown = texts(at)
    assert "Position as of 31 Dec 2016" in shown and "Allocated 960,000\u00a0kr" in shown
    assert set(at.dataframe[1].value["Code"]) == {f"B{n}" for n in range(1, 11)}
    bad = app("budget", year="1999")
    assert not bad.exception, bad.exception
    assert "okänt värde för year: 1999" in texts(bad)


def test_an_editor_records_a_spend_and_the_page_shows_it(app, engine):
    at = app("spending", actor=EDITOR)
    next(s for s in at.selectbox if s.label == "Aktivitet" and s.key != "alloc_code").set_value("D3")
    next(i for i in at.text_input if i.label == "Belopp (kr)").input("12 500,50")
    next(i for i in at.text_input if i.label == "Verifikationsnummer").input("V-2017-77")
    next(b for b in at.button if b.label == "Bokför utgiften").click().run()
    assert not at.exception and "Inget sparades" not in texts(at)
    latest = at.dataframe[0].value
    assert latest.iloc[0]["Verifikation"] == "V-2017-77" and latest.iloc[0]["Belopp (kr)"] == 12_500.5
    position = texts(app("budget", actor=EDITOR, as_of=local_today().isoformat()))  # dated today: view today
    assert "Förbrukat 575\u00a0252\u00a0kr" in position
    assert "**D3**" not in position.split("Outnyttjade")[-1].split("\n")[0]
    assert activity(budget.budget_report(engine, as_of=local_today()), "D3")["spent"] == 12_500.5
    log = read_tables(app("history", as_of=local_today().isoformat()))[0]
    assert ("io.editor", "Utgift bokförd", "V-2017-77") in set(zip(log["Vem"], log["Händelse"], log["Post"],
                                                                   strict=True))


def test_an_editor_gets_a_clear_message_for_a_bad_spend(app, engine):
    at = app("spending", actor=EDITOR)
    next(i for i in at.text_input if i.label == "Belopp (kr)").input("tusen")
    next(b for b in at.button if b.label == "Bokför utgiften").click().run()
    message = next(e.value for e in at.error if "Inget sparades" in e.value)
    assert "Inget sparades" in message and "Aktivitet:" in message and "Belopp (kr): ”tusen” är inget belopp" in message
    assert budget.ledger_summary(engine)["entries"] == len(example_data.EXAMPLE_SPENDING)


def test_an_editor_changes_an_allocation_and_the_plan_figure_stays(app, engine):
    at = app("spending", actor=EDITOR, as_of=local_today().isoformat())  # decided today: in force from today
    open_tab(at, "spending-tab", "budget.alloc")
    next(s for s in at.selectbox if s.label == "Aktivitet" and s.key == "alloc_code").set_value("D3").run()
    next(i for i in at.text_input if i.label == "Ny tilldelning (kr)").input("80 000")
    at.text_area[0].input("Omfördelning enligt rektorsbeslut")
    next(b for b in at.button if b.label == "Spara beslutet").click().run()
    assert not at.exception and "Inget sparades" not in texts(at)
    assert "Enligt planen: 100\u00a0000\u00a0kr. Gällande: 80\u00a0000\u00a0kr." in texts(at)
    position = app("budget", actor=EDITOR, as_of=local_today().isoformat())  # the decision is in force from today
    assert "Tilldelat 1\u00a0540\u00a0500\u00a0kr" in texts(position)
    d3 = position.dataframe[1].value.set_index("Kod").loc["D3"]
    assert (d3["Enligt planen (kr)"], d3["Tilldelat (kr)"]) == (100_000, 80_000)
    assert "tilldelning ändrad" in d3["Anmärkning"]
