"""The follow-up report from a crafted history: what changed between the dates, what is late, what comes; on paper."""

import io
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select, update
from sqlmodel import Session

from mobility import followup, meetings, report
from mobility.i18n import TIMEZONE
from mobility.models import Activity, AuditEntry, StatusChange
from mobility.service import VIEWER, NotAllowed, ValidationError
from tests.conftest import EDITOR, ROOT, texts

SINCE, TODAY = date(2017, 3, 1), date(2017, 3, 20)


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2017, month, day, hour, tzinfo=TIMEZONE)


def add_audit(session, when, *, entity, action, key, before=None, after=None, actor="io.editor"):
    """What the counts, budget and checklist domains will write, inserted directly."""
    session.add(AuditEntry(at=when, actor=actor, action=action, entity=entity, entity_key=key, before=before,
                           after=after))


@pytest.fixture
def history(engine):
    """Before, inside and after the window [2017-03-01, 2017-03-20], for every kind of change."""
    with Session(engine) as session, session.begin():
        ids = dict(session.execute(select(Activity.code, Activity.id)).all())
        for code, when, old, new in [("B3", at(28, 2), "planned", "ongoing"),   # before: left out
                                     ("B4", at(1, hour=0), "planned", "ongoing"),  # first minute of the day: in
                                     ("C1", at(20, hour=23), "planned", "delayed"),  # last hour: in
                                     ("C2", at(21), "planned", "done")]:  # after today: left out
            session.add(StatusChange(activity_id=ids[code], status=new, previous_status=old, comment=f"{code} note",
                                     changed_by="io.editor", changed_at=when))
        session.execute(update(Activity).where(Activity.code == "A1").values(status="done"))
        session.execute(update(Activity).where(Activity.code == "C1").values(status="delayed"))
        session.execute(update(Activity).where(Activity.code == "D1").values(status="cancelled"))
        add_audit(session, at(27, 2), entity="count", action="enter_count", key="2016/student/out", after='{"n": 40}')
        add_audit(session, at(2), entity="count", action="enter_count", key="2017/student/out", after='{"n": 12}')
        add_audit(session, at(3), entity="count", action="correct_count", key="2017/teacher/out",
                  before='{"n": 3}', after='{"n": 4}')
        add_audit(session, at(5), entity="spend", action="add_spend", key="A3", after='{"amount_sek": 12500}')
        add_audit(session, at(6), entity="checklist_run", action="complete_run", key="B3 run 2")
        add_audit(session, at(7), entity="checklist_run", action="start_run", key="B3 run 3")  # not completed
        add_audit(session, at(8), entity="activity", action="set_status", key="B4")  # shown via StatusChange
    return engine


def section(data: dict, key: str) -> followup.Section:
    return next(s for s in data["sections"] if s.key == key)


def test_status_changes_are_those_inside_the_dates_inclusive(history):
    """From the first minute of the start date to the last of today, local time."""
    data = followup.followup_report(history, since=SINCE, today=TODAY)
    rows = section(data, "status_changes").rows
    assert [r[1] for r in rows] == ["B4", "C1"]
    assert rows[1][3].sv == "Planerad" and rows[1][4].en == "Delayed" and rows[1][6] == "C1 note"


def test_other_domains_changes_come_from_the_audit_log(history):
    """Counts entered and corrected, new spending and completed checklist runs, within the dates only."""
    data = followup.followup_report(history, since=SINCE, today=TODAY)
    counts = section(data, "counts").rows
    assert [r[3] for r in counts] == ["2017/student/out", "2017/teacher/out"]
    assert counts[1][4:] == ("n: 3", "n: 4")
    assert [r[3] for r in section(data, "spend").rows] == ["A3"]
    assert [r[3] for r in section(data, "checklist_runs").rows] == ["B3 run 2"]


def test_late_is_past_its_end_month_and_not_closed(engine):
    """In July 2017: what ended by June and is neither done nor cancelled; delayed still counts as late."""
    with Session(engine) as session, session.begin():
        for code, status in (("B4", "done"), ("C2", "cancelled"), ("C1", "delayed")):
            session.execute(update(Activity).where(Activity.code == code).values(status=status))
    rows = section(followup.followup_report(engine, since=SINCE, today=date(2017, 7, 10)), "overdue").rows
    assert [r[0] for r in rows] == ["A1", "B3", "B5", "C1"]
    assert rows[3][3] == "juni-17" and rows[3][4].sv == "Försenad"


def test_coming_is_this_month_and_the_next_three(engine):
    """Today in November 2016: starts from November to February, not what started before or is closed."""
    with Session(engine) as session, session.begin():
        session.execute(update(Activity).where(Activity.code == "B3").values(status="done"))
    rows = section(followup.followup_report(engine, since=date(2016, 11, 1), today=date(2016, 11, 15)),
                   "upcoming").rows
    codes = [r[0] for r in rows]
    assert {"C1", "D3", "B4", "A3", "B1"} <= set(codes)
    assert "B3" not in codes  # done
    assert "A2" not in codes and "E1" not in codes  # started in October; starts autumn 2017


def test_meetings_are_recorded_once_per_date_by_editors_and_audited(engine):
    """An editor records a meeting; the same date twice, long notes or a reader are refused."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=SINCE, notes="Budget for B9 discussed")
    assert [(m["held_on"], m["notes"]) for m in meetings.meetings(engine)] == [(SINCE, "Budget for B9 discussed")]
    with pytest.raises(ValidationError, match="already recorded"):
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=SINCE, notes="")
    with pytest.raises(ValidationError, match="ett möte den .* är redan registrerat"):  # on a Swedish page
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=SINCE, notes="", lang="sv")
    with pytest.raises(ValidationError, match="notes"):
        meetings.record_meeting(engine=engine, actor=EDITOR, held_on=TODAY, notes="x" * 3000)
    with pytest.raises(NotAllowed):
        meetings.record_meeting(engine=engine, actor=VIEWER, held_on=TODAY, notes="")
    with Session(engine) as session:
        logged = session.execute(select(AuditEntry).where(AuditEntry.entity == "meeting")).scalars().all()
    assert [(e.action, e.entity_key) for e in logged] == [("record_meeting", "2017-03-01")]
    assert followup.followup_report(engine, since=SINCE, today=TODAY)["meeting_notes"] == "Budget for B9 discussed"
    assert meetings.last_meeting_before(engine, TODAY) == SINCE


def test_a_start_after_today_is_refused(engine):
    with pytest.raises(ValidationError, match="since"):
        followup.followup_report(engine, since=date(2017, 4, 1), today=TODAY)


def test_markdown_prints_the_dates_and_every_section(history):
    text = report.to_markdown(followup.followup_report(history, since=SINCE, today=TODAY), "sv")
    assert "2017-03-01" in text and "2017-03-20" in text
    for title in ("Ändrad status (2)", "Inmatade eller rättade antal (2)", "Nya utgifter (1)",
                  "Avslutade checklistor (1)"):
        assert f"### {title}" in text
    for title in ("Försenade aktiviteter", "Startar de närmaste månaderna"):  # a heading, or one line if empty
        assert f"### {title} (" in text or f"*{title}: inget att rapportera.*" in text
    assert "| B4 |" in text and "2017/teacher/out" in text


def test_docx_opens_and_holds_the_rows_with_a_repeating_header(history):
    """Word: the dates in the document, a table per non-empty section, header rows marked to repeat."""
    data = followup.followup_report(history, since=SINCE, today=TODAY)
    doc = Document(io.BytesIO(report.to_docx(data, "en")))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "1 Mar 2017" in body and "20 Mar 2017" in body
    cells = {c.text for tbl in doc.tables for row in tbl.rows for c in row.cells}
    assert {"B4", "C1", "2017/student/out", "A3", "B3 run 2"} <= cells
    assert "2016/student/out" not in cells
    assert len(doc.tables) == 1 + sum(bool(s.rows) for s in data["sections"]), "the summary, then each section"
    assert all(tbl.rows[0]._tr.trPr.xpath("./w:tblHeader") for tbl in doc.tables)


def test_pdf_opens_holds_the_rows_and_repeats_headers_on_every_page(history, engine):
    """Many rows run over pages: every page after the first carries the dates, table pages the header row."""
    with Session(engine) as session, session.begin():
        for n in range(120):
            add_audit(session, at(10), entity="count", action="enter_count", key=f"row-{n:03}", after='{"n": 5}')
    data = followup.followup_report(engine, since=SINCE, today=TODAY)
    reader = PdfReader(io.BytesIO(report.to_pdf(data, "sv")))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    assert "2017-03-01" in pages[0] and "2017-03-20" in pages[0]
    whole = "\n".join(pages)
    assert all(f"row-{n:03}" in whole for n in range(120))
    assert "rättade antal" in whole and "Försenade aktiviteter" in whole
    for text in pages[1:]:
        assert "2017-03-01" in text and "Sida" in text
    count_pages = [text for text in pages if "row-" in text]
    assert len(count_pages) >= 2 and all("Vem" in text and "Post" in text for text in count_pages)


def test_cli_report_writes_each_format_and_refuses_a_bad_date(engine, db_url, tmp_path):
    """``report --since --format --out``; a malformed date is an error and writes no file."""
    env = {**os.environ, "DATABASE_URL": db_url}
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        done = subprocess.run([sys.executable, "-m", "mobility", "report", "--since", "2026-01-01", "--format", fmt,
                               "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    bad = subprocess.run([sys.executable, "-m", "mobility", "report", "--since", "2026-13-01", "--format", "md",
                          "--out", str(tmp_path / "bad.md")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr and not (tmp_path / "bad.md").exists()


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("actor", [None, EDITOR], ids=["viewer", "editor"])
def test_the_followup_page_opens_for_everyone_and_shows_the_form_to_editors(app, lang, actor):
    at_ = app("followup", lang=lang, actor=actor)
    assert not at_.exception, at_.exception
    labels = [b.label for b in at_.button]
    assert ("Spara mötet" in labels or "Save the meeting" in labels) == (actor is not None)


def test_the_page_shows_the_report_since_the_chosen_meeting_and_offers_paper(app, engine):
    """Choose the last meeting: its notes, the dates and the sections; DOCX and PDF to download."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2026, 1, 5), notes="Januarimötet")
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2025, 12, 1), notes="")
    at_ = app("followup")
    shown = texts(at_)
    assert "Januarimötet" in shown and "2026-01-05" in shown
    assert "Ändrad status: inget att rapportera." in shown and "Försenade aktiviteter" in shown
    assert "Sammanfattning" in shown and "Budget: " in shown
    assert at_.selectbox[0].value == "2026-01-05"
    labels = [b.proto.label for b in at_.get("download_button")]
    assert "Ladda ner Word (DOCX)" in labels and "Ladda ner PDF" in labels
    at_ = app("followup", meeting="2025-12-01")
    assert "2025-12-01" in texts(at_) and "Januarimötet" not in texts(at_)


def test_an_editor_records_a_meeting_on_the_page(app, engine):
    at_ = app("followup", actor=EDITOR)
    next(a for a in at_.text_area if a.label == "Korta anteckningar").input("Uppföljning av B-området")
    next(b for b in at_.button if b.label == "Spara mötet").click().run()
    assert not at_.exception
    assert [m["notes"] for m in meetings.meetings(engine)] == ["Uppföljning av B-området"]
    assert at_.toast[0].value == f"Mötet {date.today().isoformat()} är sparat."
    assert "Uppföljning av B-området" in at_.dataframe[-1].value["Korta anteckningar"].tolist()  # the list of meetings


def test_a_change_made_today_is_in_todays_report_whatever_the_server_clock(engine):
    """At 00:30 in Stockholm a UTC server's date is still yesterday: that change is in the report for 'today'."""
    server_today = date.today()
    just_after_midnight = datetime.combine(server_today + timedelta(days=1), time(0, 30), TIMEZONE)
    with Session(engine) as session, session.begin():
        b3 = session.execute(select(Activity.id).where(Activity.code == "B3")).scalar()
        session.add(StatusChange(activity_id=b3, status="ongoing", previous_status="planned", changed_by="io.editor",
                                 changed_at=just_after_midnight))
        add_audit(session, just_after_midnight, entity="spend", action="add_spend", key="B3")
    data = followup.followup_report(engine, since=server_today, today=server_today)
    assert [r[1] for r in section(data, "status_changes").rows] == ["B3"]
    assert [r[3] for r in section(data, "spend").rows] == ["B3"]


def test_a_link_with_a_date_reports_since_that_date(app, engine):
    """?since=2026-01-10 opens the report from that date even when meetings exist."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2026, 1, 5), notes="Januarimötet")
    at_ = app("followup", since="2026-01-10")
    assert not at_.exception
    assert "från och med 2026-01-10" in texts(at_) and "Januarimötet" not in texts(at_)
