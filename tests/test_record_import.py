"""Record-level import: a list of mobilities in, counts out, and no person's data kept anywhere."""

import io
import tracemalloc
import zipfile
from dataclasses import replace
from datetime import date, datetime

import pytest
import yaml
from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import SQLModel

from mobility import cli, files
from mobility import record_import as ri
from mobility.audit import audit_entries
from mobility.counts import Cell, counts_frame, period_counts, save_counts
from mobility.examples import remove_example_data
from mobility.models import MobilityCount
from mobility.service import VIEWER, NotAllowed, ValidationError, data_version
from tests.conftest import EDITOR, ROOT, open_tab, texts
from tests.hostile_files import corpus

EXAMPLES = ROOT / "data" / "examples"
BM_EXPORT = EXAMPLES / "beneficiary_module_export.csv"
OWN_LIST = EXAMPLES / "egen_mobilitetslista.csv"
HOME = frozenset({"ssundsva02", "e10000000"})
BM_HEADER = ["Mobility ID", "Participant First Name", "Participant Email", "Activity Type",
             "Sending Organisation Erasmus Code", "Education Level", "Start Date"]


@pytest.fixture
def clean(engine):
    remove_example_data(engine=engine, actor=EDITOR)
    return engine


def bm_profile() -> ri.Profile:
    return ri.get_profile("erasmus-bm")


def bm_csv(*rows: tuple, header=BM_HEADER) -> bytes:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def row(activity="STA", sending="S SUNDSVA02", start="15-01-2018", level="", n=1) -> tuple:
    return (f"FAKE-{n}", f"Exempel{n}", f"exempel{n}@exempel.invalid", activity, sending, level, start)


def snapshot(engine):
    frame = counts_frame(engine)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True), data_version(engine)


def refused(engine, data: bytes, filename="export.csv", profile=None) -> str:
    """An import that must fail: its messages, after checking nothing changed."""
    before = snapshot(engine)
    with pytest.raises(ValidationError) as caught:
        ri.import_mobilities(engine=engine, actor=EDITOR, data=data, filename=filename, profile=profile or bm_profile())
    after = snapshot(engine)
    assert after[1] == before[1] and after[0].equals(before[0]), "a refused import changed the database"
    return "\n".join(caught.value.problems)


def classify(data: bytes, profile=None, filename="export.csv") -> ri.Classified:
    return ri.classify(ri.read_table(data, filename), profile or bm_profile(), home=HOME)


# The shipped profiles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("activity", "group"), [
    ("SMS", "student"), ("SMP", "student"), ("STA", "teacher"), ("STT", "staff"),
    ("Student mobility for studies", "student"), ("Student mobility for traineeships", "student"),
    ("Staff mobility for teaching", "teacher"), ("Staff mobility for training", "staff"),
    ("sms - Student mobility for studies", "student"), (" stt ", "staff"),
])
@pytest.mark.parametrize(("sending", "direction"), [("S SUNDSVA02", "out"), ("s  sundsva02", "out"),
                                                    ("E10000000", "out"), ("D BERLIN01", "in")])
def test_the_erasmus_profile_classifies_every_activity_type_and_direction(activity, group, sending, direction):
    """SMS/SMP → student, STA → teacher, STT → staff; our Erasmus code or OID sending → out, anyone else → in."""
    found = classify(bm_csv(row(activity=activity, sending=sending)))
    assert not found.problems
    assert dict(found.cells) == {(2018, "VT", group, direction, "erasmus", "", ""): 1}


def test_the_erasmus_profile_reads_isced_levels_and_an_oid_column():
    """Education levels as the tools write them; the OID column serves when there is no Erasmus code column."""
    header = [*BM_HEADER[:4], "Sending Organisation OID", *BM_HEADER[5:]]
    data = bm_csv(row("SMS", "E10000000", level="ISCED-7 - Second cycle / Master's or equivalent level (EQF-7)"),
                  row("SMS", "E99999999", level="ISCED-6 - First cycle / Bachelor's or equivalent level (EQF-6)"),
                  header=header)
    assert dict(classify(data).cells) == {(2018, "VT", "student", "out", "erasmus", "second", ""): 1,
                                          (2018, "VT", "student", "in", "erasmus", "first", ""): 1}


def test_the_home_codes_are_a_setting(monkeypatch):
    """data/university.yaml holds the Erasmus code; an environment variable overrides it."""
    assert "ssundsva02" in ri.home_codes()
    monkeypatch.setenv("MOBILITY_ERASMUS_CODE", "S OTHER01")
    assert "sother01" in ri.home_codes() and "ssundsva02" not in ri.home_codes()


def test_a_mobility_tool_hint_row_is_skipped():
    """Mobility Tool+ files carry a second row of formats ('*DD-MM-YYYY'); it is not a mobility."""
    data = bm_csv(("*", "", "", "*DICT", "*", "DICT", "*DD-MM-YYYY"), row())
    found = classify(data)
    assert not found.problems and found.rows == 1 and sum(found.cells.values()) == 1


def test_every_shipped_profile_is_valid_and_named_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert set(ri.shipped_profiles()) == {"erasmus-bm", "egen-lista"}
    for name in ri.shipped_profiles():
        assert f"--profile {name}" in readme


# Terms, years ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "period"), [
    ("01-01-2018", (2018, "VT")), ("30-06-2018", (2018, "VT")), ("01-07-2018", (2018, "HT")),
    ("31-12-2018", (2018, "HT")), ("31-05-2017", (2017, "VT")), ("01-08-2017", (2017, "HT")),
])
def test_terms_come_from_the_start_month(start, period):
    """January–June → VT, July–December → HT of the start year."""
    assert classify(bm_csv(row(start=start))).periods == {period}


def test_the_rule_is_stated_in_both_languages():
    assert "januari–juni" in ri.term_rule_text("dates", "sv") and "July–December" in ri.term_rule_text("dates", "en")


def test_a_file_over_several_years_counts_each_year_and_term(clean):
    data = bm_csv(*(row(start=s, n=i) for i, s in enumerate(
        ["15-09-2016", "15-02-2017", "16-02-2017", "20-08-2017", "10-01-2018", "10-10-2018", "11-10-2018"])))
    plan = ri.plan_import(clean, data, "export.csv", bm_profile())
    assert plan.periods == [(2016, "HT"), (2017, "VT"), (2017, "HT"), (2018, "VT"), (2018, "HT")]
    got = {(c.key[0], c.key[1]): c.after for c in plan.changes}
    assert got == {(2016, "HT"): 1, (2017, "VT"): 2, (2017, "HT"): 1, (2018, "VT"): 1, (2018, "HT"): 2}


def test_a_profile_can_say_the_file_holds_a_term(clean):
    """A list with 'HT2016' / 'vt-17' instead of dates: the file's term is used."""
    profile = ri.parse_profile({"name": "terms", "fields": {
        "period": {"columns": ["Termin"]}, "group": {"columns": ["Kategori"]}, "direction": {"columns": ["Riktning"]},
        "programme": {"value": "nordplus"}}})
    data = "Termin,Kategori,Riktning\nHT2016,Student,Ut\nvt-17,Lärare,Inresande\nVT 2017,student,in\n".encode()
    found = ri.classify(ri.read_table(data, "list.csv"), profile)
    assert not found.problems and found.term_rule == "file"
    assert dict(found.cells) == {(2016, "HT", "student", "out", "nordplus", "", ""): 1,
                                 (2017, "VT", "teacher", "in", "nordplus", "", ""): 1,
                                 (2017, "VT", "student", "in", "nordplus", "", ""): 1}


# Saving: scope, idempotency, hand-typed cells ------------------------------------------------------------------

def test_the_example_export_sets_target_b_and_twice_changes_nothing(engine):
    """Importing the shipped example export sets 2018's Erasmus teachers out to its 31 rows; again → no change."""
    from mobility.targets import targets_report

    plan, summary = ri.import_mobilities(engine=engine, actor=EDITOR, data=BM_EXPORT.read_bytes(),
                                         filename=BM_EXPORT.name, profile=bm_profile())
    assert summary.written > 0
    b = next(r for r in targets_report(engine, as_of=date(2018, 12, 31), year=2018)["targets"] if r["code"] == "B")
    assert b["value"] == 31
    version, audit_rows = data_version(engine), len(audit_entries(engine))
    again, summary = ri.import_mobilities(engine=engine, actor=EDITOR, data=BM_EXPORT.read_bytes(),
                                          filename=BM_EXPORT.name, profile=bm_profile())
    assert again.changes == [] and summary.written == 0
    assert data_version(engine) == version and len(audit_entries(engine)) == audit_rows


def test_the_import_sets_its_scope_and_leaves_every_other_cell_alone(clean):
    """Erasmus cells of the file's terms are set (absent ones to 0, at every breakdown); the rest stays."""
    save_counts(engine=clean, actor=EDITOR, source="import", cells=[
        Cell(2018, "VT", "teacher", "out", "erasmus", "", "NMT", count=6),  # in scope, other breakdown → 0
        Cell(2018, "VT", "staff", "out", "erasmus", count=2),  # in scope, absent from the file → 0
        Cell(2018, "", "teacher", "out", "erasmus", count=9),  # the whole year would double → 0
        Cell(2018, "VT", "teacher", "out", "nordplus", count=4),  # another programme: untouched
        Cell(2018, "HT", "teacher", "out", "erasmus", count=5),  # a term not in the file: untouched
        Cell(2017, "VT", "teacher", "out", "erasmus", count=7),  # another year: untouched
        Cell(2018, "VT", "teacher", "in", "erasmus", count=3),  # a direction not in the file: untouched
    ])
    data = bm_csv(row(n=1), row(n=2), row(n=3))
    ri.import_mobilities(engine=clean, actor=EDITOR, data=data, filename="export.csv", profile=bm_profile())
    frame = counts_frame(clean).set_index(["year", "term", "group", "direction", "programme", "level", "faculty"])
    value = frame["count"].to_dict()
    assert value[(2018, "VT", "teacher", "out", "erasmus", "", "")] == 3
    assert value[(2018, "VT", "teacher", "out", "erasmus", "", "NMT")] == 0
    assert value[(2018, "VT", "staff", "out", "erasmus", "", "")] == 0
    assert value[(2018, "", "teacher", "out", "erasmus", "", "")] == 0
    assert value[(2018, "VT", "teacher", "out", "nordplus", "", "")] == 4
    assert value[(2018, "HT", "teacher", "out", "erasmus", "", "")] == 5
    assert value[(2017, "VT", "teacher", "out", "erasmus", "", "")] == 7
    assert value[(2018, "VT", "teacher", "in", "erasmus", "", "")] == 3


def test_a_hand_typed_cell_needs_a_yes_before_it_is_replaced(clean):
    """A cell saved from the form is listed; without confirmation nothing is saved; with it the file wins."""
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(2018, "VT", "teacher", "out", "erasmus",
                                                                         count=12)])
    plan = ri.plan_import(clean, bm_csv(row(n=1), row(n=2)), "export.csv", bm_profile())
    assert [(c.key, c.before, c.after) for c in plan.hand_typed] == [
        ((2018, "VT", "teacher", "out", "erasmus", "", ""), 12, 2)]
    before = snapshot(clean)
    with pytest.raises(ri.NeedsConfirmation) as caught:
        ri.save_import(engine=clean, actor=EDITOR, plan=plan)
    assert "2018 VT teacher out erasmus: 12 → 2" in caught.value.problems
    assert snapshot(clean)[1] == before[1]
    ri.save_import(engine=clean, actor=EDITOR, plan=plan, confirm_hand_typed=True)
    assert period_counts(clean, year=2018, term="VT", group="teacher") == {("out", "erasmus"): (2, "import")}


def test_the_audit_entry_names_the_file_and_its_sha256(clean):
    data = bm_csv(row())
    ri.import_mobilities(engine=clean, actor=EDITOR, data=data, filename="export.csv", profile=bm_profile())
    entry = audit_entries(clean, action="import_counts").iloc[0]
    after = yaml.safe_load(entry["after"])
    assert after["file"] == "export.csv" and after["sha256"] == ri.file_digest(data) and after["source"] == "import"


def test_a_reader_cannot_import(clean):
    plan = ri.plan_import(clean, bm_csv(row()), "export.csv", bm_profile())
    with pytest.raises(NotAllowed):
        ri.save_import(engine=clean, actor=VIEWER, plan=plan)


def test_an_xlsx_export_with_real_dates_imports(clean):
    book = Workbook()
    sheet = book.active
    sheet.append(BM_HEADER)
    sheet.append(["FAKE-1", "Exempel", "e@exempel.invalid", "STT", "S SUNDSVA02", None, datetime(2018, 7, 1)])
    sheet.append(["FAKE-2", "Exempel", "f@exempel.invalid", "STT", "S SUNDSVA02", None, date(2018, 6, 30)])
    buffer = io.BytesIO()
    book.save(buffer)
    plan, _ = ri.import_mobilities(engine=clean, actor=EDITOR, data=buffer.getvalue(), filename="export.xlsx",
                                   profile=bm_profile())
    assert period_counts(clean, year=2018, term="HT", group="staff") == {("out", "erasmus"): (1, "import")}
    assert period_counts(clean, year=2018, term="VT", group="staff") == {("out", "erasmus"): (1, "import")}


# Bad input: refused with row and column, nothing saved ----------------------------------------------------------

def test_a_missing_mapped_column_is_refused(engine):
    header = [h for h in BM_HEADER if h != "Activity Type"]
    message = refused(engine, bm_csv(tuple(v for i, v in enumerate(row()) if i != 3), header=header))
    assert "row 1, column Activity Type" in message and "missing" in message


def test_an_unparseable_date_is_refused_with_its_rows(engine):
    message = refused(engine, bm_csv(row(n=1), row(start="2018-01-15", n=2), row(start="31-02-2018", n=3),
                                     row(start="", n=4)))
    assert "row 3, 4, column Start Date: not a date in the format DD-MM-YYYY" in message
    assert "row 5, column Start Date: the start date is missing" in message


def test_an_unmapped_value_lists_its_rows_and_suggests_mapping_it(engine):
    rows = [row(activity="STA", n=i) for i in range(3)] + [row(activity="XYZ", n=i) for i in range(11)]
    message = refused(engine, bm_csv(*rows))
    assert ("row 5, 6, 7, 8, 9, 10, 11, 12 and 3 more, column Activity Type: the value “XYZ” is not mapped – map it "
            "to one of student, teacher, staff in the mapping step or in the profile") in message


def test_a_column_with_many_unfamiliar_values_echoes_none_of_them(engine):
    """Someone picked the name column as the activity type: say so, and show no names."""
    profile = ri.parse_profile({**yaml.safe_load(bm_profile().as_yaml()), "name": "wrong",
                                "fields": {**bm_profile().fields, "group": {"columns": ["Participant First Name"]}}})
    message = refused(engine, bm_csv(*(row(n=i) for i in range(40))), profile=profile)
    assert "40 different unfamiliar values in 40 rows" in message and "Exempel" not in message


def test_an_empty_file_a_header_only_file_and_wrong_types_are_refused(engine):
    assert "row 1: the file is empty" in refused(engine, b"")
    assert "row 2: the file has a header but no mobilities" in refused(engine, bm_csv())
    assert "only .csv and .xlsx files" in refused(engine, bm_csv(row()), filename="export.pdf")
    assert "row 1: not a readable Excel file" in refused(engine, bm_csv(row()), filename="export.xlsx")
    assert "row 3: the file is not UTF-8" in refused(engine, bm_csv(row()) + "Ö;\n".encode("latin-1"))


def test_a_file_over_the_size_limit_is_refused(engine, monkeypatch):
    monkeypatch.setattr(files, "RECORD_LIMITS", replace(files.RECORD_LIMITS, file_bytes=1024 * 1024))
    message = refused(engine, bm_csv(*(row(n=i) for i in range(20_000))))
    assert "MB, the limit is 1.0 MB" in message


def test_the_swedish_messages_name_row_and_column():
    with pytest.raises(ValidationError) as caught:
        ri.plan_import(None, bm_csv(row(start="x")), "export.csv", bm_profile(), lang="sv")
    assert caught.value.problems == ["rad 2, kolumn Start Date: inte ett datum i formatet DD-MM-YYYY"]


# No personal data anywhere ---------------------------------------------------------------------------------------

def personal_values(path) -> set[str]:
    table = ri.read_table(path.read_bytes(), path.name)
    personal = [i for i, h in enumerate(table.header) if h in (
        "Mobility ID", "Participant First Name", "Participant Last Name", "Participant Email",
        "Participant Date of Birth", "Namn", "E-post", "Personnummer", "Löpnummer")]
    return {str(r[i]) for r in table.rows for i in personal if len(str(r[i])) >= 4}


def test_no_personal_field_reaches_the_database(engine):
    """After importing both examples and saving a profile, no table holds a name, e-mail, birth date or ID."""
    ri.import_mobilities(engine=engine, actor=EDITOR, data=BM_EXPORT.read_bytes(), filename=BM_EXPORT.name,
                         profile=bm_profile(), confirm_hand_typed=True)
    ri.import_mobilities(engine=engine, actor=EDITOR, data=OWN_LIST.read_bytes(), filename=OWN_LIST.name,
                         profile=ri.get_profile("egen-lista"), confirm_hand_typed=True)
    ri.save_profile(engine=engine, actor=EDITOR, profile=ri.parse_profile(
        {**yaml.safe_load(ri.get_profile("egen-lista").as_yaml()), "name": "var-lista"}))
    secrets = personal_values(BM_EXPORT) | personal_values(OWN_LIST)
    assert len(secrets) > 300
    dump = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            dump += [str(v) for r in conn.execute(select(table)) for v in r]
    text = "\n".join(dump)
    assert counts_frame(engine)["source"].eq("import").any()
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == []


# Saved profiles --------------------------------------------------------------------------------------------------

def test_an_editor_saves_a_profile_and_it_is_audited(engine):
    profile = ri.parse_profile({"name": "mobility-online", "title": "Mobility-Online", "fields": {
        "start_date": {"columns": ["Beginn"], "format": "DD.MM.YYYY"}, "group": {"columns": ["Typ"],
                                                                                "values": {"Lehrende": "teacher"}},
        "direction": {"value": "out"}, "programme": {"value": "erasmus"}}})
    ri.save_profile(engine=engine, actor=EDITOR, profile=profile)
    assert ri.get_profile("mobility-online", engine).fields["group"]["values"] == {"Lehrende": "teacher"}
    entry = audit_entries(engine, action="save_import_profile").iloc[0]
    assert entry["entity_key"] == "mobility-online" and entry["actor"] == EDITOR.name
    with pytest.raises(ValidationError, match="shipped with the app"):
        ri.save_profile(engine=engine, actor=EDITOR, profile=ri.parse_profile({**yaml.safe_load(profile.as_yaml()),
                                                                               "name": "erasmus-bm"}))
    with pytest.raises(NotAllowed):
        ri.save_profile(engine=engine, actor=VIEWER, profile=profile)


def test_a_bad_profile_is_refused_with_what_is_wrong():
    with pytest.raises(ValidationError) as caught:
        ri.parse_profile({"name": "X!", "fields": {"group": {"columns": ["A"], "values": {"x": "pupil"}}}})
    text = "\n".join(caught.value.problems)
    assert "will not do" in text and "pupil" in text and "start date or a term" in text and "direction" in text


# CLI ---------------------------------------------------------------------------------------------------------------

def test_the_cli_dry_run_shows_and_saves_nothing_then_imports(engine, capsys):
    before = data_version(engine)
    assert cli.main(["import-mobilities", str(BM_EXPORT), "--profile", "erasmus-bm", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would import beneficiary_module_export.csv" in out and "2018 VT teacher out erasmus: – → 14" in out
    assert "fiktiv" not in out.lower() and "exempel.invalid" not in out
    assert data_version(engine) == before
    assert cli.main(["import-mobilities", str(BM_EXPORT), "--profile", "erasmus-bm"]) == 0
    assert "Imported beneficiary_module_export.csv" in capsys.readouterr().out
    with engine.connect() as conn:
        staff = conn.execute(select(MobilityCount.count).where(MobilityCount.year == 2018, MobilityCount.term == "VT",
                                                               MobilityCount.group == "staff",
                                                               MobilityCount.level == "")).scalar()
    assert staff == 6


def test_the_cli_refuses_bad_files_and_unknown_profiles_with_exit_2(engine, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(bm_csv(row(start="15/01/2018")))
    before = data_version(engine)
    assert cli.main(["import-mobilities", str(bad), "--profile", "erasmus-bm"]) == 2
    assert "row 2, column Start Date" in capsys.readouterr().err
    assert cli.main(["import-mobilities", str(bad), "--profile", "nope"]) == 2
    assert "no profile nope" in capsys.readouterr().err
    assert data_version(engine) == before


def test_the_cli_needs_replace_typed_for_hand_typed_cells(engine, capsys):
    save_counts(engine=engine, actor=EDITOR, source="form",
                cells=[Cell(2018, "VT", "teacher", "out", "erasmus", "", "NMT", count=6)])
    assert cli.main(["import-mobilities", str(BM_EXPORT), "--profile", "erasmus-bm"]) == 2
    assert "hand-typed" in capsys.readouterr().err
    assert cli.main(["import-mobilities", str(BM_EXPORT), "--profile", "erasmus-bm", "--replace-typed"]) == 0


# The page: the mapping step (AppTest) --------------------------------------------------------------------------

OWN_LAYOUT = ("Avresa;Namn;E-post;Typ;Håll\n"
              "2017-02-01;Exempel Ettan;ett@exempel.invalid;Lärare;Ut\n"
              "2017-09-01;Exempel Tvåan;tva@exempel.invalid;Doktorand;Ut\n"
              "2017-09-02;Exempel Trean;tre@exempel.invalid;Doktorand;Inresande\n")


def page_text(at) -> str:
    frames = [f.value.to_string() for f in at.dataframe]
    return texts(at) + "\n" + "\n".join(frames) + "\n" + "\n".join(str(s.label) for s in at.selectbox)


def test_an_editor_maps_an_unfamiliar_layout_saves_it_as_a_profile_and_imports(app, clean):
    """Choose 'another layout', pick a column per field, map an unfamiliar value, save the profile, import."""
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "recimport.tab")
    at.selectbox(key="ri_profile").set_value("__own__").run()
    at.file_uploader(key="ri-upload-0").upload("lista.csv", OWN_LAYOUT.encode(), "text/csv").run()
    assert "Mappa kolumner och värden" in texts(at) and not at.exception
    at.selectbox(key="ri_col_start_date").set_value("Avresa")
    at.selectbox(key="ri_format").set_value("YYYY-MM-DD")
    at.selectbox(key="ri_col_group").set_value("Typ")
    at.selectbox(key="ri_col_direction").set_value("Håll")
    at.selectbox(key="ri_col_programme").set_value("").run()
    at.selectbox(key="ri_fixed_programme").set_value("nordplus").run()
    unfamiliar = next(s for s in at.selectbox if "Doktorand" in str(s.label))
    assert "”Doktorand” (2 rader) betyder" == unfamiliar.label
    unfamiliar.set_value("student").run()
    shown = page_text(at)
    assert "lista.csv: 3 mobiliteter i 3 celler – 3 nya, 0 ändrade, 0 oförändrade celler." in shown
    assert "januari–juni räknas till VT" in shown
    assert not [word for word in ("Ettan", "Tvåan", "Trean", "exempel.invalid") if word in shown]
    at.text_input(key="ri_name").input("var-lista").run()
    at.button(key="ri_save_profile").click().run()
    assert not at.exception
    saved = ri.saved_profiles(clean)["var-lista"]
    assert saved.fields["group"]["values"] == {"Doktorand": "student"}
    assert at.selectbox(key="ri_profile").value == "var-lista"
    at.button(key="ri_import").click().run()
    assert not at.exception
    assert period_counts(clean, year=2017, term="HT", group="student") == {("out", "nordplus"): (1, "import"),
                                                                          ("in", "nordplus"): (1, "import")}
    assert period_counts(clean, year=2017, term="VT", group="teacher") == {("out", "nordplus"): (1, "import")}


def test_the_page_asks_before_replacing_a_hand_typed_count(app, clean):
    """The hand-typed cell is listed and the import button waits for the checkbox."""
    save_counts(engine=clean, actor=EDITOR, source="form", cells=[Cell(2018, "VT", "teacher", "out", "erasmus",
                                                                         count=12)])
    at = open_tab(app("counts", actor=EDITOR, lang="en"), "counts-tab", "recimport.tab", "en")
    at.file_uploader(key="ri-upload-0").upload("export.csv", bm_csv(row()), "text/csv").run()
    assert "1 cells were typed by hand in the form" in texts(at)
    assert at.button(key="ri_import").disabled
    at.checkbox(key="ri_confirm").check().run()
    at.button(key="ri_import").click().run()
    assert period_counts(clean, year=2018, term="VT", group="teacher") == {("out", "erasmus"): (1, "import")}


def test_a_bad_export_on_the_page_is_refused_with_row_and_column(app, clean):
    before = data_version(clean)
    at = open_tab(app("counts", actor=EDITOR), "counts-tab", "recimport.tab")
    at.file_uploader(key="ri-upload-0").upload("export.csv", bm_csv(row(start="2018-13-01")), "text/csv").run()
    assert "rad 2, kolumn Start Date: inte ett datum i formatet DD-MM-YYYY" in texts(at)
    assert "ri_import" not in [b.key for b in at.button] and data_version(clean) == before


def test_an_xlsx_keeps_the_spreadsheet_row_numbers_across_empty_rows(engine):
    """Excel leaves empty rows out of the file; a bad date in row 5 is still called row 5."""
    book = Workbook()
    sheet = book.active
    sheet.append(BM_HEADER)
    sheet.append(list(row()))
    sheet.append([])
    sheet.append([])
    sheet.append(list(row(start="15-13-2018")))
    buffer = io.BytesIO()
    book.save(buffer)
    message = refused(engine, buffer.getvalue(), filename="export.xlsx")
    assert message == "row 5, column Start Date: not a date in the format DD-MM-YYYY"


def test_an_xlsx_whose_cells_carry_no_reference_is_read_by_position(engine):
    """Some writers leave out r="B2" on cells: the values are placed by their position in the row."""
    import re

    book = Workbook()
    sheet = book.active
    sheet.append(BM_HEADER)
    sheet.append(list(row(activity="STT")))
    buffer = io.BytesIO()
    book.save(buffer)
    rewritten = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", body)
            target.writestr(item, body)
    table = ri.read_table(rewritten.getvalue(), "export.xlsx")
    assert table.header == BM_HEADER
    assert table.rows == [tuple(v or None for v in row(activity="STT"))]  # the empty level is an empty cell


# Hostile files: the same streaming reader and limits as every upload (mobility/files.py, RECORD_LIMITS) -------------

HOSTILE = corpus()


@pytest.mark.parametrize("name", [n for n in HOSTILE if "BEL" not in n])  # a control character is only counted here
def test_a_hostile_file_is_refused_with_little_memory_and_nothing_changes(engine, name):
    data, _expected = HOSTILE[name]
    tracemalloc.start()
    try:
        message = refused(engine, data, filename="export.xlsx" if data[:2] == b"PK" else "export.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message and peak < 100 * 1024 * 1024


def test_a_sheet_wider_than_the_limit_or_with_too_many_cells_is_refused(engine, monkeypatch):
    wide = "".join(f'<row r="{n}"><c r="GT{n}"><v>1</v></c></row>' for n in range(2, 1000)).encode()  # column 202
    book = Workbook()
    book.active.append(BM_HEADER)
    buffer = io.BytesIO()
    book.save(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</row>", b"</row>" + wide, 1)
            target.writestr(item, body)
    assert "Row 2: more than 200 columns" in refused(engine, patched.getvalue(), filename="export.xlsx")
    monkeypatch.setattr(files, "RECORD_LIMITS", replace(files.RECORD_LIMITS, cells=50))
    assert "more than 50 cells" in refused(engine, bm_csv(*(row(n=i) for i in range(10))))


def test_a_workbook_with_more_cells_than_the_limit_is_refused_before_its_rows_are_read(engine, monkeypatch):
    monkeypatch.setattr(files, "RECORD_LIMITS", replace(files.RECORD_LIMITS, cells=1_000))
    book = Workbook()
    book.active.append(BM_HEADER)
    for n in range(200):  # 1 400 cells
        book.active.append(list(row(n=n)))
    buffer = io.BytesIO()
    book.save(buffer)
    assert "The file holds more than 1,000 cells (the upload limit)." in refused(engine, buffer.getvalue(),
                                                                                 filename="export.xlsx")


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("references", [True, False])  # every cell placed by its reference, or some by position
def test_a_workbook_as_excel_writes_it_reads_the_same(prefix, references):
    """Shared strings (with a phonetic reading aid that is not part of the value), a date style, a boolean, a
    number, a formula's value, tags with a namespace prefix, a row Excel leaves out."""
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else \
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    x = prefix

    def cell(ref, body, attrs=""):
        reference = f' r="{ref}"' if ref else ""
        return f"<{x}c{reference}{attrs}>{body}</{x}c>"

    def v(text):
        return f"<{x}v>{text}</{x}v>"

    header = "".join(cell(f"{c}1", v(i), ' t="s"') for i, c in enumerate("ABCDE"))
    second = (cell("A2", v(5), ' t="s"') + cell("B2", v(43205), ' s="1"') + cell("C2", v(1), ' t="b"')
              + cell("D2", v("12.5")) + cell("E2", f"<{x}f>1+1</{x}f>" + v("2"), ' t="str"'))
    fourth = cell("A4" if references else "", v(6), ' t="s"') + cell("B4" if references else "", v(7))
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><{x}worksheet {ns}><{x}sheetData>'
             f'<{x}row r="1">{header}</{x}row><{x}row r="2">{second}</{x}row><{x}row r="4">{fourth}</{x}row>'
             f"</{x}sheetData></{x}worksheet>")
    strings = ["Name", "Start", "Ok", "Amount", "Sum", "Åsa &amp; Bo", "Tanaka"]
    items = "".join(f"<si><t>{s}</t></si>" for s in strings[:-1])
    items += "<si><r><t>Tana</t></r><r><t>ka</t></r><rPh sb=\"0\" eb=\"1\"><t>タナカ</t></rPh></si>"
    shared = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    styles = ('<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2">'
              '<xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    book = Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    patched = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            body = {"xl/worksheets/sheet1.xml": sheet, "xl/styles.xml": styles}.get(item.filename)
            target.writestr(item, source.read(item.filename) if body is None else body.encode())
        target.writestr("xl/sharedStrings.xml", shared.encode())
    table = files.read_table(patched.getvalue(), limits=files.RECORD_LIMITS)
    assert table.labels == ["Name", "Start", "Ok", "Amount", "Sum"]
    assert table.rows == [(2, ["Åsa & Bo", datetime(2018, 4, 15), True, 12.5, "2"]), (4, ["Tanaka", 7])]
