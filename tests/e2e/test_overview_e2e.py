"""The overview and the house style in a real browser: status above the fold on a laptop, numbers that sort as
numbers, no serious accessibility violation on any page, and the routine edit done with the keyboard alone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from mobility.i18n import t
from mobility.overview import VERDICTS
from mobility.ui.shell import PAGES
from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, assert_no_exception, open_page, wait_for_app_run

LAPTOP = {"width": 1280, "height": 720}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def laptop_page(browser, height: int = 720, width: int = 1280):
    return browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True).new_page()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_areas_status_is_visible_without_scrolling_on_a_laptop(server, browser, lang):
    """1280×720 with the sidebar open: each goal area's verdict is on the first screen; <html lang> is the page's."""
    page = laptop_page(browser)
    open_page(page, f"{server}/overview?lang={lang}")
    assert_no_exception(page)
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    verdicts = re.compile("|".join(re.escape(t(f"overview.verdict.{v}", lang)) for v in VERDICTS))
    for code in "ABCDE":
        verdict = page.locator(f".st-key-area-{code}").get_by_text(verdicts).first
        expect(verdict).to_be_visible()
        box = verdict.bounding_box()
        assert box["y"] + box["height"] <= LAPTOP["height"], f"area {code}'s status is below the fold"
    assert page.evaluate("document.documentElement.lang") == lang
    page.context.close()


def test_sorting_the_budget_table_by_spent_sorts_numerically(server, browser):
    """Click the "Förbrukat (kr)" heading: 3 450 comes before 17 700 and 28 500, as numbers do."""
    page = laptop_page(browser, height=3000, width=1400)  # the whole table on screen: headings are on a canvas
    open_page(page, f"{server}/budget")
    grid = page.get_by_test_id("stDataFrame").nth(1)
    heading = grid.locator("th").nth(4)
    expect(heading).to_have_text("Förbrukat (kr)", timeout=30_000)
    box = grid.bounding_box()
    for x in range(20, int(box["width"]), 45):  # find the heading on the canvas as a sighted user would
        page.mouse.click(box["x"] + x, box["y"] + 18)
        try:
            expect(heading).to_have_text(re.compile("^↑"), timeout=1_500)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("could not sort by Förbrukat (kr)")
    spent = grid.evaluate("e => [...e.querySelectorAll('tr')].slice(1).map(r => r.querySelectorAll('td')[4]"
                          ".textContent)")
    values = [float(v) for v in spent if v]
    assert values == sorted(values) and len(values) == 28
    assert values != sorted(values, key=str)  # "3450" < "17700" only as numbers
    page.context.close()


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {n['html'][:160]} {n['failureSummary'][:200]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical") for n in v["nodes"][:3]]


@pytest.mark.parametrize("role", ["viewer", "editor"])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_page_has_a_serious_or_critical_accessibility_violation(server, browser, lang, role):
    """axe-core (WCAG 2.1 A and AA rules) on every page a reader or an editor can open, in both languages."""
    page = laptop_page(browser)
    open_page(page, f"{server}/overview?lang={lang}")
    if role == "editor":
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text(t("auth.login", lang)).first.click()
        sidebar.get_by_role("textbox", name=t("auth.username", lang)).fill(EDITOR)
        sidebar.get_by_role("textbox", name=t("auth.password", lang)).fill(EDITOR_PASSWORD)
        sidebar.get_by_role("button", name=t("auth.login", lang)).click()
        wait_for_app_run(page)
    found = {}
    for spec in PAGES:
        if spec.role == "admin" or (spec.role == "editor" and role == "viewer"):
            continue
        page.get_by_test_id("stSidebar").get_by_role("link", name=t(f"page.{spec.key}", lang), exact=True).click()
        wait_for_app_run(page)
        expect(page.locator("h1").first).to_be_visible()
        assert page.evaluate("document.documentElement.lang") == lang
        if violations := axe_violations(page):
            found[spec.key] = violations
    assert not found, found
    page.context.close()


def tab_until(page, matches: str, limit: int) -> int:
    """Press Tab until the focused element matches the JS predicate ``matches``; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({matches}); }})()"):
            return presses
    raise AssertionError(f"not reached in {limit} Tab presses: {matches}")


def test_keyboard_only_log_in_choose_a_filter_and_save_a_status(server, browser):
    """No mouse: the skip link is the first stop; log in, filter the table to area C, save C1 as done."""
    page = laptop_page(browser)
    open_page(page, f"{server}/overview?activity=C1")
    page.locator("#skip-to-fields").wait_for(state="attached")  # the page's script puts it in place
    assert tab_until(page, "e.id === 'skip-to-fields'", 3) <= 3
    expect(page.locator("#skip-to-fields")).to_be_visible()  # shown when focused
    # Log in from the sidebar
    tab_until(page, "e.tagName === 'SUMMARY' && e.textContent.includes('Logga in')", 40)
    page.keyboard.press("Enter")
    page.get_by_label("Användarnamn").wait_for()  # the box opens on the next frame
    tab_until(page, "e.getAttribute('autocomplete') === 'username'", 5)
    page.keyboard.type(EDITOR)
    page.keyboard.press("Tab")
    page.keyboard.type(EDITOR_PASSWORD)
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    expect(page.get_by_text("Inloggad som")).to_be_visible()
    # The first filter: skip link, then type into the area filter
    tab_until(page, "e.id === 'skip-to-fields'", 80)  # round the page back to the top
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('[data-testid=stMultiSelect]') !== null"), \
        "the skip link lands on the first filter"
    page.keyboard.type("C Adm")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_app_run(page)
    expect(page.get_by_text("3 av 28 aktiviteter")).to_be_visible()
    # The status form at the top of the activity
    tab_until(page, "e.closest('[data-testid=stSelectbox]') && e.closest('[data-testid=stForm]')", 120)
    page.keyboard.type("Klar")  # the list narrows to the one status
    page.get_by_role("option", name="Klar", exact=True).wait_for()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Klart, via tangentbordet")
    # past the effective date (its year, month and day segments and calendar button)
    tab_until(page, "e.tagName === 'BUTTON' && e.textContent.includes('Spara status')", 10)
    page.keyboard.press("Enter")
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="C1 · Klar")).to_be_visible()
    page.context.close()
