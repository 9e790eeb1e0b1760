"""Budget: allocations (the plan's figure and later decisions), the append-only spending ledger, its import, the report.

Money is integer öre inside; kronor appear only at the edges (JSON, the page, the XLSX), so every sum is exact.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mobility.activities import month_end
from mobility.i18n import local_today, t
from mobility.models import Activity, AllocationChange, Area, Plan, Spend
from mobility.service import Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction

ORE = 100
MAX_AMOUNT_ORE = 10_000_000 * ORE
IDLE_AFTER_MONTHS = 6
FLAGS = ("over_budget", "unfunded_spend", "idle", "not_decided", "cofinancing_required")
IMPORT_COLUMNS = ("date", "activity", "amount_sek", "description", "reference")
DESCRIPTION_MAX = 500
REFERENCE_MAX = 60
NOTE_MAX = 1000
SOURCES = ("manual", "import", "example")


# Amounts and dates as people write them ------------------------------------------------------------------------
_AMOUNT = re.compile(r"([+-]?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,](\d{1,2}))?")


def parse_amount(value) -> int:
    """'75 000,50', '-2 500', '1234.5', or a spreadsheet number → öre. ValueError for anything else."""
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int):
        return value * ORE
    if isinstance(value, float | Decimal):
        ore = Decimal(repr(value) if isinstance(value, float) else value) * ORE
        if ore != ore.to_integral_value():
            raise ValueError(value)
        return int(ore)
    text = re.sub(r"\s*kr\.?$", "", str(value).strip().replace("\u2212", "-"), flags=re.IGNORECASE)
    m = _AMOUNT.fullmatch(text)
    if not m:
        raise ValueError(value)
    kronor = int(re.sub(r"\D", "", m[2]))
    ore = kronor * ORE + int((m[3] or "0").ljust(2, "0"))
    return -ore if m[1] == "-" else ore


def parse_day(value) -> date:
    """A date or datetime cell, or text 'YYYY-MM-DD' (a time after it is ignored). ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]*)?", str(value or "").strip())
    if not m:
        raise ValueError(value)
    return date(int(m[1]), int(m[2]), int(m[3]))


def sek(ore: int | None) -> int | float | None:
    """Öre → kronor as a JSON number: whole kronor stay integers, öre become two exact decimals."""
    if ore is None or pd.isna(ore):
        return None
    ore = int(ore)
    return ore // ORE if ore % ORE == 0 else float(Decimal(ore) / ORE)


def sek_text(ore: int) -> str:
    """Öre → exact kronor as text for the audit log: ``1234.56``."""
    return str(Decimal(ore) / ORE)


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1) if day.day == 1 else date(day.year + y, m + 1, min(day.day, 28))


# Reading ----------------------------------------------------------------------------------------------------------
def _funded_period(session: Session) -> tuple[date, date]:
    """The plan's funded years: its first year to the year before its last (the last year was not decided)."""
    plan = session.execute(select(Plan.start_year, Plan.end_year).order_by(Plan.id.desc())).first()
    return date(plan.start_year, 1, 1), date(max(plan.start_year, plan.end_year - 1), 12, 31)


def funded_period(engine: Engine) -> tuple[date, date]:
    with Session(engine) as session:
        return _funded_period(session)


def effective_span(start: date | None, end: date | None, funded: tuple[date, date]) -> tuple[date, date]:
    """The days over which an allocation is planned to burn, both inclusive.

    As written when the plan gives both; a start only means one year from it; no date means the funded period.
    """
    if start is None:
        return funded
    if end is None:
        return start, add_months(start, 12) - timedelta(days=1)
    return start, month_end(end)


def _allocations(session: Session, as_of: date) -> dict[int, int]:
    """activity id → the latest decided allocation in öre (decisions dated after ``as_of`` do not count yet)."""
    rows = session.execute(
        select(AllocationChange.activity_id, AllocationChange.amount_ore)
        .where(AllocationChange.decided_on <= as_of)
        .order_by(AllocationChange.decided_on, AllocationChange.id)
    ).all()
    return {r.activity_id: r.amount_ore for r in rows}


def budget_table(engine: Engine, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per activity in plan order: plan figure, allocation, spent, remaining, burn and flags as of a day."""
    as_of = as_of or local_today()
    spent = (
        select(Spend.activity_id, func.sum(Spend.amount_ore).label("spent_ore"), func.count().label("entries"))
        .where(Spend.spent_on <= as_of).group_by(Spend.activity_id)
    ).subquery()
    query = (
        select(
            Activity.id, Activity.code, Area.code.label("area"), Activity.title_sv, Activity.title_en,
            Activity.budget_sek, Activity.cofinancing_required, Activity.decided, Activity.start_month,
            Activity.end_month, spent.c.spent_ore, spent.c.entries,
        )
        .join(Area, Area.id == Activity.area_id)
        .outerjoin(spent, spent.c.activity_id == Activity.id)
        .order_by(Area.position, Activity.position)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
        decided = _allocations(session, as_of)
        funded = _funded_period(session)
    out = []
    for r in rows:
        plan_ore = None if r.budget_sek is None else r.budget_sek * ORE
        allocated = decided.get(r.id, plan_ore)
        spent_ore = int(r.spent_ore or 0)
        start, end = effective_span(r.start_month, r.end_month, funded)
        flags = []
        if allocated is not None and spent_ore > allocated:
            flags.append("over_budget")
        if allocated is None and spent_ore > 0:
            flags.append("unfunded_spend")
        if allocated and spent_ore == 0 and add_months(start, IDLE_AFTER_MONTHS) < as_of:
            flags.append("idle")
        if not r.decided and r.id not in decided:
            flags.append("not_decided")
        if r.cofinancing_required:
            flags.append("cofinancing_required")
        out.append({
            "code": r.code, "area": r.area, "title_sv": r.title_sv, "title_en": r.title_en,
            "plan_ore": plan_ore, "allocated_ore": allocated, "changed": r.id in decided, "spent_ore": spent_ore,
            "remaining_ore": None if allocated is None else allocated - spent_ore,
            "burn_pct": round(100 * spent_ore / allocated, 1) if allocated else None,
            "entries": int(r.entries or 0), "flags": flags, "start": start, "end": end,
        })
    df = pd.DataFrame(out)
    for col in ("plan_ore", "allocated_ore", "remaining_ore"):
        df[col] = pd.array(df[col].tolist(), dtype="Int64")
    df.attrs["as_of"] = as_of
    return df


def area_totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per area (the section an activity stands in): allocated, spent, remaining in öre, in the table's order."""
    grouped = table.groupby("area", sort=False).agg(
        allocated_ore=("allocated_ore", lambda s: int(s.fillna(0).sum())), spent_ore=("spent_ore", "sum"),
    ).reset_index()
    grouped["remaining_ore"] = grouped["allocated_ore"] - grouped["spent_ore"]
    return grouped


def budget_report(engine: Engine, *, as_of: date | None = None) -> dict:
    """What ``python -m mobility budget --json`` prints: totals, areas and activities in kronor as of a day."""
    table = budget_table(engine, as_of=as_of)
    areas = area_totals(table)
    allocated, spent = int(areas["allocated_ore"].sum()), int(areas["spent_ore"].sum())
    return {
        "as_of": table.attrs["as_of"].isoformat(),
        "total": {"allocated": sek(allocated), "spent": sek(spent), "remaining": sek(allocated - spent)},
        "areas": [
            {"code": a.area, "allocated": sek(a.allocated_ore), "spent": sek(a.spent_ore),
             "remaining": sek(a.remaining_ore)}
            for a in areas.itertuples()
        ],
        "activities": [
            {"code": r.code, "area": r.area, "allocated": sek(r.allocated_ore), "spent": sek(r.spent_ore),
             "remaining": sek(r.remaining_ore), "burn_pct": None if pd.isna(r.burn_pct) else float(r.burn_pct),
             "flags": list(r.flags)}
            for r in table.itertuples()
        ],
    }


def _spend_filters(query, *, activity: str | None, area: str | None):
    if activity or area:
        query = query.join(Activity, Activity.id == Spend.activity_id)
    if activity:
        query = query.where(Activity.code == activity)
    if area:
        query = query.join(Area, Area.id == Activity.area_id).where(Area.code == area)
    return query


def cumulative_spend(
    engine: Engine, *, activity: str | None = None, area: str | None = None, year: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Spending per day and its running total (öre and kronor), summed in SQL.

    With ``year`` only that year's days are returned, but the running total carries what was spent before, and a
    first row on 1 January holds that carry.
    """
    query = _spend_filters(
        select(Spend.spent_on.label("date"), func.sum(Spend.amount_ore).label("amount_ore")),
        activity=activity, area=area,
    )
    if as_of:
        query = query.where(Spend.spent_on <= as_of)
    if year:
        query = query.where(Spend.spent_on <= date(year, 12, 31))
    with Session(engine) as session:
        rows = session.execute(query.group_by(Spend.spent_on).order_by(Spend.spent_on)).all()
    df = pd.DataFrame(rows, columns=["date", "amount_ore"])
    df["amount_ore"] = df["amount_ore"].astype("int64")
    df["cumulative_ore"] = df["amount_ore"].cumsum()
    if year:
        first = date(year, 1, 1)
        before = df[df["date"] < first]
        carry = int(before["cumulative_ore"].iloc[-1]) if len(before) else 0
        df = pd.concat([pd.DataFrame({"date": [first], "amount_ore": [0], "cumulative_ore": [carry]}),
                        df[df["date"] >= first]], ignore_index=True)
    df["cumulative_sek"] = df["cumulative_ore"] / ORE
    return df


def planned_burn(
    engine: Engine, *, activity: str | None = None, area: str | None = None, year: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The planned straight-line burn: each allocation spread evenly over its span, summed; one point a month."""
    table = budget_table(engine, as_of=as_of)
    if activity:
        table = table[table["code"] == activity]
    if area:
        table = table[table["area"] == area]
    table = table[table["allocated_ore"].fillna(0) > 0]
    if table.empty:
        return pd.DataFrame({"date": [], "planned_ore": [], "planned_sek": []})
    lo, hi = min(table["start"]), max(table["end"]) + timedelta(days=1)
    if year:
        lo, hi = max(lo, date(year, 1, 1)), min(hi, date(year + 1, 1, 1))
    points = []
    day = date(lo.year, lo.month, 1)
    while day < hi:
        points.append(max(day, lo))
        day = add_months(day, 1)
    points.append(hi)
    spans = [(s, (e - s).days + 1, int(a)) for s, e, a in zip(table["start"], table["end"], table["allocated_ore"],
                                                             strict=True)]
    planned = [sum(a * min(max((d - s).days, 0), n) // n for s, n, a in spans) for d in points]
    df = pd.DataFrame({"date": points, "planned_ore": planned})
    df["planned_sek"] = df["planned_ore"] / ORE
    return df


def ledger_entries(engine: Engine, *, activity: str | None = None, area: str | None = None,
                   limit: int = 200) -> pd.DataFrame:
    """The newest ledger entries first."""
    query = select(
        Spend.id, Spend.spent_on, Activity.code.label("activity"), Spend.amount_ore, Spend.description,
        Spend.reference, Spend.source, Spend.entered_by, Spend.entered_at,
    ).join(Activity, Activity.id == Spend.activity_id)
    if activity:
        query = query.where(Activity.code == activity)
    if area:
        query = query.join(Area, Area.id == Activity.area_id).where(Area.code == area)
    query = query.order_by(Spend.spent_on.desc(), Spend.id.desc()).limit(limit)
    with Session(engine) as session:
        rows = session.execute(query).all()
    df = pd.DataFrame(rows, columns=["id", "spent_on", "activity", "amount_ore", "description", "reference",
                                     "source", "entered_by", "entered_at"])
    df["reference"] = df["reference"].fillna("")
    return df


def ledger_summary(engine: Engine) -> dict:
    """How many entries the ledger holds, how many are example data, and its latest date."""
    with Session(engine) as session:
        r = session.execute(select(
            func.count(), func.sum(case((Spend.source == "example", 1), else_=0)), func.max(Spend.spent_on),
        )).one()
    return {"entries": r[0], "example_entries": int(r[1] or 0), "last_date": r[2]}


def position_date(year: int | None, today: date) -> date:
    """A year filter shows the position at the end of that year (or today, if the year is not over)."""
    return min(today, date(year, 12, 31)) if year else today


def allocation_history(engine: Engine, *, code: str) -> dict:
    """The plan's own figure and every later decision for one activity (oldest first)."""
    with Session(engine) as session:
        activity = session.execute(select(Activity).where(Activity.code == code)).scalar_one_or_none()
        if activity is None:
            return {"code": code, "plan_ore": None, "current_ore": None, "changes": []}
        changes = session.execute(
            select(AllocationChange).where(AllocationChange.activity_id == activity.id)
            .order_by(AllocationChange.decided_on, AllocationChange.id)
        ).scalars().all()
        plan_ore = None if activity.budget_sek is None else activity.budget_sek * ORE
        return {
            "code": code, "plan_ore": plan_ore, "current_ore": changes[-1].amount_ore if changes else plan_ore,
            "changes": [c.model_dump() for c in changes],
        }


# Writing ----------------------------------------------------------------------------------------------------------
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


def _shown(value) -> str:
    return "" if value is None else str(value).strip()


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


def read_table(data: bytes, filename: str, *, lang: str = "sv") -> tuple[list[str], list[tuple[int, list]]]:
    """Header (lower-cased) and numbered rows of a CSV (comma or semicolon, UTF-8 with or without BOM) or XLSX."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same message to the user
            raise ValidationError(t("budget.err.file", lang, name=filename)) from exc
        lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(t("budget.err.encoding", lang, name=filename)) from exc
        first = text.split("\n", 1)[0]
        lines = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","))
    if not lines:
        raise ValidationError(t("budget.err.empty", lang, name=filename))
    header = [str(h or "").strip().lower() for h in lines[0]]
    rows = [(n, line) for n, line in enumerate(lines[1:], start=2)
            if any(str(v).strip() for v in line if v is not None)]
    return header, rows


def preview_import(engine: Engine, *, data: bytes, filename: str, lang: str = "sv", today: date | None = None,
                   session: Session | None = None) -> ImportPreview:
    """Read and check a file without writing: rows to add, rows skipped (reference already in the ledger), problems."""
    if session is None:
        with Session(engine) as own:
            return preview_import(engine, data=data, filename=filename, lang=lang, today=today, session=own)
    preview = ImportPreview()
    try:
        header, rows = read_table(data, filename, lang=lang)
    except ValidationError as exc:
        preview.problems = exc.problems
        return preview
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        preview.problems.append(t("budget.err.columns", lang, columns=", ".join(missing),
                                  expected=", ".join(IMPORT_COLUMNS)))
        return preview
    if not rows:
        preview.problems.append(t("budget.err.empty", lang, name=filename))
        return preview
    codes, today = _activity_ids(session), today or local_today()
    first_row_of: dict[str, int] = {}
    checked = []
    for n, line in rows:
        values = {c: (line[header.index(c)] if header.index(c) < len(line) else None) for c in IMPORT_COLUMNS}

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
        preview.problems += problems
        if entry and not problems:
            checked.append(entry)
    existing = _existing_references(session, first_row_of)
    preview.rows = [e for e in checked if e.reference not in existing]
    preview.skipped = [e for e in checked if e.reference in existing]
    return preview


def import_spend(*, engine: Engine, actor: Actor, data: bytes, filename: str, lang: str = "sv",
                 today: date | None = None) -> ImportPreview:
    """All or nothing: every row valid, or nothing is written. Rows whose reference is already there are skipped."""
    try:
        with write_transaction(engine, actor) as session:
            preview = preview_import(engine, data=data, filename=filename, lang=lang, today=today, session=session)
            if preview.problems:
                raise ValidationError(preview.problems)
            codes, at = _activity_ids(session), now()
            session.add_all([
                Spend(activity_id=codes[r.activity], spent_on=r.spent_on, amount_ore=r.amount_ore,
                      description=r.description, reference=r.reference, source="import", entered_by=actor.name,
                      entered_at=at)
                for r in preview.rows
            ])
            audit(session, actor, action="import_spend", entity="spend", key=filename, after={
                "rows": len(preview.rows), "amount_sek": sek_text(preview.total_ore),
                "skipped_references": [r.reference for r in preview.skipped],
            })
    except IntegrityError as exc:  # an import of the same file running at the same moment
        raise ConcurrentEditError(filename) from exc
    return preview


def change_allocation(*, engine: Engine, actor: Actor, code: str, amount, decided_on, note: str,
                      expected_changes: int, lang: str = "sv", today: date | None = None) -> int:
    """Record a later decision on an activity's allocation; the plan's figure stays as written. Returns öre."""
    def where(column, problem):
        return t("budget.err.field", lang, field=t(f"budget.field.{column}", lang), problem=problem)

    problems = []
    try:
        amount_ore = parse_amount(amount)
        if amount_ore < 0:
            problems.append(where("allocation", t("budget.err.amount_negative", lang)))
        elif amount_ore > MAX_AMOUNT_ORE:
            problems.append(where("allocation", t("budget.err.amount_max", lang)))
    except ValueError:
        problems.append(where("allocation", t("budget.err.amount", lang, value=_shown(amount))))
    try:
        day = parse_day(decided_on)
        if day > (today or local_today()):
            problems.append(where("decided_on", t("budget.err.date_future", lang, value=day.isoformat())))
    except ValueError:
        problems.append(where("decided_on", t("budget.err.date", lang, value=_shown(decided_on))))
    note = (note or "").strip()
    if not note:
        problems.append(where("note", t("budget.err.note_required", lang)))
    elif len(note) > NOTE_MAX:
        problems.append(where("note", t("budget.err.too_long", lang, n=NOTE_MAX)))
    with write_transaction(engine, actor) as session:
        activity = session.execute(select(Activity).where(Activity.code == code)).scalar_one_or_none()
        if activity is None:
            problems.append(where("activity", t("budget.err.activity", lang, value=code)))
        if problems:
            raise ValidationError(problems)
        history = session.execute(
            select(AllocationChange.amount_ore).where(AllocationChange.activity_id == activity.id)
            .order_by(AllocationChange.decided_on, AllocationChange.id)
        ).scalars().all()
        if len(history) != expected_changes:
            raise ConcurrentEditError(code)
        before = history[-1] if history else (None if activity.budget_sek is None else activity.budget_sek * ORE)
        session.add(AllocationChange(activity_id=activity.id, decided_on=day, amount_ore=amount_ore, note=note,
                                     entered_by=actor.name, entered_at=now()))
        audit(session, actor, action="change_allocation", entity="allocation", key=code,
              before={"allocated_sek": sek(before)},
              after={"allocated_sek": sek(amount_ore), "decided_on": day, "note": note})
    return amount_ore


# Export -----------------------------------------------------------------------------------------------------------
def budget_xlsx(table: pd.DataFrame, *, lang: str) -> bytes:
    """The activity table as a workbook: amounts as numbers in kronor (exact to the öre), flags in words."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = t("budget.xlsx.sheet", lang)
    as_of = table.attrs.get("as_of")
    ws.append([t("budget.xlsx.title", lang, date=as_of.isoformat() if as_of else "")])
    ws["A1"].font = Font(bold=True, size=13)
    columns = ["code", "area", "title", "plan", "allocated", "spent", "remaining", "burn", "flags"]
    ws.append([t(f"budget.col.{c}", lang) for c in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    money = '#,##0.00 "kr"'
    for r in table.itertuples():
        ws.append([
            r.code, r.area, getattr(r, f"title_{lang}"),
            *(None if pd.isna(v) else Decimal(int(v)) / ORE
              for v in (r.plan_ore, r.allocated_ore, r.spent_ore, r.remaining_ore)),
            None if r.burn_pct is None or pd.isna(r.burn_pct) else r.burn_pct / 100,
            ", ".join(t(f"budget.flag.{f}", lang) for f in r.flags),
        ])
        for cell in ws[ws.max_row][3:7]:
            cell.number_format = money
        ws[ws.max_row][7].number_format = "0.0%"
    total = ws.max_row + 1
    ws.append([t("budget.total", lang), "", "",
               *(f"=SUM({col}3:{col}{total - 1})" for col in "DEFG"), None, ""])
    for cell in ws[total]:
        cell.font = Font(bold=True)
    for cell in ws[total][3:7]:
        cell.number_format = money
    for col, width in zip("ABCDEFGHI", (7, 7, 60, 15, 15, 15, 15, 12, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
