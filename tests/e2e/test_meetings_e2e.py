"""A minuted meeting in a real browser: its open action is on the next meeting's report until it is done."""

from datetime import date

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, login, open_page, record_meeting


def test_an_action_from_one_meeting_is_open_on_the_next_meetings_report(server, page):
    """17 Dec 2018: a decision and an action; the meeting of 20 Dec: the action is still open on the plan's last day,
    whose report follows up the 20 Dec meeting."""
    open_page(page, f"{server}/followup")
    login(page)
    record_meeting(page, date(2018, 12, 17), decision="C1 prioriteras",
           action="Skicka utkast till KOM ; Maria Laven ; 2019-01-15")
    record_meeting(page, date(2018, 12, 20))
    open_page(page, f"{server}/followup")
    expect(page.get_by_text("Ändringar efter 2018-12-20 till och med 2018-12-31")).to_be_visible()
    report = page.get_by_role("table").filter(has_text="Skicka utkast till KOM").first
    expect(report).to_be_visible()
    expect(report).to_contain_text("Maria Laven")
    expect(page.get_by_text("Öppna åtgärder (1)").first).to_be_visible()
    assert_no_exception(page)
