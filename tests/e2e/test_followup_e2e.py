"""Chart images and the follow-up report in a real browser: what the prorektor and the meeting actually download."""

import re
import struct
import zipfile
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_no_exception, choose, login, open_page, record_meeting


def png_size(path) -> tuple[int, int]:
    data = open(path, "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_modebar_saves_a_named_png_at_twice_the_size_without_a_logo(server, page, tmp_path):
    """The camera button: 'tidsplan-mobilitetsplan.png', 2× the chart's on-screen pixels, no plotly logo."""
    open_page(page, f"{server}/overview")
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    box = chart.locator(".main-svg").first.bounding_box()
    expect(chart.locator(".modebar-btn--logo")).to_have_count(0)
    with page.expect_download() as download:
        chart.get_by_role("button", name="Download plot as a PNG").click()
    assert download.value.suggested_filename == "tidsplan-mobilitetsplan.png"
    download.value.save_as(tmp_path / "modebar.png")
    assert png_size(tmp_path / "modebar.png") == (round(box["width"]) * 2, round(box["height"]) * 2)


def test_server_side_png_and_the_zip_download_from_the_overview(server, page, tmp_path):
    """The reader picks a print size: the PNG has it and one file-name pattern; the ZIP holds the caption file."""
    open_page(page, f"{server}/overview?lang=en")
    page.get_by_role("button", name="Image for print").click()  # the box builds its picker and buttons on opening
    size = page.get_by_test_id("stSelectbox").filter(has_text="Image size")
    expect(size.get_by_role("combobox")).to_have_value("1920 × 1080 (slides)")
    choose(page, "Image size", "Column 85 mm, 300 dpi")
    expect(size.get_by_role("combobox")).to_have_value("Column 85 mm, 300 dpi")
    with page.expect_download() as download:
        page.get_by_role("button", name="PNG for print").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"timeline-mobility-plan-\d{4}-\d\d-\d\d-column-85mm\.png", name), name
    download.value.save_as(tmp_path / "server.png")
    assert png_size(tmp_path / "server.png")[0] == 1004, "85 mm at 300 dpi"
    with page.expect_download() as download:
        page.get_by_role("button", name="All charts (ZIP)").click()
    assert re.fullmatch(r"charts-\d{4}-\d\d-\d\d-column-85mm\.zip", download.value.suggested_filename)
    download.value.save_as(tmp_path / "charts.zip")
    names = zipfile.ZipFile(tmp_path / "charts.zip").namelist()
    assert any(n.startswith("captions-") for n in names) and sum(n.endswith(".png") for n in names) >= 7
    assert_no_exception(page)


def test_an_editor_records_a_meeting_and_downloads_the_report_as_pdf(server, page, tmp_path):
    """Record a meeting late in the plan; the report since it (the finished plan's end state) is one click away on
    paper, with the meeting's notes and the dates printed."""
    open_page(page, f"{server}/followup")
    login(page)
    record_meeting(page, date(2018, 12, 20), notes="Avstämning i webbläsaren")
    open_page(page, f"{server}/followup")
    expect(page.get_by_text("Ändringar efter 2018-12-20 till och med 2018-12-31")).to_be_visible()
    expect(page.get_by_text("Anteckningar från mötet: Avstämning i webbläsaren")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner PDF").click()
    assert download.value.suggested_filename.startswith("uppfoljning-")
    download.value.save_as(tmp_path / "report.pdf")
    text = PdfReader(tmp_path / "report.pdf").pages[0].extract_text()
    assert "Uppföljning av mobilitetsplanen" in text and "Avstämning i webbläsaren" in text
    assert_no_exception(page)
