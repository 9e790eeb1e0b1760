"""The as-of date in a real browser: moving it moves the plan — status counts and the schedule's date marker."""

import calendar
import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, open_page, wait_for_app_run

SV_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december")


def set_as_of(page, day: str) -> None:
    """Open the sidebar's "Per datum" box, type the date segment by segment and pick it in the calendar, as a reader
    would (each segment checked before the next: a loaded machine drops keys typed in one go)."""
    chosen = date.fromisoformat(day)
    if not page.get_by_role("spinbutton", name="year, Per datum").is_visible():
        page.get_by_test_id("stSidebar").get_by_role("button", name="Per datum").click()  # the box names its date
    for part, value in (("year", chosen.year), ("month", chosen.month), ("day", chosen.day)):
        segment = page.get_by_role("spinbutton", name=f"{part}, Per datum")
        segment.click()
        segment.press_sequentially(f"{value:02}")
        expect(segment).to_have_attribute("aria-valuenow", str(value))
    # The calendar's day names follow the browser's locale, Swedish or English depending on when it read it
    named = re.compile(rf"\b{chosen.day} {SV_MONTHS[chosen.month - 1]} {chosen.year}|"
                       rf"{calendar.month_name[chosen.month]} {chosen.day}, {chosen.year}")
    page.get_by_role("button", name=named).click()
    wait_for_app_run(page)


def test_moving_the_as_of_date_moves_the_status_counts_and_the_schedule_marker(server, page):
    """From March 2017 to the end state: more activities done, and the schedule's dotted line says the new date."""
    open_page(page, f"{server}/overview?as_of=2017-03-15")
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Per datum 2017-03-15").first).to_be_visible()
    chart = main.get_by_test_id("stPlotlyChart").first
    expect(chart.get_by_text("Per datum 2017-03-15")).to_be_visible()
    card_a = main.locator(".st-key-area-A")  # goal area A's status row
    expect(card_a).to_contain_text("0 klara · 6 pågår · 1 sena")

    set_as_of(page, "2018-12-31")
    assert "as_of=" not in page.url  # the default date needs no parameter
    expect(main.get_by_text("Per datum 2018-12-31").first).to_be_visible()
    expect(chart.get_by_text("Per datum 2018-12-31")).to_be_visible()
    expect(card_a).to_contain_text("6 klara · 0 pågår · 1 sena")  # A5, given only a start, ran past its assumed end

    set_as_of(page, "2016-06-30")
    assert "as_of=2016-06-30" in page.url
    expect(chart.get_by_text("Per datum 2016-06-30")).to_be_visible()
    expect(card_a).to_contain_text("0 klara · 2 pågår · 0 sena · 7 ej påbörjade")
    page.get_by_test_id("stSidebar").get_by_role("link", name="Budget").click()  # Streamlit's menu
    wait_for_app_run(page)
    expect(page).to_have_url(re.compile(r"/budget\?.*as_of=2016-06-30"))  # the menu keeps the date
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="Per datum 2016-06-30")).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_text("Per datum 2016-06-30").first).to_be_visible()
