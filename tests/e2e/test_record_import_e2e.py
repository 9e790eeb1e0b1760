"""A list of mobilities in a real browser: an editor drops the example Beneficiary Module export, and target B moves."""

from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

EXPORT = ROOT / "data" / "examples" / "beneficiary_module_export.csv"


def test_an_editor_imports_the_example_export_and_target_b_changes(server, page):
    """Example data: 25 Erasmus teachers out in 2018; the export holds 31 STA rows; the targets page follows."""
    open_page(page, f"{server}/targets?t_year=2018")
    expect(page.get_by_text("2018: 25 mot målet 24")).to_be_visible()

    open_page(page, f"{server}/counts")
    login(page)
    page.get_by_role("tab", name="Importera mobilitetslista").click()
    wait_for_app_run(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(EXPORT))
    wait_for_app_run(page)
    expect(page.get_by_text("beneficiary_module_export.csv: 194 mobiliteter")).to_be_visible()
    expect(page.get_by_text("januari–juni räknas till VT")).to_be_visible()
    expect(page.get_by_text("exempel.invalid")).to_have_count(0)
    page.get_by_role("button", name="Importera antalen").click()
    wait_for_app_run(page)
    assert_no_exception(page)

    open_page(page, f"{server}/targets?t_year=2018")
    expect(page.get_by_text("2018: 31 mot målet 24")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").nth(1).get_by_text("31", exact=True)).to_be_visible()
