"""The same code on a real PostgreSQL (pgserver runs one without root): every domain's main SQL gives the same
answers as on SQLite. Each test gets a fresh database on one server per module and runs the same steps on both."""

import io
import itertools
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from mobility import budget, checklist_runs, counts, exports, followup, meetings, spending, targets
from mobility.activities import activity_detail, set_status
from mobility.audit import audit_entries
from mobility.cli import activities_json
from mobility.db import make_engine
from mobility.examples import example_counts, remove_example_data
from mobility.i18n import local_today
from mobility.plan import init_database
from mobility.service import SYSTEM
from tests.conftest import EDITOR

END = date(2018, 12, 31)  # the plan's last day

pgserver = pytest.importorskip("pgserver", reason="pgserver not installed (pip install -r requirements-dev.txt)")

TODAY = date(2026, 11, 28)
C2 = "c2-staff-partner-visit"
COUNTS_CSV = (
    b"year,term,group,direction,programme,level,faculty,count,note\n"
    b"2018,VT,student,out,erasmus,first,NMT,31,\n"
    b"2018,HT,student,in,nordplus,second,HUV,7,new row\n"
    b"2019,VT,teacher,out,erasmus,,,4,\n"
)
_names = itertools.count(1)


@pytest.fixture(scope="module")
def pg_server():
    # Outside pytest's basetemp: pgserver runs postgres as another user when we are root, and every pytest session
    # that starts resets that directory to 0700, which would lock a running server out of its own data.
    data = Path(tempfile.mkdtemp(prefix="mobility-pg-"))
    server = pgserver.get_server(data, cleanup_mode="stop")
    yield server
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


def _sqlalchemy_url(uri: str) -> str:
    return uri.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture
def pg(pg_server):
    """A fresh, migrated and seeded PostgreSQL database for one test."""
    name = f"mobility_{next(_names)}"
    admin = create_engine(_sqlalchemy_url(pg_server.get_uri()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_sqlalchemy_url(pg_server.get_uri(database=name)))
    init_database(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def both(engine, pg):
    """(SQLite, PostgreSQL), each freshly migrated and seeded."""
    return engine, pg


def test_the_plan_loads_into_postgresql_once(pg):
    """Same 28 activities and 1 560 500 kr as on SQLite, and a second start-up seeds nothing."""
    init_database(pg)
    rows = activities_json(pg, TODAY)["activities"]
    assert len(rows) == 28 and sum(r["budget_sek"] or 0 for r in rows) == 1_560_500


def test_a_status_write_and_its_audit_entry_on_postgresql(pg):
    """The service layer's transaction, version check and audit work the same way."""
    set_status(engine=pg, actor=EDITOR, code="D2", status="ongoing", comment="pg",
               expected_version=activity_detail(pg, "D2")["version"])
    assert activity_detail(pg, "D2")["status"] == "ongoing"
    assert audit_entries(pg, action="set_status").iloc[0].entity_key == "D2"


def test_counts_import_and_the_targets_report_agree(both):
    """Import (insert and update in one transaction), then the GROUP BY cube behind every target."""
    reports, summaries = [], []
    for db in both:
        summaries.append(counts.import_counts(engine=db, actor=EDITOR, data=COUNTS_CSV, filename="counts.csv"))
        assert counts.latest_year(db) == 2019
        reports.append({
            "calendar": targets.targets_report(db, as_of=END, year=2018),
            "academic": targets.targets_report(db, as_of=END, academic=True),
            "nmt": targets.targets_report(db, as_of=END, year=2018, faculty="NMT", programme="erasmus",
                                          level="first"),
        })
    assert summaries[0] == summaries[1] and summaries[1].written == 3
    assert reports[0] == reports[1]
    assert counts.count_rows(both[0]) == counts.count_rows(both[1])


def test_the_budget_report_and_a_new_entry_agree(both):
    """Example spending summed per activity and area, then a manual entry moves the same totals."""
    before = [budget.budget_report(db, as_of=date(2017, 12, 31)) for db in both]
    assert before[0] == before[1] and before[0]["total"]["spent"] > 0
    for db in both:
        spending.add_spend(engine=db, actor=EDITOR, spent_on="2017-06-01", activity="B2", amount="12 500,50",
                         description="Partner visit", reference="PG-1", today=TODAY)
    after = [budget.budget_report(db, as_of=date(2017, 12, 31)) for db in both]
    assert after[0] == after[1]
    assert after[1]["total"]["spent"] == before[1]["total"]["spent"] + 12_500.5
    assert budget.ledger_summary(both[0]) == budget.ledger_summary(both[1])


def test_a_checklist_run_from_start_to_staff_visit_agrees(both):
    """Start a C2 run, tick every item, complete it: one staff visit in the year of the visit."""
    for db in both:
        before = checklist_runs.staff_visits_per_year(db)  # the example runs
        run_id = checklist_runs.start_run(engine=db, actor=EDITOR, key=C2, label="Staff visit, partner X",
                                      reference_date=date(2027, 5, 3))
        for item in checklist_runs.run_detail(db, run_id, TODAY)["items"]:
            checklist_runs.tick_item(engine=db, actor=EDITOR, run_id=run_id, item_id=item["id"])
        checklist_runs.complete_run(engine=db, actor=EDITOR, run_id=run_id)
        assert checklist_runs.staff_visits_per_year(db) == {**before, 2027: 1}
    tables = [_plain(checklist_runs.run_table(db, TODAY, include_archived=True)) for db in both]
    assert tables[0] == tables[1] and len(tables[1]) == 1 + sum(before.values())


def _plain(frame: pd.DataFrame) -> list[dict]:
    """Rows without write times, every missing value as None (a NULL may come back as None or NaN)."""
    return [{k: None if pd.isna(v) else v for k, v in row.items() if not isinstance(v, datetime)}
            for row in frame.to_dict("records")]


def _without_times(report: dict) -> list:
    """The report's sections with write times left out (the two databases were written a moment apart)."""
    return [(s.key, s.group, s.columns, [tuple(v for v in row if not isinstance(v, datetime)) for row in s.rows])
            for s in report["sections"]]


def test_the_followup_report_agrees(both):
    """A meeting in October 2018 followed up three weeks later: a status change, new spending by its ledger date,
    counts, late and coming activities — the same on both databases."""
    meeting, as_of = date(2018, 10, 8), date(2018, 10, 31)
    for db in both:
        set_status(engine=db, actor=EDITOR, code="C3", status="done", comment="finished",
                   effective_on=date(2018, 10, 20), today=TODAY, expected_version=activity_detail(db, "C3")["version"])
        counts.import_counts(engine=db, actor=EDITOR, data=COUNTS_CSV, filename="counts.csv")
        spending.add_spend(engine=db, actor=EDITOR, spent_on="2018-10-15", activity="B2", amount="100",
                           reference="PG-2", today=TODAY)
        meetings.record_meeting(engine=db, actor=EDITOR, held_on=meeting, notes="Monthly meeting")
    reports = [followup.followup_report(db, since=meeting, as_of=as_of) for db in both]
    assert _without_times(reports[0]) == _without_times(reports[1])
    assert reports[1]["meeting_notes"] == "Monthly meeting"
    changed = {s.key: s.rows for s in reports[1]["sections"]}
    assert len(changed["status_changes"]) == 1 and "C3" in changed["status_changes"][0]
    assert len(changed["spend"]) == 1 and "PG-2" in changed["spend"][0] and changed["spend_corrections"] == []
    history = [followup.followup_report(db, since=date(2016, 1, 1), as_of=date(2017, 7, 10)) for db in both]
    assert _without_times(history[0]) == _without_times(history[1])


def _sheets(workbook: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return {ws.title: [next(ws.iter_rows(values_only=True)), ws.max_row] for ws in book.worksheets}


def test_the_workbook_export_agrees(both):
    """Every sheet, its columns and its number of rows."""
    sheets = [_sheets(exports.export_workbook(db, as_of=local_today())) for db in both]
    assert sheets[0] == sheets[1]
    assert set(sheets[1]) == set(exports.SHEETS) and sheets[1]["spending"][1] > 1


def test_removing_the_example_data_agrees(both):
    """Every table with a source column, children before parents, in one transaction."""
    seeded = [example_counts(db) for db in both]
    assert seeded[0] == seeded[1] and {"mobilitycount", "spend"} <= set(seeded[1])
    removed = [remove_example_data(engine=db, actor=SYSTEM) for db in both]
    assert removed[0] == removed[1] == seeded[1]
    assert [example_counts(db) for db in both] == [{}, {}]
    assert budget.budget_report(both[1], as_of=END)["total"]["spent"] == 0
