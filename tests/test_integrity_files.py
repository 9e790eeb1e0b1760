"""Hostile files are refused by both imports with a message naming the limit or the row, changing nothing.

The corpus is generated (tests/hostile_files.py); scripts/bench_imports.py times each refusal (goal ≤ 2 s).
"""

import tracemalloc
from datetime import date

import pytest

from mobility import counts, spending
from mobility.audit import audit_entries
from mobility.budget import ledger_summary
from mobility.parsing import parse_amount, parse_day
from mobility.service import ValidationError, data_version
from tests.conftest import EDITOR
from tests.hostile_files import corpus

CORPUS = corpus()
TODAY = date(2026, 11, 28)


def state(engine):
    return data_version(engine), len(audit_entries(engine, limit=100_000)), ledger_summary(engine), \
        counts.count_rows(engine)


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_hostile_file_is_refused_by_both_imports_and_nothing_changes(engine, name):
    """The refusal names the limit or the row; memory stays small while reading (a few MB, not gigabytes)."""
    data, expected = CORPUS[name]
    before = state(engine)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as refused_counts:
            counts.import_counts(engine=engine, actor=EDITOR, data=data, filename="upload.xlsx")
        with pytest.raises(ValidationError) as refused_spending:
            spending.import_spend(engine=engine, actor=EDITOR, data=data, filename="upload.csv", lang="en",
                                  today=TODAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    for refused in (refused_counts, refused_spending):
        assert any(expected in p for p in refused.value.problems), refused.value.problems
    assert peak < 100 * 1024 * 1024
    assert state(engine) == before


@pytest.mark.parametrize("value", ["2017-03-01 99:99:99", "٢٠١٧-٠٣-٠١", "2017-13-01", float("inf")])
def test_dates_only_as_a_calendar_writes_them(value):
    with pytest.raises(ValueError):
        parse_day(value)


@pytest.mark.parametrize("value", ["١٠٠", "۱۰۰", float("inf"), float("nan"), "1e999"])
def test_amounts_only_in_digits_0_to_9_and_finite(value):
    with pytest.raises(ValueError):
        parse_amount(value)


def test_arabic_indic_digits_are_not_a_count(engine):
    data = (f"{counts.FILE_COLUMNS[0]},term,group,direction,programme,level,faculty,count,note\n"
            "2016,VT,student,out,erasmus,,,٣,\n").encode()
    with pytest.raises(ValidationError, match="row 2, column count"):
        counts.import_counts(engine=engine, actor=EDITOR, data=data, filename="c.csv")


def test_a_time_after_the_date_is_fine_when_it_is_a_real_time():
    assert parse_day("2017-03-01 12:30:59") == date(2017, 3, 1)


def test_a_counts_note_is_bounded(engine):
    data = ("year,term,group,direction,programme,level,faculty,count,note\n"
            f"2016,VT,student,out,erasmus,,,3,{'n' * 1001}\n").encode()
    with pytest.raises(ValidationError, match="row 2, column note"):
        counts.import_counts(engine=engine, actor=EDITOR, data=data, filename="c.csv")
