"""One house style (issue 10.8): every table offers CSV then Excel, worded the same on every page; documents read
"Ladda ner <format>"; a page names its source and data date once."""

import pytest

from mobility.i18n import t
from tests.conftest import EDITOR, open_image_boxes

CSV, XLSX = "Ladda ner CSV", "Ladda ner Excel (XLSX)"


def download_labels(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


@pytest.mark.parametrize("page", ["budget", "overview", "checklists", "runs"])
def test_every_table_offers_csv_then_excel_in_the_same_words(app, page):
    at = open_image_boxes(app(page, actor=EDITOR))
    labels = [label for label in download_labels(at) if label in (CSV, XLSX)]
    assert labels and labels[::2] == [CSV] * (len(labels) // 2) and labels[1::2] == [XLSX] * (len(labels) // 2), labels
    assert all(label.startswith("Ladda ner") or label.endswith(("(vektor)", "för tryck", "(ZIP)"))
               for label in download_labels(at))


SOURCE = {"sv": ("Källa:", "Data per"), "en": ("Source:", "Data as of")}
SOURCED_PAGES = ["targets", "overview", "budget", "followup", "communications"]


@pytest.mark.parametrize("page", SOURCED_PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_page_names_its_source_and_data_date_once_at_its_foot(app, page, lang):
    """One source line for the page, not a data date under every chart or table."""
    source, as_of = SOURCE[lang]
    captions = [c.value for c in app(page, lang=lang).main.caption]
    dated = [c for c in captions if as_of in c]
    assert len(dated) == 1 and dated[0].startswith(source), dated
    assert [c for c in captions if c != t("auth.edit_hint", lang)][-1] == dated[0], "at the foot of the page"


def test_the_budget_says_its_date_under_the_title_and_in_the_source_line_only(app):
    """Under the tables and the burn chart the date no longer repeats (it was in three captions)."""
    captions = [c.value for c in app("budget", as_of="2017-06-30").main.caption]
    source_line = t("print.source_line", "sv", source=t("print.source.io", "sv"), date="2017-06-30")
    assert [c for c in captions if "2017-06-30" in c] == ["Per datum 2017-06-30", source_line]


@pytest.mark.parametrize("page", ["budget", "press", "targets"])
def test_what_a_chart_image_holds_is_said_behind_its_size_not_under_every_chart(app, page):
    at = app(page)
    assert not [s for s in at.selectbox if s.label == "Bildstorlek"]  # closed boxes: nothing built for print yet
    open_image_boxes(at)
    sizes = [s for s in at.selectbox if s.label == "Bildstorlek"]
    assert len(sizes) >= 2, page
    assert all(s.help and "källa och datum" in s.help for s in sizes)
    assert not [c.value for c in at.main.caption if "Bilden görs för tryck" in c.value]
