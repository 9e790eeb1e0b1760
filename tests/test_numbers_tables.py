"""Numbers as numbers (issue 10.4): the tables on the targets, checklists and runs pages hold numeric columns, so
they sort as numbers and the browser writes them in the page's language, and dates as dates."""

from datetime import date

import pandas as pd
import pytest
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

from mobility import checklist_runs
from tests.conftest import EDITOR

C2 = "c2-staff-partner-visit"


def table_with(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_indicator_table_holds_counts_as_numbers(app, lang):
    at = app("targets", lang=lang)
    table = table_with(at, "Indikator (utan mål)" if lang == "sv" else "Indicator (no target)")
    years = [c for c in table.columns if c.isdigit()]
    assert years and all(is_numeric_dtype(table[y]) for y in years), table.dtypes
    assert table[years].notna().any().any()


def test_the_checklist_library_counts_items_and_versions_as_numbers(app):
    table = table_with(app("checklists", lang="en", q="visa"), "Items")
    assert is_numeric_dtype(table["Items"]) and is_numeric_dtype(table["Last published"])
    assert is_numeric_dtype(table["Matches"]), "the search's hit count too"
    assert table["Items"].min() > 0


def test_the_runs_table_has_numeric_counts_and_real_dates(app, engine):
    checklist_runs.start_run(engine=engine, actor=EDITOR, key=C2, label="Anna, Lyon", reference_date=date(2018, 9, 1))
    table = table_with(app("runs", lang="en", actor=EDITOR), "Ticked")
    table = table[table["Case"] == "Anna, Lyon"]
    for column in ("Ticked", "Items", "Overdue", "Done"):
        assert is_numeric_dtype(table[column]), (column, table[column].dtype)
    assert table["Items"].iloc[0] > 0 and table["Ticked"].iloc[0] == 0
    assert table["Reference date"].iloc[0] == pd.Timestamp(2018, 9, 1)
    assert is_datetime64_any_dtype(table["Reference date"]) and is_datetime64_any_dtype(table["Next due"])
