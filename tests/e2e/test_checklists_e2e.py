"""Checklists in a real browser: a reader searches and downloads Word; an editor starts a case and ticks an item."""

import io

from docx import Document
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, choose, login, open_page, wait_for_app_run


def test_a_reader_searches_the_library_and_downloads_word(server, page):
    """Deep link with a search; the draft mark shows; the DOCX holds the checklist; no edit control."""
    open_page(page, f"{server}/checklists?q=visum&checklist=a4-country-au")
    assert_no_exception(page)
    expect(page.get_by_text("1 av 10 checklistor").or_(page.get_by_text("av 10 checklistor"))).to_be_visible()
    expect(page.get_by_role("heading", name="Landchecklista för utresande studenter: Australien")).to_be_visible()
    expect(page.get_by_text("Utkast – ej publicerad")).to_be_visible()
    expect(page.get_by_role("button", name="Spara utkastet")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner Word (DOCX)").click()
    doc = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Landchecklista för utresande studenter: Australien" in body and "subclass 500" in body


def test_an_editor_starts_a_case_ticks_an_item_and_sees_who_did_it(server, page):
    """Runs are for editors: log in, start a C2 case with a reference date, tick the first item."""
    open_page(page, f"{server}/runs")
    expect(page.get_by_text("kräver att du är inloggad")).to_be_visible()
    login(page)
    page.get_by_text("Påbörja en checklista").click()
    choose(page, "Checklista", "Checklista för partnerbesök – utresande administrativ personal")
    page.get_by_label("Etikett").fill("Personal, ekonomi, partner X, maj 2027")
    page.get_by_role("spinbutton", name="year, Referensdatum").click()
    page.keyboard.type("20270503")  # the segments advance year → month → day
    page.keyboard.press("Escape")  # close the calendar, which otherwise lies over the button
    page.get_by_role("button", name="Påbörja").click()
    wait_for_app_run(page)
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Personal, ekonomi, partner X, maj 2027")).to_be_visible()
    page.get_by_text("Formulera vad du vill lära dig").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Avbockad av io.editor")).to_be_visible()
    expect(page.get_by_text("1 av 22 punkter klara")).to_be_visible()
