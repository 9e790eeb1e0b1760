"""The shell in a real browser: pages open, deep links are gated, a status change reaches a viewer."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, choose, login, open_page, wait_for_app_run

PAGES = ["overview", "history", "accounts"]


def test_an_editor_control_is_hidden_on_a_deep_link_to_a_fresh_server(server, page):
    """The very first request to this server is a deep link; a viewer sees no edit control."""
    open_page(page, f"{server}/overview?activity=B3")
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="B3 · Planerad")).to_be_visible()
    expect(page.get_by_role("button", name="Spara status")).to_have_count(0)
    expect(page.get_by_text("Logga in som redigerare")).to_be_visible()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_without_an_exception(server, page, name, lang):
    """Each page in each language renders a title and no error box."""
    open_page(page, f"{server}/{name}?lang={lang}")
    assert_no_exception(page)
    expect(page.locator("h1").first).to_be_visible()


def test_an_editor_changes_a_status_and_a_viewer_sees_it_after_reload(server, page, browser):
    """Log in, save a status, then a separate anonymous browser sees it on the overview and in the log."""
    open_page(page, f"{server}/overview?activity=C1")
    login(page)
    choose(page, "Ny status", "Klar")
    page.get_by_label("Kommentar").fill("Strategin antagen")
    page.get_by_role("button", name="Spara status").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="C1 · Klar")).to_be_visible()

    viewer = browser.new_context().new_page()
    open_page(viewer, f"{server}/overview?activity=C1")
    expect(viewer.get_by_role("heading", name="C1 · Klar")).to_be_visible()
    expect(viewer.get_by_role("button", name="Spara status")).to_have_count(0)
    open_page(viewer, f"{server}/history")
    expect(viewer.get_by_text("Strategin antagen")).to_be_visible()
    viewer.context.close()
