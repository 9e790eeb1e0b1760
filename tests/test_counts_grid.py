"""One term's counts in one grid: frame ↔ cells, without Streamlit."""

import pandas as pd
import pytest

from mobility.counts import DIRECTIONS, PROGRAMMES, Cell, save_counts
from mobility.counts_grid import BREAKDOWNS, edited_cells, grid_frame, grid_rows, row_id, term_counts
from mobility.examples import remove_example_data
from tests.conftest import EDITOR


@pytest.fixture
def clean(engine):
    remove_example_data(engine=engine, actor=EDITOR)
    return engine


STORED = {("first", "NMT", "out", "erasmus"): (8, "example"), ("second", "HUV", "in", "nordplus"): (3, "form")}


def test_the_grid_has_a_row_per_held_breakdown_and_direction_and_a_column_per_programme():
    """Two breakdowns hold counts: four rows, each cell where the store has it, empty elsewhere."""
    rows = grid_rows(STORED)
    assert rows == [("first", "NMT", "in"), ("first", "NMT", "out"), ("second", "HUV", "in"), ("second", "HUV", "out")]
    frame = grid_frame(rows, STORED)
    assert list(frame.columns) == ["level", "faculty", "direction", *PROGRAMMES]
    assert all(frame[p].dtype == "Int64" for p in PROGRAMMES)
    assert frame.loc[row_id("first", "NMT", "out"), "erasmus"] == 8
    assert frame.loc[row_id("second", "HUV", "in"), "nordplus"] == 3
    assert int(frame[list(PROGRAMMES)].notna().sum().sum()) == 2


def test_an_empty_term_or_the_toggle_shows_every_breakdown_with_the_total_last():
    """A term without counts can be entered from scratch; the 'not broken down' total row comes last."""
    everything = grid_rows({})
    assert everything == grid_rows(STORED, every_breakdown=True)
    assert len(everything) == len(BREAKDOWNS) * len(DIRECTIONS) == 32
    assert everything[-2:] == [("", "", "in"), ("", "", "out")]


def test_labels_show_the_reader_words_while_the_index_keeps_the_codes():
    frame = grid_frame(grid_rows(STORED), STORED, label=lambda column, code: f"{column}:{code}")
    assert frame.iloc[0][["level", "faculty", "direction"]].tolist() == ["level:first", "faculty:NMT", "direction:in"]
    assert frame.index[0] == "first|NMT|in"


def test_only_the_edited_cells_are_saved_with_the_values_the_grid_was_drawn_from():
    """One changed cell, one emptied cell, one new cell; the untouched cells are not part of the save."""
    drawn = {k: c for k, (c, _) in STORED.items()}
    edited = grid_frame(grid_rows(STORED), STORED)
    edited.loc[row_id("first", "NMT", "out"), "erasmus"] = 18
    edited.loc[row_id("second", "HUV", "in"), "nordplus"] = pd.NA
    edited.loc[row_id("second", "HUV", "out"), "mfs"] = 2
    cells, expected = edited_cells(edited, drawn, year=2018, term="HT", group="student")
    assert {(c.key, c.count) for c in cells} == {
        ((2018, "HT", "student", "out", "erasmus", "first", "NMT"), 18),
        ((2018, "HT", "student", "in", "nordplus", "second", "HUV"), None),
        ((2018, "HT", "student", "out", "mfs", "second", "HUV"), 2),
    }
    assert expected == {(2018, "HT", "student", "out", "erasmus", "first", "NMT"): 8,
                        (2018, "HT", "student", "in", "nordplus", "second", "HUV"): 3,
                        (2018, "HT", "student", "out", "mfs", "second", "HUV"): None}
    assert edited_cells(grid_frame(grid_rows(STORED), STORED), drawn, year=2018, term="HT", group="student") == ([], {})


def test_a_fraction_stays_a_fraction_so_the_save_refuses_it():
    edited = grid_frame(grid_rows(STORED), STORED).astype({"erasmus": "Float64"})
    edited.loc[row_id("first", "NMT", "in"), "erasmus"] = 3.5
    cells, _ = edited_cells(edited, {}, year=2018, term="HT", group="student")
    assert [c.count for c in cells if c.programme == "erasmus" and c.direction == "in"] == [3.5]


def test_term_counts_reads_every_breakdown_of_the_term(clean):
    """The store's cells of one term and group, whatever their level and faculty; nothing of other terms."""
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[
        Cell(2018, "HT", "student", "out", "erasmus", "first", "NMT", count=5),
        Cell(2018, "HT", "student", "in", "erasmus", "", "", count=7),
        Cell(2018, "VT", "student", "in", "erasmus", "", "", count=9),
    ])
    assert term_counts(clean, year=2018, term="HT", group="student") == {
        ("first", "NMT", "out", "erasmus"): (5, "form"), ("", "", "in", "erasmus"): (7, "form")}
