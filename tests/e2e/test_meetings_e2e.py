"""A minuted meeting in a real browser: its open action is on the next meeting's report until it is done."""

from datetime import timedelta

from playwright.sync_api import expect

from mobility.i18n import local_today
from tests.e2e.conftest import assert_no_exception, login, open_page, wait_for_app_run


def record(page, day, *, decision: str = "", action: str = "") -> None:
    form = page.get_by_test_id("stForm").filter(has_text="Registrera ett möte")
    for part, value in (("year", f"{day.year}"), ("month", f"{day.month:02}"), ("day", f"{day.day:02}")):
        segment = form.get_by_role("spinbutton", name=f"{part}, Mötesdatum")
        segment.click()
        segment.press_sequentially(value)
    expect(form.get_by_role("spinbutton", name="day, Mötesdatum")).to_have_attribute("aria-valuenow", str(day.day))
    form.get_by_label("Ordförande").fill("Avdelningschefen")
    if decision:
        form.get_by_label("Beslut (ett per rad)").fill(decision)
    if action:
        form.get_by_role("textbox", name="Åtgärder").fill(action)
    form.get_by_role("button", name="Spara mötet").click()
    wait_for_app_run(page)
    expect(page.get_by_text("är sparat")).to_be_visible()


def test_an_action_from_one_meeting_is_open_on_the_next_meetings_report(server, page):
    """Yesterday: a decision and an action; today's meeting: the action is listed under open actions."""
    today = local_today()
    open_page(page, f"{server}/followup")
    login(page)
    record(page, today - timedelta(days=1), decision="C1 prioriteras",
           action=f"Skicka utkast till KOM ; Maria Laven ; {(today + timedelta(days=7)).isoformat()}")
    record(page, today)
    open_page(page, f"{server}/followup")
    expect(page.get_by_text(f"Ändringar från och med {today.isoformat()}")).to_be_visible()  # since today's meeting
    report = page.get_by_test_id("stTable").filter(has_text="Skicka utkast till KOM").first
    expect(report).to_be_visible()
    expect(report).to_contain_text("Maria Laven")
    expect(page.get_by_text("Öppna åtgärder (1)").first).to_be_visible()
    assert_no_exception(page)
