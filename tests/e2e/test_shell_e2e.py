"""The shell in a real browser: pages open, deep links are gated, a status change reaches a viewer."""

import pytest
from playwright.sync_api import expect

from mobility.i18n import local_today
from mobility.ui.shell import PAGES
from tests.e2e.conftest import assert_no_exception, choose, login, open_page, wait_for_app_run

GATED = [p for p in PAGES if p.role != "viewer"]


def test_an_editor_control_is_hidden_on_a_deep_link_to_a_fresh_server(server, page):
    """The very first request to this server is a deep link; a viewer sees no edit control."""
    open_page(page, f"{server}/overview?activity=B3")
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="B3 · Klar")).to_be_visible()  # the finished plan's end state
    expect(page.get_by_role("button", name="Spara status")).to_have_count(0)
    expect(page.get_by_text("Logga in som redigerare")).to_be_visible()


def test_the_overview_answers_at_its_own_address_as_well_as_at_the_root(server, page):
    """"/" is the overview; "/overview" (in mails and bookmarks) must not say "page not found" once the server's
    routing goes through app.py alone (as it did after anyone opened "/")."""
    for address in ("/", "/overview?lang=en"):
        open_page(page, f"{server}{address}")
        expect(page.get_by_test_id("stDialog")).to_have_count(0)
        expect(page.locator("h1").first).to_contain_text(("Handlingsplan", "Action plan")[address != "/"])
    page.get_by_test_id("stSidebar").get_by_role("link", name="Target progress", exact=True).click()
    wait_for_app_run(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Overview", exact=True).click()
    wait_for_app_run(page)
    expect(page.locator("h1").first).to_contain_text("Action plan")


def test_a_deep_link_connects_at_the_first_try_and_the_menu_still_routes(server, page):
    """Streamlit's page alone asks "/budget/_stcore/health" first and "/_stcore/health" after its 404 and a pause;
    the page served at each page's address names the server (``deep_links``), so one health check is made."""
    checks = []
    page.on("response", lambda r: checks.append((r.url.removeprefix(server), r.status)) if "/health" in r.url else 0)
    open_page(page, f"{server}/budget?lang=en&as_of=2017-06-30")
    expect(page.locator("h1").first).to_have_text("Budget and spending")
    assert checks == [("/_stcore/health", 200)]
    page.get_by_test_id("stSidebar").get_by_role("link", name="Change log", exact=True).click()
    wait_for_app_run(page)
    expect(page.locator("h1").first).to_have_text("Change log")
    assert page.url.removeprefix(server) == "/history?lang=en&as_of=2017-06-30"


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("name", [p.key for p in PAGES])
def test_every_page_opens_without_an_exception(server, page, name, lang):
    """Each page in each language renders a title and no error box."""
    open_page(page, f"{server}/{name}?lang={lang}")
    assert_no_exception(page)
    expect(page.locator("h1").first).to_be_visible()


@pytest.mark.parametrize("name", [p.key for p in GATED])
def test_an_editor_only_page_as_a_fresh_servers_first_request_shows_a_viewer_no_edit_control(fresh_server, page,
                                                                                              name):
    """A deep link is the first thing this server runs: the page explains the login and offers nothing to edit."""
    open_page(page, f"{fresh_server}/{name}")
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Den här sidan kräver att du är inloggad som")).to_be_visible()
    expect(main.locator("h1").first).to_be_visible()
    for control in ("stFormSubmitButton", "stFileUploader", "stDataFrame", "stForm"):
        expect(main.get_by_test_id(control)).to_have_count(0)
    for role in ("button", "textbox", "combobox", "checkbox", "spinbutton"):  # also inside collapsed expanders
        expect(main.get_by_role(role)).to_have_count(0)


def test_an_editor_changes_a_status_and_a_viewer_sees_it_after_reload(server, page, browser):
    """Log in, save a status in force today, then a separate anonymous browser sees it as of today and in the log."""
    today = local_today().isoformat()
    open_page(page, f"{server}/overview?activity=C1&as_of={today}")
    login(page)
    choose(page, "Ny status", "Försenad")
    page.get_by_label("Kommentar").fill("Strategin omarbetas")
    page.get_by_role("button", name="Spara status").click()
    wait_for_app_run(page)
    expect(page.get_by_role("heading", name="C1 · Försenad")).to_be_visible()

    viewer = browser.new_context().new_page()
    open_page(viewer, f"{server}/overview?activity=C1&as_of={today}")
    expect(viewer.get_by_role("heading", name="C1 · Försenad")).to_be_visible()
    expect(viewer.get_by_role("button", name="Spara status")).to_have_count(0)
    open_page(viewer, f"{server}/history?as_of={today}")  # the log up to today
    expect(viewer.get_by_text("Strategin omarbetas")).to_be_visible()
    viewer.context.close()
