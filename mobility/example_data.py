"""The shipped example data, seeded once: it tells the plan's story 2016–2018 so moving the as-of date shows it move.

Mobility counts and spending, a status history with effective dates that follow the plan's own dates (most done a
little late, some late for good, the 2018 activities never decided), completed C2 partner visits and the monthly
follow-up meetings. Every row is marked ``source = example``: ``remove-example`` removes it all, and a removed seed
does not come back (``seed_once``).
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.activities import refresh_latest_status, statuses_at
from mobility.checklist_runs import STAFF_VISIT_ACTIVITY
from mobility.counts import EXAMPLE_FILE, KEY_COLUMNS, read_counts_file
from mobility.examples import EXAMPLE, seed_once
from mobility.i18n import TIMEZONE
from mobility.models import (
    Activity,
    ChecklistItem,
    ChecklistRun,
    ChecklistRunItem,
    ChecklistTemplateActivity,
    ChecklistVersion,
    Meeting,
    MobilityCount,
    Spend,
    StatusChange,
)
from mobility.parsing import parse_amount
from mobility.service import now
from mobility.spending import activity_ids

# (activity, effective date, status, comment). At the end of 2018: A5, B1, C3 and D3 late, A8 and B8 not started
# (2018 was never decided), A9 cancelled.
EXAMPLE_STATUS_HISTORY = [
    ("A1", "2016-02-15", "ongoing", "Genomgång av partneravtal påbörjad"),
    ("A1", "2017-03-20", "done", "Mobilitetsfönster identifierade för 14 program"),
    ("A2", "2016-10-10", "ongoing", "Första kursplanerna till översättning"),
    ("A2", "2017-09-15", "done", "42 kursplaner översatta"),
    ("A3", "2017-01-16", "ongoing", ""),
    ("A3", "2017-11-30", "done", "Möten med alla kontaktpersoner hållna"),
    ("A4", "2016-03-01", "ongoing", ""),
    ("A4", "2017-10-02", "delayed", "Enkäten väntar på översättning"),
    ("A4", "2018-04-20", "done", "Checklistor för sex länder publicerade"),
    ("A5", "2017-02-01", "ongoing", "Första halvtimmesträffen hölls"),
    ("A6", "2016-08-22", "ongoing", ""),
    ("A6", "2017-05-31", "done", "Kommunikationsplanen fastställd"),
    ("A7", "2016-09-05", "ongoing", ""),
    ("A7", "2017-06-15", "done", "Nya webbsidor publicerade"),
    ("A9", "2018-02-12", "cancelled", "Inga medel beslutade för 2018"),
    ("B1", "2017-02-01", "ongoing", ""),
    ("B1", "2017-09-01", "delayed", "Väntar på nya riktlinjer för arbetstidsplanering"),
    ("B2", "2016-09-15", "ongoing", "Pilotgrupp med tre institutioner"),
    ("B2", "2017-08-31", "done", ""),
    ("B3", "2016-12-05", "ongoing", ""),
    ("B3", "2017-06-20", "done", "Manualen publicerad på medarbetarwebben"),
    ("B4", "2016-12-05", "ongoing", ""),
    ("B4", "2017-05-15", "done", ""),
    ("B5", "2016-10-17", "ongoing", ""),
    ("B5", "2017-04-25", "done", "Avtalsmallar klara"),
    ("B6", "2016-09-20", "ongoing", ""),
    ("B6", "2016-12-15", "done", "Utskick till 60 partneruniversitet"),
    ("B7", "2016-05-02", "ongoing", ""),
    ("B7", "2017-12-12", "done", ""),
    ("B9", "2017-02-14", "ongoing", "Första kontaktresorna"),
    ("B10", "2017-06-01", "ongoing", "Motfinansiering sökt"),
    ("C1", "2016-11-14", "ongoing", ""),
    ("C1", "2017-06-26", "delayed", "Remissrunda förlängd"),
    ("C1", "2017-10-30", "done", "Strategin beslutad"),
    ("C2", "2016-11-21", "ongoing", ""),
    ("C2", "2017-04-10", "done", "Checklistan för partnerbesök klar"),
    ("C3", "2017-03-06", "ongoing", "Arbetsgrupp tillsatt"),
    ("D1", "2016-12-12", "ongoing", ""),
    ("D1", "2017-12-18", "done", "Analysen presenterad för ledningen"),
    ("D2", "2016-08-29", "ongoing", ""),
    ("D2", "2017-11-20", "done", ""),
    ("D3", "2016-11-07", "ongoing", "Två mässor bokade"),
    ("E1", "2017-08-21", "ongoing", "Planering av International Week"),
    ("E1", "2018-04-26", "done", "International Week genomförd"),
    ("E2", "2016-09-01", "ongoing", ""),
    ("E2", "2017-02-28", "done", "Alla institutioner besökta"),
    ("IBS", "2017-01-15", "ongoing", ""),
    ("IBS", "2017-06-30", "done", "Resultaten från barometern mottagna"),
]

# Partner visits by outgoing administrative staff (C2 runs): (label, visit date, completed on)
EXAMPLE_C2_RUNS = [
    ("Studieadministratör till Umeå–Tartu-nätverket", "2017-05-16", "2017-05-19"),
    ("Internationell handläggare till Hochschule Bremen", "2017-09-28", "2017-10-06"),
    ("Ekonomiadministratör till University of Eastern Finland", "2018-04-19", "2018-04-27"),
    ("Bibliotekarie till NTNU Gjøvik", "2018-09-13", "2018-09-21"),
]

# The monthly follow-up meetings (avstämningsmöten), not every month held: (date, notes)
EXAMPLE_MEETINGS = [
    ("2016-09-12", "Uppstart efter sommaren; A1 och B2 igång"),
    ("2016-11-14", "C1 och C2 startar; D3 mässor bokade"),
    ("2017-01-16", "Budget 2017 genomgången"),
    ("2017-02-13", "A1 försenat; nytt slutdatum mars"),
    ("2017-03-13", "IBS-avgift betald; B9 kursutveckling"),
    ("2017-06-12", "Avstämning inför sommaren"),
    ("2017-09-11", "B1 försenat; A4 enkät"),
    ("2017-12-11", "Årets resultat; plan för 2018 ej beslutad"),
    ("2018-03-12", "A9 avbruten; C3 pågår"),
    ("2018-06-11", "International Week utvärderad"),
    ("2018-12-10", "Slutavstämning av planen"),
]


def _stamp(day: date, hour: int = 15) -> datetime:
    """A local working hour on ``day``, as the app stores times (aware)."""
    return datetime.combine(day, time(hour), TIMEZONE)


def seed_status_history(session: Session) -> None:
    codes = dict(session.execute(select(Activity.code, Activity.id)).all())
    at = now()
    for code, day, status, comment in EXAMPLE_STATUS_HISTORY:
        effective_on = date.fromisoformat(day)
        previous = statuses_at(session, effective_on).get(codes[code])
        session.add(StatusChange(activity_id=codes[code], status=status, previous_status=previous or "planned",
                                 comment=comment, changed_by="system", changed_at=at, effective_on=effective_on,
                                 source=EXAMPLE))
        session.flush()
    refresh_latest_status(session)


def seed_c2_runs(session: Session) -> None:
    found = session.execute(
        select(ChecklistVersion).join(ChecklistTemplateActivity,
                                      ChecklistTemplateActivity.template_id == ChecklistVersion.template_id)
        .where(ChecklistTemplateActivity.activity_code == STAFF_VISIT_ACTIVITY)
        .order_by(ChecklistVersion.number.desc()).limit(1)
    ).scalar_one_or_none()
    if found is None:  # no C2 checklist shipped: nothing to tell
        return
    items = session.execute(select(ChecklistItem).where(ChecklistItem.version_id == found.id)
                            .order_by(ChecklistItem.position)).scalars().all()
    for label, visit, completed in EXAMPLE_C2_RUNS:
        visit, done = date.fromisoformat(visit), _stamp(date.fromisoformat(completed))
        run = ChecklistRun(template_id=found.template_id, version_number=found.number, version_status=found.status,
                           label=label, reference_date=visit, status="completed",
                           started_at=_stamp(visit - timedelta(days=60)), started_by="system", completed_at=done,
                           completed_by="system", source=EXAMPLE)
        session.add(run)
        session.flush()
        session.add_all(ChecklistRunItem(
            run_id=run.id, position=n, phase=i.phase, text_sv=i.text_sv, text_en=i.text_en,
            due_date=None if i.due_days is None else visit + timedelta(days=i.due_days), done_at=done, done_by="system",
        ) for n, i in enumerate(items))


def seed_example_counts(session: Session) -> None:
    """The shipped example counts, marked ``source = example`` (run once by ``seed_once``)."""
    cells = read_counts_file(EXAMPLE_FILE.read_bytes(), EXAMPLE_FILE.name)
    stamp = now()
    session.add_all(MobilityCount(**dict(zip(KEY_COLUMNS, c.key, strict=True)), count=c.count, source="example",
                                  note=c.note, updated_by="system", updated_at=stamp) for c in cells)


# Spending -----------------------------------------------------------------------------------------------------------
EXAMPLE_SPENDING = [  # (activity, date, amount as written, description, reference)
    ("A1", "2016-03-10", "18 400", "Resebidrag utresande studenter vt-16", "EX-16-001"),
    ("A1", "2016-06-15", "22 750,50", "Resebidrag utresande studenter ht-16", "EX-16-007"),
    ("A1", "2016-10-05", "24 300", "Informationskampanj utlandsstudier", "EX-16-019"),
    ("A1", "2017-01-20", "19 800", "Resebidrag utresande studenter vt-17", "EX-17-002"),
    ("A2", "2016-11-14", "12 600", "Informationsmöten utlandsstudier, tryck", "EX-16-024"),
    ("A2", "2017-03-02", "9 450", "Informationsmöten utlandsstudier, lokal och fika", "EX-17-011"),
    ("A3", "2017-02-08", "15 000", "Stipendier 10 × 1 500 kr", "EX-17-006"),
    ("A3", "2017-09-12", "13 500", "Stipendier 9 × 1 500 kr", "EX-17-031"),
    ("A4", "2016-04-20", "1 850", "Material till mässa", "EX-16-004"),
    ("A4", "2017-05-11", "1 600", "Material till mässa", "EX-17-019"),
    ("A5", "2017-04-03", "6 200", "Översättning av webbtexter", "EX-17-014"),
    ("B2", "2016-10-20", "32 000", "Erasmus+ lärarutbyte, resor", "EX-16-018"),
    ("B2", "2017-02-14", "41 500", "Erasmus+ lärarutbyte, resor och logi", "EX-17-008"),
    ("B2", "2017-05-30", "28 900,75", "Erasmus+ lärarutbyte, logi", "EX-17-022"),
    ("B2", "2017-06-02", "-2 500", "Rättelse: hotellfaktura bokad två gånger (EX-17-022)", "EX-17-023"),
    ("B6", "2016-11-08", "8 000", "Workshop för lärare", "EX-16-023"),
    ("B7", "2016-05-18", "4 200", "Seminarium om internationalisering, förtäring", "EX-16-006"),
    ("B9", "2017-03-15", "45 000", "Kursutveckling, engelskspråkiga kurser", "EX-17-012"),
    ("B9", "2017-10-10", "52 000", "Kursutveckling, engelskspråkiga kurser", "EX-17-034"),
    ("B10", "2017-06-20", "60 000", "Egen insats i projekt med motfinansiering", "EX-17-025"),
    ("C1", "2017-02-22", "14 000", "Personalutbyte, resor", "EX-17-009"),
    ("C1", "2017-05-17", "21 500", "Personalutbyte, resor och logi", "EX-17-020"),
    ("D2", "2016-09-30", "7 800", "Rekryteringsmaterial", "EX-16-015"),
    ("D2", "2017-08-25", "9 900", "Rekryteringsmässa", "EX-17-029"),
    ("IBS", "2017-03-01", "95 000", "International Student Barometer, deltagaravgift", "EX-17-010"),
]


def seed_example_spending(session: Session) -> None:
    """Plausible spending for 2016–2017, marked as example data (``remove-example`` removes it)."""
    codes, at = activity_ids(session), now()
    session.add_all([
        Spend(activity_id=codes[code], spent_on=date.fromisoformat(day), amount_ore=parse_amount(amount),
              description=text, reference=reference, source="example", entered_by="system", entered_at=at)
        for code, day, amount, text, reference in EXAMPLE_SPENDING
    ])


def seed_meetings(session: Session) -> None:
    at, held = now(), set(session.execute(select(Meeting.held_on)).scalars())  # a real meeting that day stays
    session.add_all(Meeting(held_on=day, notes=notes, recorded_by="system", recorded_at=at, source=EXAMPLE)
                    for day, notes in ((date.fromisoformat(d), n) for d, n in EXAMPLE_MEETINGS) if day not in held)


def seed_examples(engine: Engine) -> None:
    """Each example seed runs once per database (an editor's ``remove-example`` is final)."""
    seed_once(engine, "example_counts", seed_example_counts)
    seed_once(engine, "example_spending", seed_example_spending)
    seed_once(engine, "example_status_history", seed_status_history)
    seed_once(engine, "example_c2_runs", seed_c2_runs)
    seed_once(engine, "example_meetings", seed_meetings)
