"""Counts and targets in a real browser: an editor types a count into the grid and the target chart follows."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

GRID = "counts?c_year=2018&c_term=HT&c_group=teacher"


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


def test_an_editor_enters_a_count_and_the_target_chart_changes(server, page):
    """Erasmus teachers out in HT 2018 at NMT go up by ten: target B's 2018 value follows, in text and chart."""
    open_page(page, f"{server}/targets?t_year=2018")
    chart_b = page.get_by_test_id("stPlotlyChart").nth(1)
    expect(page.get_by_text("2018: 25 mot målet 24")).to_be_visible()
    expect(chart_b.get_by_text("35", exact=True)).to_have_count(0)

    open_page(page, f"{server}/{GRID}")
    login(page)
    wait_for_app_run(page)
    # The grid draws on a canvas and keeps an accessible table inside it: the NMT · outgoing row's Erasmus+ cell
    # is found there by what the row says, not by pixel offsets. Keyboard focus into the grid first (an arrow key
    # starts a selection at its first cell), then focusing the cell moves the grid's selection onto it.
    grid = page.get_by_test_id("stDataFrame").first
    row = grid.locator("tbody tr").filter(has=page.locator("td:text-is('NMT')")).filter(
        has=page.locator("td:text-is('Utresande')"))
    cell = row.locator("td").nth(3)
    expect(cell).to_have_text("8")  # the example data's value
    grid.get_by_test_id("data-grid-canvas").focus()
    page.keyboard.press("ArrowDown")
    expect(grid.locator("td[aria-selected='true']")).to_have_count(1)
    cell.focus()
    expect(cell).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # open the cell editor, then wait for it to hold the focus before typing
    editor = page.locator("input.gdg-input")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("18")
    expect(editor).to_have_value("18")
    # The editor's React state follows the input on its next render; Enter before that would commit the old value.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.keyboard.press("Enter")
    expect(cell).to_have_text("18")  # the grid holds the new value
    wait_for_app_run(page)
    expect(page.get_by_text("Ändringar att spara (1)")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Erasmus+ · NMT")
    page.get_by_role("button", name="Spara antal").click()
    wait_for_app_run(page)
    assert_no_exception(page)
    expect(page.get_by_text("1 antal sparade.")).to_be_visible()

    open_page(page, f"{server}/targets?t_year=2018")
    expect(page.get_by_text("2018: 35 mot målet 24")).to_be_visible()
    expect(page.get_by_test_id("stPlotlyChart").nth(1).get_by_text("35", exact=True)).to_be_visible()
