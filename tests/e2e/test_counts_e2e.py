"""Counts and targets in a real browser: an editor types a count into the grid and the target chart follows."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

GRID = "counts?c_year=2018&c_term=HT&c_group=teacher&c_faculty=NMT"


def test_a_reader_opening_the_counts_page_first_sees_no_grid(server, page):
    """The very first request is a deep link to the editor page: no grid, no save button."""
    open_page(page, f"{server}/{GRID}")
    assert_no_exception(page)
    expect(page.get_by_text("kräver att du är inloggad som redigerare")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara antal")).to_have_count(0)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_target_page_draws_four_charts_and_labels_sweden_as_national(server, page, lang):
    """Two targets, the balance, the mix and Sweden, with the example badge."""
    open_page(page, f"{server}/targets?lang={lang}")
    assert_no_exception(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(5)
    expect(page.get_by_text("Exempeldata" if lang == "sv" else "Example data").first).to_be_visible()
    national = "Sverige (nationellt): utresande" if lang == "sv" else "Sweden (national): outgoing"
    expect(page.get_by_test_id("stPlotlyChart").nth(4).get_by_text(national).first).to_be_visible()


@pytest.mark.skip(reason="clicks the grid's cell by pixel offset, which misses since the grid opens on the term's "
                         "breakdown (issue 10); the same write path is covered by AppTest in tests/test_counts.py")
def test_an_editor_enters_a_count_and_the_target_chart_changes(server, page):
    """Erasmus teachers out in HT 2018 at NMT go up by ten: target B's 2018 value follows, in text and chart."""
    open_page(page, f"{server}/targets?t_year=2018")
    chart_b = page.get_by_test_id("stPlotlyChart").nth(1)
    expect(page.get_by_text("2018: 25 mot målet 24")).to_be_visible()
    expect(chart_b.get_by_text("35", exact=True)).to_have_count(0)

    open_page(page, f"{server}/{GRID}")
    login(page)
    wait_for_app_run(page)
    grid = page.get_by_test_id("stDataFrame")
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)  # first body row (Erasmus+), programme column
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the "Utresande" column
    page.keyboard.press("Enter")  # open the cell editor, then wait for it to hold the focus before typing
    editor = page.locator("input.gdg-input")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("18")  # was 8 in the example data
    expect(editor).to_have_value("18")
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    expect(page.get_by_text("Ändringar att spara (1)")).to_be_visible()
    page.get_by_role("button", name="Spara antal").click()
    wait_for_app_run(page)
    assert_no_exception(page)

    open_page(page, f"{server}/targets?t_year=2018")
    expect(page.get_by_text("2018: 35 mot målet 24")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").nth(1).get_by_text("35", exact=True)).to_be_visible()
