"""The press view as the prorektor screenshots it: one screen at 1920×1080, nothing overlapping, no sidebar."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, open_page, wait_for_charts_drawn


def _boxes(locator):
    return [b for b in (el.bounding_box() for el in locator.all()) if b]


def _overlap(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
            and a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1)


def test_presentation_mode_fits_1920_by_1080_without_scrolling_or_overlaps(server, browser):
    """Five headline cards and three charts, all inside the viewport, none on top of another, sidebar hidden."""
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    open_page(page, f"{server}/press?present=1")
    assert_no_exception(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3)
    wait_for_charts_drawn(page)
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    main = page.get_by_test_id("stMain")
    scroll, client = main.evaluate("m => [m.scrollHeight, m.clientHeight]")
    assert scroll <= client, f"the page scrolls: {scroll} px of content in {client} px"
    cards = _boxes(page.get_by_test_id("stColumn").filter(has=page.get_by_test_id("stMetric")))
    charts = _boxes(page.get_by_test_id("stPlotlyChart"))
    assert (len(cards), len(charts)) == (5, 3)
    boxes = cards + charts
    for i, a in enumerate(boxes):
        assert a["y"] + a["height"] <= 1080 and a["x"] + a["width"] <= 1920, f"box {i} leaves the screen: {a}"
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), f"{a} overlaps {b}"
    page.context.close()


def test_the_normal_press_view_keeps_the_sidebar_and_links_to_presentation_mode(server, page):
    open_page(page, f"{server}/press?lang=en")
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    page.get_by_role("button", name="Presentation mode (no sidebar)").click()
    expect(page).to_have_url(re.compile(r"present=1"))
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_text("The mobility plan in figures")).to_be_visible()
