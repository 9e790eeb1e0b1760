"""Logins that survive a reload: the editor stays in across F5 and new tabs; bad cookies and logout give readers."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from mobility import sessions
from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run

SLOW = 30_000  # a run on a busy machine may take a while; the wait ends as soon as the state is reached


def expect_editor(page) -> None:
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("Inloggad som|Signed in as"))).to_be_visible(
        timeout=SLOW)


def expect_reader(page) -> None:
    """The login box offers a login (Swedish or English) and nobody is signed in."""
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(re.compile("^(Logga in|Log in)$")).first).to_be_visible(timeout=SLOW)
    expect(sidebar.get_by_text(re.compile("Inloggad som|Signed in as"))).to_have_count(0, timeout=SLOW)


def _session_cookie(context) -> dict:
    cookie = next(c for c in context.cookies() if c["name"] == sessions.COOKIE)
    return cookie


def _wait_for_cookie(context) -> dict:
    page = context.pages[0]
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(e => e.name.includes('session/cookie') && e.responseEnd > 0)")
    return _session_cookie(context)


def _with_cookie(browser, server, value: str):
    context = browser.new_context()
    context.add_cookies([{"name": sessions.COOKIE, "value": value, "url": server}])
    return context


def test_an_editor_stays_logged_in_across_reload_and_new_tabs(browser, server):
    """Log in, press F5, open a second tab: still the editor; the cookie is HttpOnly and lasts a working day."""
    context = browser.new_context()
    page = context.new_page()
    open_page(page, server)
    login(page)
    cookie = _wait_for_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert 11 * 3600 < cookie["expires"] - datetime.now(UTC).timestamp() <= 12 * 3600 + 60
    page.reload()
    wait_for_app_run(page)
    expect_editor(page)
    second = context.new_page()
    open_page(second, f"{server}/budget")
    expect_editor(second)
    assert_no_exception(second)
    context.close()


def test_tampered_foreign_and_expired_cookies_give_the_reader_view(browser, server):
    """A changed character, another installation's cookie and an expired one: reader view, no error shown."""
    context = browser.new_context()
    page = context.new_page()
    open_page(page, server)
    login(page)
    good = _wait_for_cookie(context)["value"]
    context.close()
    session_id = good.split(".")[0]
    secret = sessions.secret(Path(_secrets_of(server)))
    tampered = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    foreign = sessions._pack("another installation's secret", "cookie", session_id,
                             datetime.now(UTC) + timedelta(hours=1))
    expired = sessions._pack(secret, "cookie", session_id, datetime.now(UTC) - timedelta(minutes=1))
    for value in (tampered, foreign, expired, "garbage"):
        context = _with_cookie(browser, server, value)
        page = context.new_page()
        open_page(page, f"{server}/counts")
        expect_reader(page)
        assert_no_exception(page)
        context.close()
    # The untouched cookie still works: the refusals above were about the cookie, not the session.
    context = _with_cookie(browser, server, good)
    page = context.new_page()
    open_page(page, server)
    expect_editor(page)
    context.close()


def test_logout_ends_the_session_in_every_tab_and_browser(browser, server):
    """"Logga ut" in one tab: the other tab's next run, a reload and another browser with the cookie are readers."""
    context = browser.new_context()
    first = context.new_page()
    open_page(first, server)
    login(first)
    value = _wait_for_cookie(context)["value"]
    second = context.new_page()
    open_page(second, server)
    expect_editor(second)
    other_browser = _with_cookie(browser, server, value)
    third = other_browser.new_page()
    open_page(third, server)
    expect_editor(third)

    first.get_by_test_id("stSidebar").get_by_role("button", name="Logga ut").click()
    wait_for_app_run(first)
    expect_reader(first)
    second.get_by_test_id("stSidebar").get_by_text("English").click()  # any interaction: the tab's next run
    wait_for_app_run(second)
    expect_reader(second)
    third.reload()
    wait_for_app_run(third)
    expect_reader(third)
    context.close()
    other_browser.close()


def _secrets_of(server: str) -> str:
    """The secrets file of the module's server (conftest writes it next to the server's log)."""
    from tests.e2e import conftest

    return str(conftest.SERVERS[server] / "secrets.toml")
