"""Budget: allocations (the plan's figure and later decisions), the ledger read against them, the report.

Money is integer öre inside; kronor appear only at the edges (JSON, the page, the XLSX), so every sum is exact.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine, case, func, select
from sqlmodel import Session

from mobility.activities import assumed_end_month, month_end
from mobility.examples import EXAMPLE
from mobility.i18n import fmt_sek, local_today, t
from mobility.models import Activity, AllocationChange, Area, Plan, Spend
from mobility.parsing import MAX_AMOUNT_ORE, ORE, parse_amount, parse_day, sek, shown
from mobility.service import Actor, ConcurrentEditError, ValidationError, audit, now, write_transaction
from mobility.text import control_character

IDLE_AFTER_MONTHS = 6
FLAGS = ("over_budget", "unfunded_spend", "idle", "not_decided", "cofinancing_required")
NOTE_MAX = 1000


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, 1) if day.day == 1 else date(day.year + y, m + 1, min(day.day, 28))


# Reading ----------------------------------------------------------------------------------------------------------
def _funded_period(session: Session) -> tuple[date, date]:
    """The plan's funded years: its first year to the year before its last (the last year was not decided)."""
    plan = session.execute(select(Plan.start_year, Plan.end_year).order_by(Plan.id.desc())).first()
    return date(plan.start_year, 1, 1), date(max(plan.start_year, plan.end_year - 1), 12, 31)


def _start_only_months(session: Session) -> int:
    return session.execute(select(Plan.start_only_months).order_by(Plan.id.desc())).scalar() or 12


def funded_period(engine: Engine) -> tuple[date, date]:
    with Session(engine) as session:
        return _funded_period(session)


def effective_span(start: date | None, end: date | None, funded: tuple[date, date],
                   start_only_months: int = 12) -> tuple[date, date]:
    """The days over which an allocation is planned to burn, both inclusive.

    As written when the plan gives both; a start only means the plan's rule (``start_only_months`` from it, as for
    "late" and the schedule); no date means the funded period.
    """
    if start is None:
        return funded
    return start, month_end(assumed_end_month(start, end, start_only_months))


def _allocations(session: Session, as_of: date) -> dict[int, int]:
    """activity id → the latest decided allocation in öre (decisions dated after ``as_of`` do not count yet)."""
    rows = session.execute(
        select(AllocationChange.activity_id, AllocationChange.amount_ore)
        .where(AllocationChange.decided_on <= as_of)
        .order_by(AllocationChange.decided_on, AllocationChange.id)
    ).all()
    return {r.activity_id: r.amount_ore for r in rows}


def budget_table(engine: Engine, *, as_of: date) -> pd.DataFrame:
    """One row per activity in plan order: plan figure, allocation, spent, remaining, burn and flags as of a day.

    ``decided``: the allocation was decided by then (the plan's own, or a later funding decision dated by then).
    """
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
        months = _start_only_months(session)
    out = []
    for r in rows:
        plan_ore = None if r.budget_sek is None else r.budget_sek * ORE
        allocated = decided.get(r.id, plan_ore)
        spent_ore = int(r.spent_ore or 0)
        start, end = effective_span(r.start_month, r.end_month, funded, months)
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
            "plan_ore": plan_ore, "allocated_ore": allocated, "changed": r.id in decided,
            "decided": bool(r.decided) or r.id in decided, "spent_ore": spent_ore,
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
    """Per area (the section an activity stands in), in the table's order: allocated (of which decided and not
    decided), spent, remaining in öre, and the items the plan lists under the area without an activity number
    (``unnumbered``: IBS under E), whose money is in the area's total."""
    money = table["allocated_ore"].fillna(0).astype("int64")
    numbered = [str(c).startswith(a) for c, a in zip(table["code"], table["area"], strict=True)]
    frame = table.assign(money=money, decided_money=money.where(table["decided"], 0),
                         loose=table["code"].where([not n for n in numbered]))
    grouped = frame.groupby("area", sort=False).agg(
        allocated_ore=("money", "sum"), decided_ore=("decided_money", "sum"), spent_ore=("spent_ore", "sum"),
        unnumbered=("loose", lambda s: [c for c in s if isinstance(c, str)]),
    ).reset_index()
    grouped["not_decided_ore"] = grouped["allocated_ore"] - grouped["decided_ore"]
    grouped["remaining_ore"] = grouped["allocated_ore"] - grouped["spent_ore"]
    return grouped


def budget_report(engine: Engine, *, as_of: date) -> dict:
    """The budget position on a day — what the page, the press view, the follow-up report and
    ``python -m mobility budget --json`` all show: totals, areas and activities in kronor."""
    table = budget_table(engine, as_of=as_of)
    areas = area_totals(table)
    allocated, spent = int(areas["allocated_ore"].sum()), int(areas["spent_ore"].sum())
    decided = int(areas["decided_ore"].sum())
    return {
        "as_of": table.attrs["as_of"].isoformat(),
        "example": bool((_sources(engine, as_of) == EXAMPLE).any()),
        "total": {"allocated": sek(allocated), "decided": sek(decided), "not_decided": sek(allocated - decided),
                  "spent": sek(spent), "remaining": sek(allocated - spent)},
        "areas": [
            {"code": a.area, "allocated": sek(a.allocated_ore), "decided": sek(a.decided_ore),
             "not_decided": sek(a.not_decided_ore), "spent": sek(a.spent_ore), "remaining": sek(a.remaining_ore),
             "unnumbered": list(a.unnumbered)}
            for a in areas.itertuples()
        ],
        "activities": [
            {"code": r.code, "area": r.area, "allocated": sek(r.allocated_ore), "decided": bool(r.decided),
             "spent": sek(r.spent_ore), "remaining": sek(r.remaining_ore),
             "burn_pct": None if pd.isna(r.burn_pct) else float(r.burn_pct), "flags": list(r.flags)}
            for r in table.itertuples()
        ],
    }


def _sources(engine: Engine, as_of: date) -> pd.Series:
    """Where the spending counted by ``as_of`` comes from (manual, import, example)."""
    with Session(engine) as session:
        return pd.Series(session.execute(select(Spend.source).where(Spend.spent_on <= as_of).distinct())
                         .scalars().all(), dtype=object)


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
    engine: Engine, *, as_of: date, activity: str | None = None, area: str | None = None, year: int | None = None,
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
                   limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """The newest ledger entries first; ``limit`` and ``offset`` give one page of them (``limit=None``: all)."""
    query = select(
        Spend.id, Spend.spent_on, Activity.code.label("activity"), Spend.amount_ore, Spend.description,
        Spend.reference, Spend.source, Spend.entered_by, Spend.entered_at,
    ).join(Activity, Activity.id == Spend.activity_id)
    if activity:
        query = query.where(Activity.code == activity)
    if area:
        query = query.join(Area, Area.id == Activity.area_id).where(Area.code == area)
    query = query.order_by(Spend.spent_on.desc(), Spend.id.desc()).limit(limit).offset(offset or None)
    with Session(engine) as session:
        rows = session.execute(query).all()
    df = pd.DataFrame(rows, columns=["id", "spent_on", "activity", "amount_ore", "description", "reference",
                                     "source", "entered_by", "entered_at"])
    df["reference"] = df["reference"].fillna("")
    return df


def ledger_count(engine: Engine, *, area: str | None = None) -> int:
    """How many ledger entries there are (in one area): the number of the ledger's pages."""
    query = select(func.count()).select_from(Spend)
    if area:
        query = query.join(Activity, Activity.id == Spend.activity_id).join(Area, Area.id == Activity.area_id) \
            .where(Area.code == area)
    with Session(engine) as session:
        return session.execute(query).scalar() or 0


def ledger_summary(engine: Engine) -> dict:
    """How many entries the ledger holds, how many are example data, and its latest date."""
    with Session(engine) as session:
        r = session.execute(select(
            func.count(), func.sum(case((Spend.source == "example", 1), else_=0)), func.max(Spend.spent_on),
        )).one()
    return {"entries": r[0], "example_entries": int(r[1] or 0), "last_date": r[2]}


def position_date(year: int | None, as_of: date) -> date:
    """A year filter shows the position at the end of that year (or on the as-of date, if that comes first)."""
    return min(as_of, date(year, 12, 31)) if year else as_of


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
        problems.append(where("allocation", t("budget.err.amount", lang, value=shown(amount))))
    try:
        day = parse_day(decided_on)
        if day > (today or local_today()):
            problems.append(where("decided_on", t("budget.err.date_future", lang, value=day.isoformat())))
        else:  # a decision takes effect on its date, which lies in the plan period
            from mobility.activities import check_effective_on
            from mobility.asof import plan_period

            problems += check_effective_on(day, plan_period(engine), (today or local_today()), lang)
    except ValueError:
        problems.append(where("decided_on", t("budget.err.date", lang, value=shown(decided_on))))
    note = (note or "").strip()
    if control_character(note):
        problems.append(where("note", t("text.err.control", lang, field="note", code=control_character(note))))
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
        before = history[-1] if history else (None if activity.budget_sek is None else activity.budget_sek * ORE)
        if len(history) != expected_changes:  # read under the write lock: no save can slip in between
            raise ConcurrentEditError(code, yours=fmt_sek(amount_ore / ORE, lang, ore=True),
                                      now=fmt_sek(None if before is None else before / ORE, lang, ore=True))
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
