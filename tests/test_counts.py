"""Mobility counts: the store, the entry form, imports of good and bad files, the CLI and the editor page."""

import io
from itertools import product

import pytest
from openpyxl import Workbook

from mobility import cli
from mobility.audit import audit_entries
from mobility.counts import (
    FACULTIES,
    LEVELS,
    PROGRAMMES,
    Cell,
    CountConflict,
    count_rows,
    counts_frame,
    import_counts,
    period_counts,
    read_counts_file,
    save_counts,
    template_csv,
)
from mobility.counts_grid import grid_rows, row_id, term_counts
from mobility.examples import example_counts, remove_example_data
from mobility.service import VIEWER, NotAllowed, ValidationError, data_version
from tests.conftest import EDITOR, open_tab, texts

HEADER = "year,term,group,direction,programme,level,faculty,count,note\n"


@pytest.fixture
def clean(engine):
    remove_example_data(engine=engine, actor=EDITOR)
    return engine


def snapshot(engine):
    return counts_frame(engine).sort_values(list(counts_frame(engine).columns)).reset_index(drop=True), data_version(
        engine
    )


def rejected(engine, data: bytes, filename: str = "counts.csv") -> list[str]:
    """Import that must fail: returns its messages after checking nothing changed."""
    before = snapshot(engine)
    with pytest.raises(ValidationError) as caught:
        import_counts(engine=engine, actor=EDITOR, data=data, filename=filename)
    after = snapshot(engine)
    assert after[1] == before[1] and after[0].equals(before[0]), "a rejected import changed the database"
    return caught.value.problems


# Store and entry ---------------------------------------------------------------------------------------------


def test_a_correction_replaces_the_value_and_the_old_one_stays_in_the_log(clean):
    """One row per cell; the audit log has before → after for each change."""
    cell = {"year": 2016, "term": "HT", "group": "student", "direction": "out", "programme": "erasmus"}
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(**cell, count=12)])
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(**cell, count=14)])
    assert period_counts(clean, year=2016, term="HT", group="student") == {("out", "erasmus"): (14, "form")}
    log = audit_entries(clean, entity="count", action="set_count")
    assert list(log["action"]) == ["set_count", "set_count"]
    assert log["entity_key"].iloc[0] == "2016 HT student out erasmus"
    assert '"count": 12' in log["before"].iloc[0] and '"count": 14' in log["after"].iloc[0]


def test_saving_the_same_value_again_changes_nothing(clean):
    """Idempotent: no new version, no new log entry."""
    cells = [Cell(2016, "VT", "teacher", "out", "erasmus", count=3)]
    save_counts(engine=clean, actor=EDITOR, source="form", cells=cells)
    version = data_version(clean)
    summary = save_counts(engine=clean, actor=EDITOR, source="form", cells=cells)
    assert (summary.written, summary.unchanged) == (0, 1)
    assert len(audit_entries(clean, entity="count", action="set_count")) == 1 and data_version(clean) == version + 1


def test_every_bad_cell_is_named_and_nothing_is_saved(clean):
    """Negative, decimal and too large counts are refused together."""
    cells = [
        Cell(2016, "VT", "student", "in", "erasmus", count=-1),
        Cell(2016, "VT", "student", "in", "nordplus", count=2.5),
        Cell(2016, "VT", "student", "in", "bilateral", count=100_001),
        Cell(2016, "VT", "student", "in", "other", count=4),
    ]
    with pytest.raises(ValidationError) as caught:
        save_counts(engine=clean, actor=EDITOR, source="form", cells=cells)
    assert len(caught.value.problems) == 3
    assert "2016 VT student in erasmus: -1 is outside 0–100000" in caught.value.problems
    assert any("nordplus: 2.5 is not a whole number" in p for p in caught.value.problems)
    assert counts_frame(clean).empty


def test_someone_elses_save_in_between_is_refused_with_both_values(clean):
    """The form saw 12; meanwhile 15 was saved; saving 13 is refused and shows 12 and 15."""
    cell = Cell(2017, "VT", "student", "out", "erasmus", count=12)
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[cell])
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(*cell.key, count=15)])
    with pytest.raises(CountConflict) as caught:
        save_counts(
            engine=clean, actor=EDITOR, source="form", cells=[Cell(*cell.key, count=13)], expected={cell.key: 12}
        )
    assert caught.value.conflicts == [(cell.key, 12, 15)]
    assert period_counts(clean, year=2017, term="VT", group="student")[("out", "erasmus")][0] == 15


def test_a_reader_cannot_save(clean):
    with pytest.raises(NotAllowed):
        save_counts(
            engine=clean, actor=VIEWER, source="form", cells=[Cell(2017, "VT", "staff", "out", "erasmus", count=1)]
        )


def test_an_example_cell_that_io_enters_is_no_longer_example(engine):
    """Even the same figure, once confirmed, is real data; remove-example leaves it."""
    key = (2015, "VT", "student", "out", "erasmus", "first", "NMT")
    stored = period_counts(engine, year=2015, term="VT", group="student", level="first", faculty="NMT")
    value, source = stored[("out", "erasmus")]
    assert source == "example"
    save_counts(engine=engine, actor=EDITOR, source="form", cells=[Cell(*key, count=value)])
    remove_example_data(engine=engine, actor=EDITOR)
    assert counts_frame(engine)[["year", "count", "source"]].values.tolist() == [[2015, value, "form"]]


def test_example_counts_are_seeded_once_and_removable(engine):
    """Example rows carry source example; remove-example takes them all, and a restart does not bring them back."""
    from mobility.plan import init_database

    assert example_counts(engine)["mobilitycount"] == count_rows(engine)["example"] > 400
    assert cli.main(["remove-example"]) == 0
    init_database(engine)
    assert count_rows(engine) == {}


# Import ------------------------------------------------------------------------------------------------------


def test_a_semicolon_file_with_a_bom_imports_and_twice_changes_nothing(clean):
    """Swedish Excel's CSV: BOM, semicolons; the second import of the same file writes nothing."""
    data = (
        "\ufeff" + HEADER.replace(",", ";") + "2016;VT;student;out;erasmus;first;NMT;12;\n"
        "2016;ht;Student;OUT;bilateral;;;3;from the faculty report\n"
    ).encode()
    first = import_counts(engine=clean, actor=EDITOR, data=data, filename="counts.csv")
    assert (first.added, first.changed) == (2, 0)
    version, entries = data_version(clean), len(audit_entries(clean))
    second = import_counts(engine=clean, actor=EDITOR, data=data, filename="counts.csv")
    assert (second.written, second.unchanged) == (0, 2)
    assert len(audit_entries(clean)) == entries and data_version(clean) == version + 1
    assert set(counts_frame(clean)["source"]) == {"import"}
    assert len(audit_entries(clean, entity="count", action="import_counts")) == 2


def test_an_xlsx_file_imports(clean):
    """Excel numbers (12.0) are whole numbers; empty cells are empty codes."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([2017, "VT", "teacher", "out", "erasmus", None, "HUV", 12.0, None])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = import_counts(engine=clean, actor=EDITOR, data=buffer.getvalue(), filename="counts.xlsx")
    assert summary.added == 1
    assert period_counts(clean, year=2017, term="VT", group="teacher", faculty="HUV") == {
        ("out", "erasmus"): (12, "import")
    }


def test_the_template_has_every_column():
    assert template_csv().decode("utf-8-sig").strip() == HEADER.strip().replace(",", ";")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "year,term,group,direction,programme,level,faculty,note\n2016,VT,student,out,erasmus,,,\n",
            "row 1, column count: the column is missing",
        ),
        (
            HEADER + "2016,VT,student,out,erasmus,,,3,\n2016,VT,student,out,exchange,,,3,\n",
            "row 3, column programme: 'exchange' is not one of",
        ),
        (HEADER + "2016,VT,student,out,erasmus,,,-2,\n", "row 2, column count: -2 is outside 0–100000"),
        (HEADER + "2016,VT,student,out,erasmus,,,2.5,\n", "row 2, column count: '2.5' is not a whole number"),
        (HEADER + "2016,VT,student,out,erasmus,,,tolv,\n", "row 2, column count: 'tolv' is not a whole number"),
        (
            HEADER + "2016,VT,student,out,erasmus,,,1,\n2016,VT,student,out,erasmus,,,2,\n",
            "row 3: the cell 2016 VT student out erasmus is already set in row 2",
        ),
        (HEADER + "16,VT,student,out,erasmus,,,1,\n", "row 2, column year: '16' is not a year"),
        (HEADER + "2016,VT,student,out,erasmus,,,,\n", "row 2, column count: a count is required"),
        ("", "The file is empty"),
        (HEADER, "row 2: the file has a header but no rows"),
    ],
)
def test_a_malformed_file_is_rejected_naming_row_and_column(clean, body, message):
    """Nothing changes and the message says where."""
    problems = rejected(clean, body.encode())
    assert any(message in p for p in problems), problems


def test_a_latin_1_file_is_rejected_with_its_row(clean):
    """Swedish Excel's old 'CSV' is Latin-1: say which row and that it is not UTF-8."""
    data = (HEADER + "2016,VT,student,out,erasmus,,,3,\n2016,VT,student,in,erasmus,,,4,Östersund\n").encode("latin-1")
    problems = rejected(clean, data)
    assert problems == ["The file is neither a UTF-8 CSV file nor an XLSX workbook (row 3)."]


def test_every_bad_row_is_listed_not_only_the_first(clean):
    problems = rejected(clean, (HEADER + "2016,VT,student,ut,erasmus,,,3,\n2016,VT,student,in,erasmus,,,x,\n").encode())
    assert [p.split(":")[0] for p in problems] == ["row 2, column direction", "row 3, column count"]


def _big_file(n: int) -> str:
    """``n`` distinct cells over 20 years and every term, direction, programme, level and faculty."""
    cells = product(range(2000, 2020), ("VT", "HT"), ("in", "out"), PROGRAMMES, LEVELS, FACULTIES)
    rows = [
        f"{y},{term},student,{d},{p},{lvl},{fac},{i % 97},note {i}"
        for i, (y, term, d, p, lvl, fac) in zip(range(n), cells, strict=False)
    ]
    return HEADER + "\n".join(rows) + "\n"


def test_ten_thousand_rows_import_and_one_bad_row_stops_them_all(clean):
    """All or nothing at size: a bad last row keeps the other 9 999 out; without it all 10 000 go in."""
    body = _big_file(10_000)
    lines = body.splitlines()
    bad = "\n".join([*lines[:-1], lines[-1].rsplit(",", 2)[0] + ",-1,oops"]) + "\n"
    problems = rejected(clean, bad.encode())
    assert problems == ["row 10001, column count: -1 is outside 0–100000"]
    summary = import_counts(engine=clean, actor=EDITOR, data=body.encode(), filename="big.csv")
    assert summary.added == 10_000 and len(counts_frame(clean)) == 10_000


def test_only_csv_and_xlsx_files_told_apart_by_content_not_by_name(clean):
    assert "neither a UTF-8 CSV file nor an XLSX workbook" in rejected(clean, b"MZ\x90\x00\x03\x00", "counts.csv")[0]
    assert "cannot be read as an XLSX workbook" in rejected(clean, b"PK\x03\x04 not a zip", "counts.csv")[0]


def test_read_counts_file_keeps_the_spreadsheet_row_numbers():
    """A blank line still counts as a row, as in Excel."""
    cells = read_counts_file(
        (HEADER + "2016,VT,staff,out,erasmus,,central,1,\n\n2016,,staff,in,erasmus,,,2,\n").encode(), "c.csv"
    )
    assert [c.row for c in cells] == [2, 4]


def test_the_cli_imports_or_explains_and_changes_nothing(clean, tmp_path, capsys):
    """Exit 0 with a summary; otherwise non-zero with every row error on stderr."""
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "2016,VT,student,out,erasmus,,,3,\n", encoding="utf-8")
    assert cli.main(["import-counts", str(good)]) == 0
    assert "1 new, 0 changed, 0 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2016,VT,student,out,erasmus,,,3.5,\n2016,XT,student,out,erasmus,,,3,\n", encoding="utf-8")
    before = snapshot(clean)
    assert cli.main(["import-counts", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column count" in err and "row 3, column term" in err
    assert snapshot(clean)[1] == before[1]
    assert cli.main(["import-counts", str(tmp_path / "missing.csv")]) == 2


def grid_row(engine, year, term, group, row) -> int:
    """Where a (level, faculty, direction) row sits in the page's grid (edited_rows are positional)."""
    return grid_rows(term_counts(engine, year=year, term=term, group=group)).index(row)


# The editor page ---------------------------------------------------------------------------------------------


def test_the_counts_page_is_for_editors(app):
    """A reader gets the role message and no grid."""
    at = app("counts")
    assert "redigerare" in texts(at) and not at.get("arrow_data_frame")


def test_an_editor_enters_a_count_sees_before_and_after_and_saves(app, engine):
    """The grid shows the example value; a change shows before → after, and saving stores it as form data."""
    at = app("counts", actor=EDITOR, c_year="2016", c_term="HT", c_group="teacher", c_faculty="NMT")
    assert not at.exception
    shown = texts(at)
    assert "Exempeldata" in shown
    before = period_counts(engine, year=2016, term="HT", group="teacher", faculty="NMT")[("out", "erasmus")][0]
    at.session_state["grid-2016-HT-teacher"] = {
        "edited_rows": {grid_row(engine, 2016, "HT", "teacher", ("", "NMT", "out")): {"erasmus": before + 5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "Ändringar att spara (1)" in texts(at)
    next(b for b in at.button if b.label == "Spara antal").click().run()
    assert not at.exception
    assert period_counts(engine, year=2016, term="HT", group="teacher", faculty="NMT")[("out", "erasmus")] == (
        before + 5,
        "form",
    )
    assert "set_count" in set(audit_entries(engine, entity="count")["action"])


def test_the_page_refuses_a_save_over_someone_elses_and_shows_both(app, engine):
    """Another editor saves between drawing and saving: the page shows both values and keeps the other's."""
    at = app("counts", actor=EDITOR, c_year="2016", c_term="HT", c_group="teacher", c_faculty="NMT")
    key = (2016, "HT", "teacher", "out", "erasmus", "", "NMT")
    drawn = period_counts(engine, year=2016, term="HT", group="teacher", faculty="NMT")[("out", "erasmus")][0]
    at.session_state["grid-2016-HT-teacher"] = {
        "edited_rows": {grid_row(engine, 2016, "HT", "teacher", ("", "NMT", "out")): {"erasmus": 40}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    save_counts(engine=engine, actor=EDITOR, source="form", cells=[Cell(*key, count=41)])
    next(b for b in at.button if b.label == "Spara antal").click().run()
    assert "Någon annan har sparat samma celler" in texts(at)
    table = at.dataframe[-1].value
    assert list(table.iloc[0]) == ["2016 · HT (höst) · Lärare · Utresande · Erasmus+ · NMT", str(drawn), "41"]
    assert period_counts(engine, year=2016, term="HT", group="teacher", faculty="NMT")[("out", "erasmus")][0] == 41


def test_the_remove_example_button_needs_a_confirmation(app, engine):
    """One action removes every example row, after ticking the box."""
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "counts.tab.example")
    button = next(b for b in at.button if b.label == "Ta bort exempeldata")
    assert button.disabled
    next(c for c in at.checkbox if c.label == "Jag vill ta bort all exempeldata").check().run()
    next(b for b in at.button if b.label == "Ta bort exempeldata").click().run()
    assert not at.exception and count_rows(engine) == {}
    assert "Det finns ingen exempeldata kvar." in texts(at)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("page", ["counts", "targets"])
def test_the_pages_open_for_an_editor_in_both_languages(app, page, lang):
    """No exception box, a title, and the example badge in the page's language."""
    at = app(page, lang=lang, actor=EDITOR, c_level="first", c_faculty="NMT")
    assert not at.exception, at.exception
    assert at.title and ("Exempeldata" if lang == "sv" else "Example data") in texts(at)


def test_the_entry_grid_opens_on_the_latest_year_with_every_breakdown_of_the_term(app, engine):
    """With example data for 2014–2018 the grid opens on 2018 and holds all of the term's counts in one grid."""
    at = app("counts", actor=EDITOR)
    assert next(s for s in at.selectbox if s.label == "År").value == 2018
    stored = term_counts(engine, year=2018, term="VT", group="student")
    grid = at.data_editor[0].value
    assert len({(lvl, fac) for lvl, fac, _, _ in stored}) > 1, "the example term is broken down more than one way"
    shown = {(lvl, fac, d, p): int(grid.loc[row_id(lvl, fac, d), p]) for lvl, fac, d, p in stored}
    assert shown == {k: c for k, (c, _) in stored.items()}
    assert {"Grund", "Avancerad"} <= set(grid["level"]) and "Utresande" in set(grid["direction"])


def test_emptying_a_cell_removes_it_and_logs_the_old_value(clean):
    """A count can be withdrawn; the log keeps what it was."""
    cell = Cell(2016, "VT", "staff", "out", "erasmus", count=4)
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[cell])
    summary = save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(*cell.key, count=None)])
    assert summary.removed == 1 and counts_frame(clean).empty
    entry = audit_entries(clean, entity="count").iloc[0]
    assert '"count": 4' in entry["before"] and entry["after"] != entry["after"]  # NaN: no value after


def test_a_bad_file_on_the_page_lists_its_errors_and_saves_nothing(app, engine):
    """Upload, read the row errors, no import button, the database as it was."""
    before = data_version(engine)
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "counts.tab.import")
    at.file_uploader[0].upload("counts.csv", (HEADER + "2016,VT,student,ut,erasmus,,,3,\n").encode(), "text/csv")
    at.run()
    shown = texts(at)
    assert "Filen kan inte importeras" in shown and "rad 2, kolumn direction: 'ut' är inte något av in, out" in shown
    assert "Importera" not in [b.label for b in at.button] and data_version(engine) == before


def test_a_cell_saved_by_someone_else_after_the_preview_stops_the_import(app, engine):
    """The import saves what its preview showed, or nothing: a cell changed in between is listed as a conflict."""
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "counts.tab.import")
    body = (HEADER + "2030,VT,staff,in,nordplus,,,2,\n2030,HT,staff,in,nordplus,,,3,\n").encode()
    at.file_uploader[0].upload("counts.csv", body, "text/csv")
    at.run()
    assert "2 nya" in texts(at)
    save_counts(engine=engine, actor=EDITOR, cells=[Cell(2030, "HT", "staff", "in", "nordplus", count=7)],
                source="form")  # another editor, between the preview and the click
    next(b for b in at.button if b.label == "Importera").click().run()
    assert not at.exception
    assert period_counts(engine, year=2030, term="VT", group="staff") == {}  # nothing of the file was saved
    assert period_counts(engine, year=2030, term="HT", group="staff") == {("in", "nordplus"): (7, "form")}
    conflict = at.dataframe[-1].value  # the cell, the value the preview showed (–) and the value now (7)
    assert list(conflict.iloc[0])[1:] == ["–", "7"] and "Inget sparades" in at.error[0].value


def test_a_good_file_on_the_page_is_previewed_then_imported(app, engine):
    """The preview shows before → after; the import button saves it; a second look shows nothing left to do."""
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "counts.tab.import")
    body = (HEADER + "2016,HT,teacher,out,erasmus,,NMT,30,\n2030,VT,staff,in,nordplus,,,2,\n").encode()
    at.file_uploader[0].upload("counts.csv", body, "text/csv")
    at.run()
    assert "counts.csv: 2 rader – 1 nya, 1 ändrade, 0 oförändrade celler." in texts(at)
    preview = at.dataframe[-1].value
    assert list(preview.iloc[0])[1:] == [str(period_counts(engine, year=2016, term="HT", group="teacher",
                                                           faculty="NMT")[("out", "erasmus")][0]), "30"]
    next(b for b in at.button if b.label == "Importera").click().run()
    assert not at.exception
    assert period_counts(engine, year=2030, term="VT", group="staff") == {("in", "nordplus"): (2, "import")}
