"""The spending ledger's writes: one entry from the form, a whole file imported, and the example entries.

Reading the ledger (sums, burn, the report) stays in ``mobility.budget``; money is integer öre here too.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mobility.files import paused_gc, read_table
from mobility.i18n import local_today, t
from mobility.models import Activity, Spend
from mobility.parsing import MAX_AMOUNT_ORE, parse_amount, parse_day, sek_text, shown
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

IMPORT_COLUMNS = ("date", "activity", "amount_sek", "description", "reference")
DESCRIPTION_MAX = 500
REFERENCE_MAX = 60


def activity_ids(session: Session) -> dict[str, int]:
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
        problems.append(where("date", t("budget.err.date", lang, value=shown(values.get("date")))))
    code = str(values.get("activity") or "").strip().upper()
    if code not in codes:
        problems.append(where("activity", t("budget.err.activity", lang, value=shown(values.get("activity")))))
    try:
        clean["amount_ore"] = parse_amount(values.get("amount_sek"))
        if clean["amount_ore"] == 0:
            problems.append(where("amount_sek", t("budget.err.amount_zero", lang)))
        elif abs(clean["amount_ore"]) > MAX_AMOUNT_ORE:
            problems.append(where("amount_sek", t("budget.err.amount_max", lang)))
    except ValueError:
        problems.append(where("amount_sek", t("budget.err.amount", lang, value=shown(values.get("amount_sek")))))
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
            codes = activity_ids(session)
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
        checked, problems = _check_file(data, filename, codes=activity_ids(session), lang=lang, today=today)
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
        reference = shown(values["reference"])
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
        codes = activity_ids(session)
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
