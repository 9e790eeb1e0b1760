"""One house style for downloads (issue 10.8): every table offers CSV then Excel, worded the same on every page, and
documents read "Ladda ner <format>"."""

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
