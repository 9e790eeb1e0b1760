"""The follow-up report from a crafted history, by business dates: what took effect, was spent, counted or completed
after the previous meeting up to this one, corrections entered since but dated earlier, what is late, what comes."""

import io
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from mobility import followup, meetings, report
from mobility.activities import refresh_latest_status
from mobility.i18n import TIMEZONE
from mobility.models import Activity, AuditEntry, ChecklistRun, ChecklistTemplate, MobilityCount, Spend, StatusChange
from mobility.service import VIEWER, NotAllowed, ValidationError
from tests.conftest import EDITOR, ROOT, texts
from tests.html_tables import read_tables

SINCE, TODAY = date(2017, 3, 1), date(2017, 3, 20)  # the previous meeting, this meeting (the report's as-of date)


@pytest.fixture
def engine(bare_engine):
    """A history of our own, without the shipped example history, spending and meetings."""
    return bare_engine


def at(day: int, month: int = 3, hour: int = 10, year: int = 2017) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TIMEZONE)


def put_status(session, code: str, status: str, effective: date, entered: datetime | None = None) -> None:
    activity_id = session.execute(select(Activity.id).where(Activity.code == code)).scalar()
    session.add(StatusChange(activity_id=activity_id, status=status, previous_status="planned", comment=f"{code} note",
                             changed_by="io.editor", changed_at=entered or datetime.combine(effective, time(10),
                                                                                             TIMEZONE),
                             effective_on=effective))


def put_spend(session, code: str, day: date, kronor: int, reference: str, entered: datetime | None = None) -> None:
    activity_id = session.execute(select(Activity.id).where(Activity.code == code)).scalar()
    session.add(Spend(activity_id=activity_id, spent_on=day, amount_ore=kronor * 100, description=f"{code} {reference}",
                      reference=reference, entered_by="io.editor",
                      entered_at=entered or datetime.combine(day, time(11), TIMEZONE)))


@pytest.fixture
def history(engine):
    """Before, inside and after the window (2017-03-01, 2017-03-20], for every kind of fact, and corrections."""
    with Session(engine) as session, session.begin():
        put_status(session, "B3", "ongoing", date(2017, 3, 1))  # on the previous meeting's day: reported then
        put_status(session, "B4", "ongoing", date(2017, 3, 2))  # in
        put_status(session, "C1", "delayed", date(2017, 3, 20), entered=at(20, hour=23))  # last hour: in
        put_status(session, "C2", "done", date(2017, 3, 21))  # after this meeting: left out
        put_status(session, "A4", "delayed", date(2017, 2, 15), entered=at(10))  # backdated: a correction
        put_spend(session, "A1", date(2017, 3, 1), 1000, "V-1")  # on the previous meeting's day: out
        put_spend(session, "A3", date(2017, 3, 5), 12500, "V-2")
        put_spend(session, "B2", date(2017, 3, 20), 3000, "V-3")
        put_spend(session, "B2", date(2017, 3, 21), 999, "V-4")  # after: out
        put_spend(session, "C1", date(2017, 2, 10), 700, "V-5", entered=at(12))  # a late invoice: a correction
        session.add(MobilityCount(year=2016, term="HT", group="student", direction="out", programme="erasmus",
                                  count=41, source="form", updated_by="io.editor", updated_at=at(3)))  # correction
        session.add(MobilityCount(year=2017, term="VT", group="student", direction="out", programme="erasmus",
                                  count=30, source="form", updated_by="io.editor", updated_at=at(4)))  # period open
        c2 = session.execute(select(ChecklistTemplate.id).where(ChecklistTemplate.key == "c2-staff-partner-visit"))
        session.add(ChecklistRun(template_id=c2.scalar(), version_number=1, version_status="draft", label="Visit X",
                                 reference_date=date(2017, 3, 2), status="completed", started_at=at(1, 2),
                                 started_by="io.editor", completed_at=at(6), completed_by="io.editor"))
        session.flush()
        refresh_latest_status(session)
    return engine


def section(data: dict, key: str) -> followup.Section:
    return next(s for s in data["sections"] if s.key == key)


def test_status_changes_are_those_that_took_effect_after_the_last_meeting(history):
    """By effective date: after the previous meeting's day up to and including this meeting's."""
    data = followup.followup_report(history, since=SINCE, as_of=TODAY)
    rows = section(data, "status_changes").rows
    assert [r[2] for r in rows] == ["B4", "C1"]
    assert rows[1][0] == TODAY and rows[1][4].sv == "Planerad" and rows[1][5].en == "Delayed"
    assert [r[2] for r in section(data, "status_corrections").rows] == ["A4"]  # in force from February


def test_new_spending_is_by_ledger_date_and_late_entries_are_listed_apart(history):
    """The ledger's dates decide; an entry made in the window for an earlier date is a correction."""
    data = followup.followup_report(history, since=SINCE, as_of=TODAY)
    assert [r[4] for r in section(data, "spend").rows] == ["V-2", "V-3"]
    assert [r[4] for r in section(data, "spend_corrections").rows] == ["V-5"]


def test_new_spending_is_what_the_budget_added_between_the_dates(history):
    """The report and the budget page agree to the öre."""
    from mobility.budget import budget_report

    def spent(day):
        return budget_report(history, as_of=day)["total"]["spent"]

    assert spent(TODAY) - spent(SINCE) == 12500 + 3000
    rows = section(followup.followup_report(history, since=SINCE, as_of=TODAY), "spend").rows
    assert [r[2].sv for r in rows] == ["12\u00a0500\u00a0kr", "3\u00a0000\u00a0kr"]


def test_counts_by_the_period_they_count_and_runs_by_completion(history):
    """A count for a period that ended earlier but was entered in the window is a correction; runs completed."""
    data = followup.followup_report(history, since=SINCE, as_of=TODAY)
    assert section(data, "counts").rows == []  # VT 2017 has not ended by 20 March
    corrections = section(data, "count_corrections").rows
    assert [(r[0], r[3]) for r in corrections] == [("2016 HT", 41)]
    assert [r[2] for r in section(data, "checklist_runs").rows] == ["Visit X"]
    july = followup.followup_report(history, since=date(2017, 6, 1), as_of=date(2017, 7, 10))
    assert [(r[0], r[3]) for r in section(july, "counts").rows] == [("2017 VT", 30)]


def test_late_is_past_its_end_month_and_not_closed_on_that_day(engine):
    """In July 2017: what ended by June and was neither done nor cancelled then; delayed still counts as late."""
    with Session(engine) as session, session.begin():
        put_status(session, "B4", "done", date(2017, 4, 28))
        put_status(session, "C2", "cancelled", date(2017, 6, 1))
        put_status(session, "C1", "delayed", date(2017, 6, 26))
        put_status(session, "B5", "done", date(2017, 7, 20))  # done, but only after the report's day
    rows = section(followup.followup_report(engine, since=SINCE, as_of=date(2017, 7, 10)), "overdue").rows
    assert [r[0] for r in rows] == ["A1", "B3", "B5", "C1"]
    assert rows[3][3] == "juni-17" and rows[3][4].sv == "Försenad"


def test_a_start_only_activity_is_late_after_the_plans_assumed_end(engine):
    """D3 starts Nov 2016 with no end: with the plan's 12 months it is late from November 2017, said so."""
    oct_rows = section(followup.followup_report(engine, since=SINCE, as_of=date(2017, 10, 31)), "overdue").rows
    nov_rows = section(followup.followup_report(engine, since=SINCE, as_of=date(2017, 11, 1)), "overdue").rows
    assert "D3" not in [r[0] for r in oct_rows]
    d3 = next(r for r in nov_rows if r[0] == "D3")
    assert d3[3].sv == "inget slut i planen; antaget okt. 2017" and d3[3].en == "no end in the plan; assumed Oct 2017"


def test_coming_is_this_month_and_the_next_three(engine):
    """On 15 November 2016: starts from November to February, not what started before or was closed by then."""
    with Session(engine) as session, session.begin():
        put_status(session, "B3", "done", date(2016, 11, 10))
    rows = section(followup.followup_report(engine, since=date(2016, 11, 1), as_of=date(2016, 11, 15)),
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
        logged = session.execute(select(AuditEntry).where(AuditEntry.entity == "meeting",
                                                          AuditEntry.action != "remove_example")).scalars().all()
    assert [(e.action, e.entity_key) for e in logged] == [("record_meeting", "2017-03-01")]
    assert followup.followup_report(engine, since=SINCE, as_of=TODAY)["meeting_notes"] == "Budget for B9 discussed"
    assert meetings.last_meeting_before(engine, TODAY) == SINCE
    assert meetings.last_meeting_before(engine, SINCE) is None  # a report on the meeting's day follows up an earlier


def test_a_start_after_the_reports_date_is_refused(engine):
    with pytest.raises(ValidationError, match="since"):
        followup.followup_report(engine, since=date(2017, 4, 1), as_of=TODAY)


def test_markdown_prints_the_dates_and_every_section(history):
    text = report.to_markdown(followup.followup_report(history, since=SINCE, as_of=TODAY), "sv")
    assert "Ändringar efter 2017-03-01 till och med 2017-03-20" in text and "Exempeldata" not in text
    for title in ("Ändrad status (efter gällande datum) (2)", "Antal inmatade eller rättade sedan förra mötet för "
                  "tidigare perioder (1)", "Nya utgifter (efter bokföringsdatum) (2)", "Avslutade checklistor (1)",
                  "Försenade aktiviteter"):
        assert f"### {title}" in text
    assert "*Startar de närmaste månaderna: inget att rapportera.*" in text  # an empty section takes one line
    assert "| B4 |" in text and "| V-5 |" in text


def test_docx_opens_and_holds_the_rows_with_a_repeating_header(history):
    """Word: the dates in the document, a table per non-empty section, header rows marked to repeat."""
    data = followup.followup_report(history, since=SINCE, as_of=TODAY)
    doc = Document(io.BytesIO(report.to_docx(data, "en")))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "1 Mar 2017" in body and "20 Mar 2017" in body
    cells = {c.text for tbl in doc.tables for row in tbl.rows for c in row.cells}
    assert {"B4", "C1", "V-2", "V-5", "Visit X", "2016 HT"} <= cells
    assert "V-1" not in cells and "V-4" not in cells
    assert len(doc.tables) == 1 + sum(bool(s.rows) for s in data["sections"]), "the summary, then each section"
    assert all(tbl.rows[0]._tr.trPr.xpath("./w:tblHeader") for tbl in doc.tables)


def test_pdf_opens_holds_the_rows_and_repeats_headers_on_every_page(history, engine):
    """Many rows run over pages: every page after the first carries the dates, table pages the header row."""
    with Session(engine) as session, session.begin():
        for n in range(120):
            put_spend(session, "B9", date(2017, 3, 10), 100 + n, f"row-{n:03}")
    data = followup.followup_report(engine, since=SINCE, as_of=TODAY)
    reader = PdfReader(io.BytesIO(report.to_pdf(data, "sv")))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    assert "2017-03-01" in pages[0] and "2017-03-20" in pages[0]
    whole = "\n".join(pages)
    assert all(f"row-{n:03}" in whole for n in range(120))
    assert "Nya utgifter" in whole and "Försenade aktiviteter" in whole
    for text in pages[1:]:
        assert "2017-03-01" in text and "Sida" in text
    spend_pages = [text for text in pages if "row-" in text]
    assert len(spend_pages) >= 2 and all("Verifikation" in text and "Belopp" in text for text in spend_pages)


def test_cli_report_writes_each_format_and_refuses_a_bad_date(engine, db_url, tmp_path):
    """``report --since --as-of --format --out``; a malformed date is an error and writes no file."""
    env = {**os.environ, "DATABASE_URL": db_url}
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        done = subprocess.run([sys.executable, "-m", "mobility", "report", "--since", "2017-01-01", "--as-of",
                               "2017-03-13", "--format", fmt, "--out", str(out)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
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
    """For the as-of date's meeting, the previous one by default: its notes, the dates and the sections."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 2, 13), notes="Februarimötet")
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 1, 16), notes="")
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 3, 13), notes="Marsmötet")
    at_ = app("followup", as_of="2017-03-13")
    shown = texts(at_)
    assert "Februarimötet" in shown and "Ändringar efter 2017-02-13 till och med 2017-03-13" in shown
    assert "Marsmötet" not in shown.split("Registrerade möten")[0]  # this meeting is not followed up yet
    assert "Ändrad status (efter gällande datum): inget att rapportera." in shown and "Försenade aktiviteter" in shown
    assert at_.selectbox[0].value == "2017-02-13"
    labels = [b.proto.label for b in at_.get("download_button")]
    assert "Ladda ner Word (DOCX)" in labels and "Ladda ner PDF" in labels
    at_ = app("followup", as_of="2017-03-13", meeting="2017-01-16")
    assert "Ändringar efter 2017-01-16" in texts(at_) and "Februarimötet" not in texts(at_)


def test_the_list_of_meetings_shows_typed_text_as_typed_not_as_markup(app, engine):
    """A chair or notes that look like Markdown, a link or HTML are shown as the characters typed, never as bold
    text, a link or an element (the table is HTML: its text is escaped)."""
    typed = {"chair": "**Ordförande** <b>fet</b>", "notes": "[Klicka här](https://example.org) och _kursivt_"}
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 2, 13), **typed)
    at_ = app("followup", as_of="2017-03-13")
    listed = read_tables(at_)[-1]  # the meetings, last on the page
    assert list(listed["Ordförande"]) == [typed["chair"]]
    assert list(listed["Korta anteckningar"]) == [typed["notes"]]
    markup = next(h.value for h in at_.html if "Ordförande" in h.value)
    assert "&lt;b&gt;fet&lt;/b&gt;" in markup and "<b>" not in markup and "<a " not in markup


def test_an_editor_records_a_meeting_on_the_page(app, engine):
    at_ = app("followup", actor=EDITOR)
    next(a for a in at_.text_area if a.label == "Korta anteckningar").input("Uppföljning av B-området")
    next(b for b in at_.button if b.label == "Spara mötet").click().run()
    assert not at_.exception
    assert [m["notes"] for m in meetings.meetings(engine)] == ["Uppföljning av B-området"]
    assert at_.toast[0].value == "Mötet 2018-12-31 är sparat."  # the as-of date: a finished plan's last day
    assert "Uppföljning av B-området" in read_tables(at_)[-1]["Korta anteckningar"].tolist()  # the list of meetings


def test_an_entry_made_just_after_midnight_counts_on_the_swedish_day(engine):
    """At 00:30 in Stockholm a UTC server's date is still yesterday: the entry belongs to the Swedish day."""
    day = date(2017, 3, 14)
    just_after_midnight = datetime.combine(day, time(0, 30), TIMEZONE)
    with Session(engine) as session, session.begin():
        put_status(session, "B3", "ongoing", date(2017, 2, 1), entered=just_after_midnight)
        put_spend(session, "B3", date(2017, 2, 1), 500, "V-9", entered=just_after_midnight)
    on_the_day = followup.followup_report(engine, since=day - timedelta(days=1), as_of=day)
    assert [r[2] for r in section(on_the_day, "status_corrections").rows] == ["B3"]
    assert [r[4] for r in section(on_the_day, "spend_corrections").rows] == ["V-9"]
    day_before = followup.followup_report(engine, since=day - timedelta(days=2), as_of=day - timedelta(days=1))
    assert section(day_before, "spend_corrections").rows == []


def test_a_link_with_a_date_reports_since_that_date(app, engine):
    """?since=2017-01-10 opens the report from that date even when meetings exist."""
    meetings.record_meeting(engine=engine, actor=EDITOR, held_on=date(2017, 1, 5), notes="Januarimötet")
    at_ = app("followup", since="2017-01-10", as_of="2017-03-13")
    assert not at_.exception
    assert "Ändringar efter 2017-01-10 till och med 2017-03-13" in texts(at_) and "Januarimötet" not in texts(at_)


@pytest.mark.parametrize(("since", "words"), [("2017-13-01", "cannot be read"), ("2015-06-01", "is outside"),
                                               ("2017-04-01", "is outside")])
def test_a_link_with_a_date_outside_the_range_is_refused_with_a_message(app, since, words):
    """Before the plan, after the as-of date or not a date: said, and the report starts from the default."""
    at_ = app("followup", lang="en", since=since, as_of="2017-03-13")
    assert not at_.exception
    warning = next(w.value for w in at_.warning if since in w.value)
    assert words in warning and "shows 1 Mar 2017 instead" in warning
    assert "Changes after 1 Mar 2017 up to and including 13 Mar 2017" in texts(at_)


def test_a_meeting_can_be_recorded_for_a_past_date_in_the_plan(app, engine):
    """The meeting form opens on the as-of date and accepts any day from the plan's first."""
    at_ = app("followup", actor=EDITOR, as_of="2016-03-14")
    form_date = next(d for d in at_.date_input if d.label == "Mötesdatum")
    assert form_date.value == date(2016, 3, 14) and form_date.min == date(2016, 1, 1)
    next(b for b in at_.button if b.label == "Spara mötet").click().run()
    assert [m["held_on"] for m in meetings.meetings(engine)] == [date(2016, 3, 14)]
