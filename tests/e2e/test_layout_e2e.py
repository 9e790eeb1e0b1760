"""Layout on a 1280×720 laptop with the sidebar open (issue 10.8): the title sits right under the header bar, and the
editors' wide tables (a term's counts, the checklist runs) show their last column without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from mobility.i18n import t
from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

LAPTOP = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def editor(server, browser):
    """One logged-in editor tab at laptop size for the module (the login cookie carries it from page to page)."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    open_page(page, f"{server}/overview")
    login(page)
    yield page
    context.close()


def geometry(page) -> dict:
    """Where the header bar ends, where the title's first line box starts, and whether the controls in the bar
    are on screen and on top (what a click there would hit)."""
    return page.evaluate("""() => {
        const box = e => e.getBoundingClientRect();
        const hit = e => { const b = box(e); return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2)
                                                     ?.closest('button') === e.closest('button'); };
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('h1'));
        const menu = document.querySelector("[data-testid='stMainMenuButton']");
        const collapse = document.querySelector("[data-testid='stSidebarCollapseButton'] button");
        return {header: box(document.querySelector("[data-testid='stHeader']")).bottom, title: box(range).top,
                menu: box(menu).top >= 0 && box(menu).right <= innerWidth && hit(menu), collapse: hit(collapse)};
    }""")


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("path", ["overview", "budget", "history", "counts"])
def test_the_title_sits_right_under_a_header_that_keeps_its_menu(server, editor, path, lang):
    """Streamlit's default leaves about 100 px above a title; ours starts within 48 px of the top, below the
    header bar (which would otherwise paint over the top of its letters), and the menu stays visible and usable."""
    open_page(editor, f"{server}/{path}?lang={lang}")
    assert_no_exception(editor)
    editor.get_by_test_id("stSidebarHeader").hover()  # the sidebar's collapse button shows on hover
    expect(editor.get_by_test_id("stSidebarCollapseButton")).to_be_visible()
    where = geometry(editor)
    assert where["header"] <= where["title"] <= 48, where
    assert where["menu"] and where["collapse"], where


def last_header_in_view(page, grid) -> None:
    """The grid scrolls no sideways and its last column's heading is drawn (the grid keeps an accessible table
    of the headings it draws: a column scrolled out of view is not in it)."""
    expect(grid.locator("th").first).to_be_attached()
    scroller = grid.locator(".dvn-scroller")
    sizes = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert sizes[0] <= sizes[1], f"the grid scrolls sideways: {sizes[0]} px of columns in {sizes[1]} px"
    assert grid.bounding_box()["x"] + grid.bounding_box()["width"] <= LAPTOP["width"]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("every", [False, True])
def test_a_terms_counts_grid_shows_every_programme_without_scrolling_sideways(server, editor, lang, every):
    """All nine programmes, the last one too, with their short headings (the full name in the column's help)."""
    open_page(editor, f"{server}/counts?lang={lang}&c_year=2018&c_term=VT&c_group=student")
    grid = editor.get_by_test_id("stDataFrame").first
    if every:  # rows for every level × faculty, "All" rows and the third cycle among them
        editor.get_by_text(t("counts.grid.every_breakdown", lang)).click()
        wait_for_app_run(editor)
        expect(grid.locator("td").filter(has_text=t("counts.grid.short.level.third", lang)).first).to_be_attached()
    assert_no_exception(editor)
    last_header_in_view(editor, grid)
    expect(grid.locator("th").last).to_have_text(t("counts.grid.short.other", lang))
    expect(grid.locator("th")).to_have_count(12)
    legend = editor.get_by_text(t("counts.programme.freemover_no_fee", lang), exact=False)
    expect(legend.first).to_be_visible()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_runs_table_shows_its_overdue_and_next_due_columns_without_scrolling_sideways(server, editor, lang):
    open_page(editor, f"{server}/runs?lang={lang}&archived=true")
    assert_no_exception(editor)
    grid = editor.get_by_test_id("stDataFrame").first
    last_header_in_view(editor, grid)
    headings = grid.locator("th")
    expect(headings.last).to_have_text(t("runs.col.next_due", lang))
    expect(headings.filter(has_text=t("runs.col.overdue", lang))).to_have_count(1)
