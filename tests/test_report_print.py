"""Follow-up documents that read well: a summary first, empty sections on one line, the example label, and files
that name their title, language and author."""

import io
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from mobility import followup, report
from mobility.activities import activity_table
from mobility.examples import remove_example_data
from mobility.service import SYSTEM

SINCE, TODAY = date(2017, 2, 1), date(2017, 3, 15)


@pytest.fixture
def data(engine):
    return followup.followup_report(engine, since=SINCE, as_of=TODAY)


@pytest.mark.parametrize("lang, tag, title", [("sv", "sv-SE", "Uppföljning av mobilitetsplanen"),
                                               ("en", "en-GB", "Follow-up of the mobility plan")])
def test_the_pdf_names_its_language_and_title_and_opens_with_the_summary(data, lang, tag, title):
    """Metadata: /Lang on the catalogue, the title (shown in the window), the author; page 1 holds the summary."""
    pdf = PdfReader(io.BytesIO(report.render(data, "pdf", lang)))
    assert pdf.trailer["/Root"]["/Lang"] == tag
    assert pdf.metadata.title == title and "International Office" in pdf.metadata.author
    assert pdf.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 (a PDF boolean object)
    first = pdf.pages[0].extract_text()
    summary = "Sammanfattning" if lang == "sv" else "Summary"
    assert summary in first and "1 560 500" in first.replace("\u00a0", " ").replace(",", " ")
    for area in data["summary"]["areas"]:
        assert area["code"] + " " + getattr(area["name"], lang).split()[0] in first, area["code"]  # cells wrap
    late = "Försenade (1): A1." if lang == "sv" else "Late (1): A1."
    assert late in first
    assert pdf.outline[0].title == title, "an outline of the headings"


def test_the_docx_sets_title_language_and_author(data):
    doc = Document(io.BytesIO(report.render(data, "docx", "en")))
    props = doc.core_properties
    assert (props.title, props.language) == ("Follow-up of the mobility plan", "en-GB")
    assert props.author == "International Office, Mid Sweden University"
    texts = [p.text for p in doc.paragraphs]
    assert texts[:4] == ["Follow-up of the mobility plan",
                         "Changes after 1 Feb 2017 up to and including 15 Mar 2017; status as of 15 Mar 2017"
                         " · Example data",
                         "EXAMPLE DATA: this report rests partly on example data, not real figures. "
                         "Do not circulate it.", "Summary"]
    assert doc.tables[0].rows[0].cells[0].text == "Goal area" and len(doc.tables[0].rows) == 1 + 5


def test_empty_sections_take_one_line(data):
    """'Starting in the coming months: nothing to report.' instead of a heading with (0) and a line under it."""
    md = report.render(data, "md", "en").decode()
    assert "*Starting in the coming months: nothing to report.*" in md and "(0)" not in md
    assert "### Overdue activities (1)" in md
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report.render(data, "pdf", "sv"))).pages)
    assert "Startar de närmaste månaderna: inget att rapportera." in pdf_text and "(0)" not in pdf_text


def test_the_example_label_goes_when_the_example_data_goes(engine):
    with_examples = report.render(followup.followup_report(engine, since=SINCE, as_of=TODAY), "md", "sv").decode()
    assert "EXEMPELDATA" in with_examples
    remove_example_data(engine=engine, actor=SYSTEM)
    without = report.render(followup.followup_report(engine, since=SINCE, as_of=TODAY), "md", "sv").decode()
    assert "EXEMPELDATA" not in without and "## Sammanfattning" in without


def test_english_documents_carry_no_swedish_plan_text_that_has_a_translation(engine, data):
    """Activity titles and area names in English; the Swedish title never shows in an English file."""
    table = activity_table(engine, TODAY)
    swedish = [r.title_sv for r in table.itertuples() if r.title_en and r.title_en != r.title_sv]
    swedish += [a["name"].sv for a in data["summary"]["areas"] if a["name"].en != a["name"].sv]
    md = report.render(data, "md", "en").decode()
    docx = "\n".join([p.text for p in Document(io.BytesIO(report.render(data, "docx", "en"))).paragraphs]
                     + [c.text for tbl in Document(io.BytesIO(report.render(data, "docx", "en"))).tables
                        for row in tbl.rows for c in row.cells])
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.render(data, "pdf", "en"))).pages)
    pdf = " ".join(pdf.split())
    for text in swedish:
        assert text not in md and text not in docx and " ".join(text.split())[:60] not in pdf, text
