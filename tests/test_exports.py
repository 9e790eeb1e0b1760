"""Chart images of the requested size, every chart in the ZIP, and spreadsheets that run no formula."""

import io
import struct
import subprocess
import sys
from datetime import date

import openpyxl
import pandas as pd
import pytest

from mobility import exports
from mobility.activities import activity_table
from mobility.i18n import local_today
from mobility.service import audit, write_transaction
from tests.conftest import EDITOR, ROOT

TODAY = date(2017, 3, 15)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR is always the first chunk)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module", autouse=True)
def _export_server():
    """Start the one export Chromium once for the module, as the app does once per process."""
    exports._ensure_export_server()
    yield


def test_a_chart_png_has_exactly_the_requested_pixels(engine):
    """A print size is the output's pixels, a real PNG that Pillow can decode (every size: tests/test_print.py)."""
    from PIL import Image

    data = exports.chart_image(engine, "timeline", lang="sv", as_of=TODAY, size="1920x1080")
    assert png_size(data) == (1920, 1080)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (1920, 1080)
    low, high = image.convert("L").getextrema()
    assert high - low > 100, "the image has content, not one flat colour"


def test_svg_export_is_an_svg_with_the_chart_title(engine):
    """Vector for print, with the language's title in it."""
    svg = exports.chart_image(engine, "timeline", lang="en", as_of=TODAY, fmt="svg").decode()
    assert svg.startswith("<svg") and "Schedule of the plan" in svg


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        exports.figure_image(exports.go.Figure(), fmt="eps")


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'])
def test_formula_like_text_is_neutralised(text):
    """A leading apostrophe: the spreadsheet shows the text and runs nothing."""
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Erasmus+", "A1", "", "1-2", "kr -5", 5, -5, None])
def test_ordinary_values_are_left_alone(value):
    assert exports.neutralise(value) == value


def _hostile_status(engine) -> None:
    """An editor's comment (and audit entry) that a spreadsheet would run as a formula."""
    version = int(activity_table(engine, TODAY).set_index("code").loc["A1", "version"])
    from mobility.activities import set_status

    set_status(engine=engine, actor=EDITOR, code="A1", status="ongoing", comment='=HYPERLINK("http://evil","x")',
               expected_version=version)
    with write_transaction(engine, EDITOR) as session:
        audit(session, EDITOR, action="enter_count", entity="count", key="@2017", after={"n": 12})


def test_the_workbook_has_a_sheet_per_table_and_no_formula(engine, tmp_path):
    """XLSX: activities and audit, every cell a value, the hostile text shown as text."""
    _hostile_status(engine)
    workbook = exports.export_workbook(engine, as_of=local_today())  # the hostile entries were made today
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    assert book.sheetnames == list(exports.SHEETS) == ["activities", "counts", "spending", "checklists", "deliverables",
                                                         "communications", "meetings", "meeting_minutes", "audit"]
    activities = book["activities"]
    assert activities.max_row == 1 + 28
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "no cell is a formula"
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert "'@2017" in texts
    assert any('comment": "=HYPERLINK' in v for v in texts), "the audit's JSON keeps the text as written"
    assert not [v for v in texts if v.startswith(exports.FORMULA_PREFIXES)]


def test_csv_is_neutralised_and_excel_friendly():
    """UTF-8 with BOM (å ä ö in Excel), formulas defused, numbers untouched."""
    df = pd.DataFrame({"text": ["=1+1", "Härnösand"], "n": [-3, 4]})
    data = exports.to_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["text,n", "'=1+1,-3", "Härnösand,4"]


def run_cli(*args, db_url):
    import os

    return subprocess.run([sys.executable, "-m", "mobility", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": db_url}, timeout=180)


def test_cli_export_charts_writes_each_chart_at_the_requested_size(engine, db_url, tmp_path):
    """``export-charts OUTDIR --size --as-of``: one PNG per chart at the print size, and the caption file."""
    done = run_cli("export-charts", str(tmp_path / "out"), "--lang", "en", "--size", "2400x1350", "--as-of",
                   "2017-03-15", db_url=db_url)
    assert done.returncode == 0, done.stderr
    files = sorted((tmp_path / "out").glob("*.png"))
    assert [f.name for f in files] == sorted(f"{s.file_stem('en')}-2017-03-15-2400x1350.png"
                                             for s in exports.CHARTS.values())
    assert {png_size(f.read_bytes()) for f in files} == {(2400, 1350)}
    assert (tmp_path / "out" / "captions-2017-03-15-2400x1350.txt").exists()


def test_cli_export_writes_the_workbook_and_refuses_bad_input(engine, db_url, tmp_path):
    """``export FILE.xlsx`` works; a wrong suffix or a zero size is an error that writes nothing."""
    done = run_cli("export", str(tmp_path / "all.xlsx"), db_url=db_url)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames == list(exports.SHEETS)
    bad = run_cli("export", str(tmp_path / "all.csv"), db_url=db_url)
    assert bad.returncode != 0 and ".xlsx" in bad.stderr and not (tmp_path / "all.csv").exists()
    bad = run_cli("export-charts", str(tmp_path / "none"), "--as-of", "2017-02-30", db_url=db_url)
    assert bad.returncode != 0 and "not a date" in bad.stderr and not (tmp_path / "none").exists()


def test_the_history_page_offers_neutralised_csv_and_xlsx(app, engine):
    """The change log's downloads go through the same neutralising writer."""
    _hostile_status(engine)
    at = app("history", as_of=local_today().isoformat())
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Ladda ner CSV", "Ladda ner Excel (XLSX)"]


def test_empty_sheets_of_the_followup_tables_still_have_their_header_row(bare_engine):
    """Before anything is logged: communications, meetings and minutes are sheets with named columns."""
    book = openpyxl.load_workbook(io.BytesIO(exports.export_workbook(bare_engine, as_of=TODAY)))
    for name, column in (("communications", "channel"), ("meetings", "chair"), ("meeting_minutes", "what")):
        header = next(book[name].iter_rows(values_only=True))
        assert column in header and book[name].max_row == 1
