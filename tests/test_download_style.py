"""One house style (issue 10.8): every table offers CSV then Excel, worded the same on every page; documents read
"Ladda ner <format>"; a page names its source and data date once."""

import pytest

from tests.conftest import EDITOR

CSV, XLSX = "Ladda ner CSV", "Ladda ner Excel (XLSX)"


def download_labels(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


@pytest.mark.parametrize("page", ["budget", "overview", "checklists", "runs"])
def test_every_table_offers_csv_then_excel_in_the_same_words(app, page):
    labels = [label for label in download_labels(app(page, actor=EDITOR)) if label in (CSV, XLSX)]
    assert labels and labels[::2] == [CSV] * (len(labels) // 2) and labels[1::2] == [XLSX] * (len(labels) // 2), labels
    assert all(label.startswith("Ladda ner") or label.endswith(("(vektor)", "för tryck", "(ZIP)"))
               for label in download_labels(app(page, actor=EDITOR)))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_targets_page_names_its_source_and_data_date_once(app, lang):
    """One source line for the page, not a data date under every chart."""
    captions = [c.value for c in app("targets", lang=lang).caption]
    dated = [c for c in captions if ("Data per" if lang == "sv" else "Data as of") in c]
    assert len(dated) == 1 and dated[0].startswith("Källa:" if lang == "sv" else "Source:"), dated
    assert captions[-1] == dated[0], "at the foot of the page"
