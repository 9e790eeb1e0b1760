"""Chart images ready for print: every registered chart at every print size has the requested pixels, its text
neither overlaps nor is cut, and the ZIP, the CLI and the page make the same images with a caption for each."""

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date

import plotly.graph_objects as go
import pytest
from PIL import Image

from mobility import exports
from mobility.print_layout import SCREEN, SCREEN_SHORT, SIZES, print_figure
from tests.conftest import ROOT
from tests.svg_text import CHROMIUM, SvgMeasurer, problems

AS_OF = date(2017, 3, 15)
STAMPS = ("EXEMPELDATA", "EXAMPLE DATA")  # drawn across the plot on purpose, translucent
CANVASES = {**SIZES, "screen": SCREEN, "screen-short": SCREEN_SHORT}  # the press view shows the last two

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is needed to render and measure")


@pytest.fixture(scope="module")
def measurer(browser):
    exports._ensure_export_server()
    svg = SvgMeasurer(browser)
    yield svg
    svg.close()


@pytest.fixture(scope="module")
def charts(tmp_path_factory):
    """Every registered chart in both languages, built once from a freshly seeded database (with example data)."""
    from mobility.db import make_engine
    from mobility.plan import init_database

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('print') / 'mobility.db'}")
    init_database(engine)
    built = {(key, lang): spec.make(engine, lang, AS_OF)
             for key, spec in exports.CHARTS.items() for lang in ("sv", "en")}
    engine.dispose()
    return built


PRESS_CHARTS = ("target_a", "target_b", "budget_burn")  # the press view's screen canvases show these


@pytest.mark.parametrize("key, size", [(key, size) for key in exports.CHARTS for size in CANVASES
                                       if size in SIZES or key in PRESS_CHARTS])
def test_every_chart_at_every_print_size_has_its_pixels_and_clean_text(charts, measurer, key, size):
    """The PNG has the size asked for; in the SVG no two text boxes overlap and none is cut by the canvas."""
    lang = "sv" if "x" in size else "en"  # both languages, the narrow canvases with English text
    chart, spec, canvas_size = charts[key, lang], exports.CHARTS[key], CANVASES[size]
    canvas = print_figure(chart.figure, size=canvas_size, lang=lang, as_of=AS_OF, examples=chart.examples,
                          source_key=spec.source_key)
    png = exports.print_image(chart.figure, lang=lang, as_of=AS_OF, examples=chart.examples, size=canvas_size,
                              source_key=spec.source_key)
    pixels = Image.open(io.BytesIO(png)).size
    assert pixels == canvas.pixels
    assert pixels[0] == canvas_size.width and pixels[1] == (canvas_size.height or pixels[1])
    svg = exports.print_image(chart.figure, lang=lang, as_of=AS_OF, examples=chart.examples, size=canvas_size,
                              fmt="svg",
                              source_key=spec.source_key).decode()
    width, height, boxes = measurer.measure(svg)
    texts = " ".join(b.text for b in boxes)
    assert chart.figure.layout.title.text.split()[0] in texts, "the title is on the image"
    assert ("Källa:" if lang == "sv" else "Source:") in texts and "2017" in texts, "source line and date"
    assert (STAMPS[0] if lang == "sv" else STAMPS[1]) in texts or not chart.examples
    assert problems(width, height, boxes, ignore=STAMPS) == []


def test_the_english_source_line_is_english(charts):
    """'Mid Sweden University' in English images, 'Mittuniversitetet' in Swedish ones."""
    en = print_figure(charts["timeline", "en"].figure, lang="en", as_of=AS_OF, examples=False).figure
    sv = print_figure(charts["timeline", "sv"].figure, lang="sv", as_of=AS_OF, examples=False).figure
    english = "Source: International Office, Mid Sweden University · Data as of 15 Mar 2017"
    assert english in en.layout.legend2.title.text
    assert "Källa: International Office, Mittuniversitetet · Data per 2017-03-15" in sv.layout.legend2.title.text


def test_a_figure_is_stamped_once_however_often_it_is_laid_out(charts):
    """Laying out a figure that already carries the stamp keeps one stamp (the page's figures may carry one)."""
    once = print_figure(charts["target_a", "sv"].figure, lang="sv", as_of=AS_OF, examples=True).figure
    twice = print_figure(once, lang="sv", as_of=AS_OF, examples=True).figure
    assert [a.text for a in twice.layout.annotations].count("EXEMPELDATA") == 1


def test_the_zip_holds_every_chart_and_a_caption_for_each(engine):
    """PNG and SVG per chart, one file-name pattern, and a caption block naming each image with title, alt text,
    source, definition and date in the chosen language."""
    archive = zipfile.ZipFile(io.BytesIO(exports.charts_zip(engine, lang="en", as_of=AS_OF, size="1200x675")))
    names = set(archive.namelist())
    stems = {spec.file_stem("en") for spec in exports.CHARTS.values()}
    assert names == {f"{stem}-2017-03-15-1200x675.{fmt}" for stem in stems for fmt in ("png", "svg")} | {
        "captions-2017-03-15-1200x675.txt"}
    blocks = archive.read("captions-2017-03-15-1200x675.txt").decode("utf-8").strip().split("\n\n")
    assert len(blocks) == len(exports.CHARTS)
    for block, stem in zip(blocks, [s.file_stem("en") for s in exports.CHARTS.values()], strict=True):
        lines = block.splitlines()
        assert lines[0] == f"{stem}-2017-03-15-1200x675.png, {stem}-2017-03-15-1200x675.svg"
        fields = dict(line.split(": ", 1) for line in lines[1:6])
        assert list(fields) == ["Title", "Alt text", "Source", "Definition", "Date"]
        assert fields["Alt text"].endswith(".") and fields["Alt text"].count(". ") == 0, "one sentence"
        assert "Mid Sweden University" in fields["Source"] and fields["Date"] == "Data as of 15 Mar 2017"
        assert all(fields.values())
    assert "Outgoing students per year: 114 in 2017 against the target of 125 in 2018" in blocks[1]
    assert "NOTE: example data" in blocks[1], "example data contributes to the target charts"
    assert "NOTE" not in blocks[0], "the schedule holds no example data"


def test_swedish_captions_and_file_names(engine):
    files = exports.chart_files(engine, lang="sv", as_of=AS_OF, formats=("png",), size="column-85mm")
    assert "tidsplan-mobilitetsplan-2017-03-15-spalt-85mm.png" in files
    assert "miun-och-sverige-2017-03-15-spalt-85mm.png" in files
    captions = files["bildtexter-2017-03-15-spalt-85mm.txt"].decode("utf-8")
    assert "Rubrik: Tidsplan för planens aktiviteter" in captions and "Data per 2017-03-15" in captions
    assert "Källa: UKÄ/SCB" in captions, "the Sweden comparison names the national source"


def test_the_cli_and_the_page_make_the_same_image(app, db_url, tmp_path):
    """The schedule drawn on the overview page, exported as its button does, equals the CLI's file (same date)."""
    today = date(2017, 3, 15)
    at = app("overview", lang="en", as_of=today.isoformat())
    figure = go.Figure(json.loads(at.get("plotly_chart")[0].proto.spec))
    page_png = exports.print_image(figure, lang="en", as_of=today, examples=False, size="1200x675")
    done = subprocess.run(
        [sys.executable, "-m", "mobility", "export-charts", str(tmp_path), "--lang", "en", "--size", "1200x675",
         "--as-of", today.isoformat()],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": db_url}, timeout=240)
    assert done.returncode == 0, done.stderr
    cli_png = (tmp_path / f"timeline-mobility-plan-{today.isoformat()}-1200x675.png").read_bytes()
    assert Image.open(io.BytesIO(cli_png)).tobytes() == Image.open(io.BytesIO(page_png)).tobytes()
    assert (tmp_path / f"captions-{today.isoformat()}-1200x675.txt").exists()
    assert len(list(tmp_path.glob("*.png"))) == len(exports.CHARTS)


def test_the_cli_refuses_an_unknown_size(db_url, tmp_path):
    done = subprocess.run([sys.executable, "-m", "mobility", "export-charts", str(tmp_path / "x"), "--size", "A4"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": db_url},
                          timeout=120)
    assert done.returncode != 0 and "--size" in done.stderr and not (tmp_path / "x").exists()
