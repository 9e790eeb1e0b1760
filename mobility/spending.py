"""The spending ledger's writes: one entry from the form, a whole file imported, and the example entries.

Reading the ledger (sums, burn, the report) stays in ``mobility.budget``; money is integer öre here too.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mobility.budget import (
    DESCRIPTION_MAX,
    IMPORT_COLUMNS,
    MAX_AMOUNT_ORE,
    REFERENCE_MAX,
    _shown,
    parse_amount,
    parse_day,
    sek_text,
)
from mobility.files import paused_gc, read_table
from mobility.i18n import local_today, t
from mobility.models import Activity, Spend
from mobility.service import (
    Actor,
    ConcurrentEditError,
    ValidationError,
    audit,
    audit_many,
    now,
    write_transaction,
)
from mobility.text import control_character


def _activity_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Activity.code, Activity.id).order_by(Activity.plan_id)).all())


def _existing_references(session: Session, references) -> set[str]:
    wanted = sorted({r for r in references if r})
    found = set()
    for i in range(0, len(wanted), 500):
        found |= set(session.execute(select(Spend.reference).where(Spend.reference.in_(wanted[i:i + 500])))
                     .scalars())
    return found


@dataclass(frozen=True)
class SpendRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    spent_on: date
    activity: str
    amount_ore: int
    description: str
    reference: str


def _check_entry(values: dict, *, codes: dict[str, int], today: date, lang: str, where, row: int = 0,
                 reference_required: bool = False) -> tuple[SpendRow | None, list[str]]:
    """Validate one entry; ``where(column, problem)`` phrases a message for the form or for a file row."""
    problems, clean = [], {}
    try:
        clean["spent_on"] = parse_day(values.get("date"))
        if clean["spent_on"] > today:
            problems.append(where("date", t("budget.err.date_future", lang, value=clean["spent_on"].isoformat())))
    except ValueError:
        problems.append(where("date", t("budget.err.date", lang, value=_shown(values.get("date")))))
    code = str(values.get("activity") or "").strip().upper()
    if code not in codes:
        problems.append(where("activity", t("budget.err.activity", lang, value=_shown(values.get("activity")))))
    try:
        clean["amount_ore"] = parse_amount(values.get("amount_sek"))
        if clean["amount_ore"] == 0:
            problems.append(where("amount_sek", t("budget.err.amount_zero", lang)))
        elif abs(clean["amount_ore"]) > MAX_AMOUNT_ORE:
            problems.append(where("amount_sek", t("budget.err.amount_max", lang)))
    except ValueError:
        problems.append(where("amount_sek", t("budget.err.amount", lang, value=_shown(values.get("amount_sek")))))
    description = str(values.get("description") or "").strip()
    for column in ("description", "reference"):
        control = control_character(values.get(column))
        if control:
            problems.append(where(column, t("text.err.control", lang, field=column, code=control)))
    if len(description) > DESCRIPTION_MAX:
        problems.append(where("description", t("budget.err.too_long", lang, n=DESCRIPTION_MAX)))
    reference = str(values.get("reference") or "").strip()
    if len(reference) > REFERENCE_MAX:
        problems.append(where("reference", t("budget.err.too_long", lang, n=REFERENCE_MAX)))
    if reference_required and not reference:
        problems.append(where("reference", t("budget.err.reference_required", lang)))
    if problems:
        return None, problems
    return SpendRow(row, clean["spent_on"], code, clean["amount_ore"], description, reference), []


def add_spend(*, engine: Engine, actor: Actor, spent_on, activity: str, amount, description: str = "",
              reference: str = "", lang: str = "sv", today: date | None = None) -> int:
    """Append one entry (a correction is an entry with a negative amount). Returns its id."""
    def where(column, problem):
        return t("budget.err.field", lang, field=t(f"budget.field.{column}", lang), problem=problem)

    values = {"date": spent_on, "activity": activity, "amount_sek": amount, "description": description,
              "reference": reference}
    try:
        with write_transaction(engine, actor) as session:
            codes = _activity_ids(session)
            entry, problems = _check_entry(values, codes=codes, today=today or local_today(), lang=lang, where=where)
            if entry and entry.reference and _existing_references(session, [entry.reference]):
                problems.append(where("reference", t("budget.err.reference_exists", lang, value=entry.reference)))
            if problems:
                raise ValidationError(problems)
            spend = Spend(activity_id=codes[entry.activity], spent_on=entry.spent_on, amount_ore=entry.amount_ore,
                          description=entry.description, reference=entry.reference or None, source="manual",
                          entered_by=actor.name, entered_at=now())
            session.add(spend)
            session.flush()
            audit(session, actor, action="add_spend", entity="spend", key=entry.reference or str(spend.id),
                  after={"date": entry.spent_on, "activity": entry.activity, "amount_sek": sek_text(entry.amount_ore),
                         "description": entry.description, "reference": entry.reference})
            return spend.id
    except IntegrityError as exc:  # the same reference saved at the same moment by someone else
        raise ConcurrentEditError(reference) from exc


@dataclass
class ImportPreview:
    rows: list[SpendRow] = field(default_factory=list)  # to be added
    skipped: list[SpendRow] = field(default_factory=list)  # reference already in the ledger
    problems: list[str] = field(default_factory=list)

    @property
    def total_ore(self) -> int:
        return sum(r.amount_ore for r in self.rows)


def preview_import(engine: Engine, *, data: bytes, filename: str, lang: str = "sv", today: date | None = None,
                   ) -> ImportPreview:
    """Read and check a file without writing: rows to add, rows skipped (reference already in the ledger), problems."""
    with Session(engine) as session:
        checked, problems = _check_file(data, filename, codes=_activity_ids(session), lang=lang, today=today)
        if problems:
            return ImportPreview(problems=problems)
        return _split_known(session, checked)


def _split_known(session: Session, checked: list[SpendRow]) -> ImportPreview:
    existing = _existing_references(session, [e.reference for e in checked])
    return ImportPreview(rows=[e for e in checked if e.reference not in existing],
                         skipped=[e for e in checked if e.reference in existing])


def _check_file(data: bytes, filename: str, *, codes: dict[str, int], lang: str,
                today: date | None) -> tuple[list[SpendRow], list[str]]:
    """Every row of a file checked: the good entries, or the problems naming row and column."""
    try:
        table = read_table(data, lang=lang)
    except ValidationError as exc:
        return [], exc.problems
    header, rows = table.header, table.rows
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in IMPORT_COLUMNS]
    if missing:
        return [], [t("budget.err.columns", lang, columns=", ".join(missing), expected=", ".join(IMPORT_COLUMNS))]
    if unknown:  # the same rule as the counts import: every column known
        return [], [t("files.err.unknown_columns", lang, columns=", ".join(unknown),
                      expected=", ".join(IMPORT_COLUMNS))]
    if not rows:
        return [], [t("budget.err.empty", lang, name=filename)]
    today = today or local_today()
    position = {c: header.index(c) for c in IMPORT_COLUMNS}
    first_row_of: dict[str, int] = {}
    checked, all_problems = [], []
    for n, line in rows:
        values = {c: (line[i] if i < len(line) else None) for c, i in position.items()}

        def where(column, problem, n=n):
            return t("budget.err.cell", lang, row=n, column=column, problem=problem)

        entry, problems = _check_entry(values, codes=codes, today=today, lang=lang, where=where, row=n,
                                       reference_required=True)
        reference = _shown(values["reference"])
        if reference in first_row_of:
            problems.append(where("reference", t("budget.err.reference_twice", lang, value=reference,
                                                 other=first_row_of[reference])))
        elif reference:
            first_row_of[reference] = n
        all_problems += problems
        if entry and not problems:
            checked.append(entry)
    return checked, all_problems


def import_spend(*, engine: Engine, actor: Actor, data: bytes, filename: str, lang: str = "sv",
                 today: date | None = None) -> ImportPreview:
    """All or nothing: every row valid, or nothing is written. Rows whose reference is already there are skipped.

    The file is read and checked before the write lock is taken; under the lock the known references are looked up
    again (an import of the same file a moment earlier makes this one skip those rows), the entries are inserted in
    one statement and each gets its own audit entry.
    """
    with Session(engine) as session:
        codes = _activity_ids(session)
    with paused_gc():  # 50 000 rows make many objects and no cycles: the collector would walk them again and again
        checked, problems = _check_file(data, filename, codes=codes, lang=lang, today=today)
    if problems:
        raise ValidationError(problems)
    try:
        with write_transaction(engine, actor) as session:
            preview = _split_known(session, checked)
            at = now()
            if preview.rows:
                session.connection().execute(insert(Spend.__table__), [
                    {"activity_id": codes[r.activity], "spent_on": r.spent_on, "amount_ore": r.amount_ore,
                     "description": r.description, "reference": r.reference, "source": "import",
                     "entered_by": actor.name, "entered_at": at}
                    for r in preview.rows
                ])
            audit_many(session, actor, [
                {"action": "import_spend", "entity": "spend", "key": r.reference, "after": {
                    "date": r.spent_on, "activity": r.activity, "amount_sek": sek_text(r.amount_ore),
                    "description": r.description, "reference": r.reference, "file": filename, "row": r.row}}
                for r in preview.rows
            ], at=at)
    except IntegrityError as exc:  # only if the reference check was bypassed: the unique reference still holds
        raise ConcurrentEditError(filename) from exc
    return preview


# Example data -----------------------------------------------------------------------------------------------------
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
    codes, at = _activity_ids(session), now()
    session.add_all([
        Spend(activity_id=codes[code], spent_on=date.fromisoformat(day), amount_ore=parse_amount(amount),
              description=text, reference=reference, source="example", entered_by="system", entered_at=at)
        for code, day, amount, text, reference in EXAMPLE_SPENDING
    ])
