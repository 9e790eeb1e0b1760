"""Budget in a real browser: an editor records a spend and the burn chart moves; the XLSX downloads."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

LAST_SPENT = "e => e.querySelector('.js-plotly-plot').data.at(-1).y.at(-1)"


def test_an_editor_records_a_spend_and_the_burn_chart_changes(server, page):
    """The cumulative line of the whole-plan chart ends 12 500,50 kr higher after the entry is saved."""
    open_page(page, f"{server}/budget")
    assert_no_exception(page)
    chart = page.get_by_role("figure", name="Förbrukning mot plan – hela planen", exact=False)
    before = chart.evaluate(LAST_SPENT)
    login(page)
    page.get_by_role("link", name="Bokför en utgift").click()  # its own page: no scrolling past the charts
    wait_for_app_run(page)
    form = page.get_by_test_id("stForm").filter(has_text="Bokför utgiften")
    form.get_by_test_id("stSelectbox").get_by_role("button", name="Open").click()
    page.keyboard.type("D3 –")  # the list is virtualised: narrow it down as a user would
    page.get_by_role("option", name="D3 –", exact=False).first.click()
    form.get_by_role("textbox", name="Belopp (kr)").fill("12 500,50")
    form.get_by_role("textbox", name="Verifikationsnummer").fill("E2E-1")
    form.get_by_role("button", name="Bokför utgiften").click()
    wait_for_app_run(page)
    assert_no_exception(page)
    expect(page.get_by_text("Utgiften bokförd på D3")).to_be_visible()
    page.get_by_role("link", name="Till budgetläget").click()
    wait_for_app_run(page)
    chart = page.get_by_role("figure", name="Förbrukning mot plan – hela planen", exact=False)
    assert round(chart.evaluate(LAST_SPENT) - before, 2) == 12_500.5
    assert "575\u00a0251,75\u00a0kr" in chart.get_attribute("aria-label")


def test_the_table_downloads_as_xlsx_with_the_pages_figures(server, page):
    """The workbook holds one row per activity and the same spent total as the page."""
    open_page(page, f"{server}/budget?area=A")
    with page.expect_download() as download:
        # every table's downloads read the same (house style): the per-activity table's button is found by its key
        page.locator(".st-key-xlsx-budget-activities").get_by_role("button", name="Ladda ner Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith("-A.xlsx")
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    codes = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] and r[0].startswith("A")]
    assert codes == [f"A{n}" for n in range(1, 10)]
    spent = sum(r[5] or 0 for r in sheet.iter_rows(min_row=3, max_row=11, values_only=True))
    metric = page.get_by_test_id("stMetric").filter(has_text="Förbrukat").get_by_test_id("stMetricValue")
    assert metric.inner_text().replace("\u00a0", " ") == f"{round(spent):,} kr".replace(",", " ")  # whole kronor


def test_an_editor_previews_and_imports_a_file_and_a_second_import_adds_nothing(server, page, tmp_path):
    """Preview first, then all rows at once; the same file again is reported as already in the ledger."""
    export = tmp_path / "export.csv"
    export.write_text("date;activity;amount_sek;description;reference\n2017-05-02;C1;1 000,25;Resa;IMP-1\n"
                      "2017-05-03;C1;-200;Rättelse;IMP-2\n", encoding="utf-8-sig")
    open_page(page, f"{server}/spending")
    login(page)
    page.get_by_role("tab", name="Importera utgifter (CSV eller XLSX)").click()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app_run(page)
    expect(page.get_by_text("Förhandsgranskning: 2 nya rader, summa 800,25\u00a0kr.")).to_be_visible()
    page.get_by_role("button", name="Importera 2 rader").click()
    expect(page.get_by_text("2 rader importerade (800,25\u00a0kr); 0 hoppades över.")).to_be_visible()
    wait_for_app_run(page)
    page.get_by_role("tab", name="Importera utgifter (CSV eller XLSX)").click()
    page.locator("input[type='file']").set_input_files(str(export))
    wait_for_app_run(page)
    expect(page.get_by_text("2 rader hoppas över")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Inget nytt att importera.")).to_be_visible()
    open_page(page, f"{server}/budget?area=C")
    metric = page.get_by_test_id("stMetric").filter(has_text="Förbrukat").get_by_test_id("stMetricValue")
    expect(metric).to_have_text("36\u00a0300\u00a0kr")  # C1's example spending 35 500 + 800,25, whole kronor
    assert_no_exception(page)
