"""The monthly follow-up: the report of what changed since the last one, what is late, what comes.

The report works by business dates: it covers the days after ``since`` (the previous meeting) up to and including
``as_of`` (this meeting). Spending counts by its ledger date, a status by the date it took effect, counts by the
period they count, checklist runs by the day they were completed. What was entered in that window but dated on or
before ``since`` is listed separately as a correction, so two consecutive reports neither miss nor repeat anything.

The report is built from ``SECTIONS``, a registry of functions ``(engine, since, as_of) -> Section``. A domain adds
its section with one line; ``audit_section`` lists a domain's audit entries entered in the window.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from mobility.activities import activity_table
from mobility.audit import audit_entries
from mobility.examples import example_counts
from mobility.i18n import TIMEZONE, fmt_date, fmt_sek, t
from mobility.models import (
    Activity,
    ChecklistRun,
    ChecklistTemplate,
    Meeting,
    MobilityCount,
    Spend,
    StatusChange,
)
from mobility.service import ValidationError

GROUPS = ("changed", "late", "coming")


@dataclass(frozen=True)
class Localised:
    """A cell that reads differently per language (a status name, an activity's title)."""

    sv: str
    en: str

    def __str__(self) -> str:
        return self.sv


def label(key: str) -> Localised:
    return Localised(t(key, "sv"), t(key, "en"))


@dataclass
class Section:
    key: str  # its title is the string "followup.section.<key>"
    group: str  # one of GROUPS
    columns: list[str]  # string keys "followup.col.<name>"
    rows: list[tuple] = field(default_factory=list)  # str, int, date, datetime or Localised


# Sections -------------------------------------------------------------------------------------------------------


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time(), TIMEZONE)


def _entered_in(column, since: date, as_of: date):
    """Entered (a timestamp) on a local day after ``since`` up to and including ``as_of``."""
    return (column >= _local_start(since + timedelta(days=1))) & (column < _local_start(as_of + timedelta(days=1)))


def _title(row) -> Localised:
    return Localised(row.title_sv, row.title_en)


def _money(ore: int) -> Localised:
    ore_shown = ore % 100 != 0
    return Localised(fmt_sek(ore / 100, "sv", ore=ore_shown), fmt_sek(ore / 100, "en", ore=ore_shown))


def _status_rows(engine: Engine, where) -> list[tuple]:
    query = (
        select(StatusChange.effective_on, StatusChange.changed_at, Activity.code, Activity.title_sv,
               Activity.title_en, StatusChange.previous_status, StatusChange.status, StatusChange.changed_by,
               StatusChange.comment)
        .join(Activity, Activity.id == StatusChange.activity_id).where(where)
        .order_by(StatusChange.effective_on, StatusChange.id)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [(r.effective_on, r.changed_at, r.code, _title(r),
             label(f"status.{r.previous_status}") if r.previous_status else "–", label(f"status.{r.status}"),
             r.changed_by, r.comment) for r in rows]


STATUS_COLUMNS = ["effective", "entered", "activity", "title", "from", "to", "who", "comment"]


def status_changes(engine: Engine, since: date, as_of: date) -> Section:
    """Statuses that took effect after ``since`` up to ``as_of``, whenever they were entered."""
    return Section("status_changes", "changed", STATUS_COLUMNS, _status_rows(
        engine, (StatusChange.effective_on > since) & (StatusChange.effective_on <= as_of)))


def status_corrections(engine: Engine, since: date, as_of: date) -> Section:
    """Entered in the window but in force from ``since`` or earlier: the last report did not know them."""
    return Section("status_corrections", "changed", STATUS_COLUMNS, _status_rows(
        engine, _entered_in(StatusChange.changed_at, since, as_of) & (StatusChange.effective_on <= since)))


def _spend_rows(engine: Engine, where) -> list[tuple]:
    query = (
        select(Spend.spent_on, Activity.code, Spend.amount_ore, Spend.description, Spend.reference,
               Spend.entered_at, Spend.entered_by)
        .join(Activity, Activity.id == Spend.activity_id).where(where).order_by(Spend.spent_on, Spend.id)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [(r.spent_on, r.code, _money(r.amount_ore), r.description, r.reference or "", r.entered_at, r.entered_by)
            for r in rows]


SPEND_COLUMNS = ["date", "activity", "amount", "description", "reference", "entered", "who"]


def new_spending(engine: Engine, since: date, as_of: date) -> Section:
    """Ledger entries dated after ``since`` up to ``as_of``: the budget's spent on ``as_of`` minus that on ``since``."""
    return Section("spend", "changed", SPEND_COLUMNS, _spend_rows(
        engine, (Spend.spent_on > since) & (Spend.spent_on <= as_of)))


def spending_corrections(engine: Engine, since: date, as_of: date) -> Section:
    """Entered in the window but dated ``since`` or earlier (a late invoice, a correction)."""
    return Section("spend_corrections", "changed", SPEND_COLUMNS, _spend_rows(
        engine, _entered_in(Spend.entered_at, since, as_of) & (Spend.spent_on <= since)))


def period_end(year: int, term: str) -> date:
    """The last day a count's period covers: VT ends in June, HT and a whole year in December."""
    return date(year, 6, 30) if term == "VT" else date(year, 12, 31)


def _count_rows(engine: Engine, where) -> list[tuple]:
    group = (MobilityCount.year, MobilityCount.term, MobilityCount.group, MobilityCount.direction)
    with Session(engine) as session:
        rows = session.execute(select(*group, func.sum(MobilityCount.count).label("n"),
                                      func.max(MobilityCount.updated_at).label("entered"))
                               .where(where).group_by(*group).order_by(*group)).all()
    return [(f"{r.year} {r.term}".strip(), label(f"counts.group.{r.group}"), label(f"counts.direction.{r.direction}"),
             int(r.n), r.entered) for r in rows]


def _periods_ending(since: date, as_of: date):
    """Counts whose period ended after ``since`` up to ``as_of`` (SQL on year and term)."""
    vt, whole = MobilityCount.term == "VT", MobilityCount.term != "VT"
    after = ((vt & (MobilityCount.year * 10000 + 630 > _num(since))) |
             (whole & (MobilityCount.year * 10000 + 1231 > _num(since))))
    by = ((vt & (MobilityCount.year * 10000 + 630 <= _num(as_of))) |
          (whole & (MobilityCount.year * 10000 + 1231 <= _num(as_of))))
    return after & by


def _num(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


COUNT_COLUMNS = ["period", "group", "direction", "count", "entered"]


def counts_by_period(engine: Engine, since: date, as_of: date) -> Section:
    """Counts for periods that ended in the window (as they stand now), per period, group and direction."""
    return Section("counts", "changed", COUNT_COLUMNS, _count_rows(engine, _periods_ending(since, as_of)))


def count_corrections(engine: Engine, since: date, as_of: date) -> Section:
    """Counts entered or corrected in the window for periods that had ended by ``since``."""
    ended = ((MobilityCount.term == "VT") & (MobilityCount.year * 10000 + 630 <= _num(since))) | (
        (MobilityCount.term != "VT") & (MobilityCount.year * 10000 + 1231 <= _num(since)))
    return Section("count_corrections", "changed", COUNT_COLUMNS,
                   _count_rows(engine, _entered_in(MobilityCount.updated_at, since, as_of) & ended))


def checklist_runs(engine: Engine, since: date, as_of: date) -> Section:
    """Checklist runs completed in the window (a completed C2 run is a staff visit for goal C)."""
    query = (
        select(ChecklistRun.completed_at, ChecklistTemplate.key, ChecklistRun.label, ChecklistRun.reference_date,
               ChecklistRun.completed_by)
        .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistRun.template_id)
        .where(_entered_in(ChecklistRun.completed_at, since, as_of)).order_by(ChecklistRun.completed_at)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return Section("checklist_runs", "changed", ["when", "item", "label", "date", "who"],
                   [(r.completed_at, r.key, r.label, r.reference_date, r.completed_by) for r in rows])


def _readable(raw) -> str:
    if not isinstance(raw, str):
        return ""
    value = json.loads(raw)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def audit_section(key: str, *, entity: str, action: str | None = None, group: str = "changed") -> Callable:
    """A section listing the audit entries of one entity (and action) entered in the window: who changed what."""

    def build(engine: Engine, since: date, as_of: date) -> Section:
        entries = audit_entries(engine, entity=entity, action=action, since=since + timedelta(days=1), until=as_of,
                                limit=None).iloc[::-1]
        return Section(key, group, ["when", "who", "action", "item", "before", "after"], [
            (e.at, e.actor, label(f"action.{e.action}"), e.entity_key, _readable(e.before), _readable(e.after))
            for e in entries.itertuples()
        ])

    build.__name__ = key
    return build


def overdue(engine: Engine, since: date, as_of: date) -> Section:
    table = activity_table(engine, as_of)
    late = table[table["overdue"]]
    return Section("overdue", "late", ["activity", "title", "responsible", "end", "status"], [
        (r.code, _title(r), r.responsible, r.end_text or assumed_end_text(r.end_used), label(f"status.{r.status}"))
        for r in late.itertuples()
    ])


def assumed_end_text(end_month: date) -> Localised:
    from mobility.i18n import fmt_month

    return Localised(t("asof.assumed_end", "sv", month=fmt_month(end_month, "sv")),
                     t("asof.assumed_end", "en", month=fmt_month(end_month, "en")))


def upcoming(engine: Engine, since: date, as_of: date) -> Section:
    """Not closed, starting in the as-of month or one of the next months."""
    table = activity_table(engine, as_of)
    soon = table[table["starting_soon"]].sort_values("start_month", kind="stable")
    return Section("upcoming", "coming", ["activity", "title", "responsible", "start", "status"], [
        (r.code, _title(r), r.responsible, r.start_text, label(f"status.{r.status}")) for r in soon.itertuples()
    ])


def idle_budget(engine: Engine, since: date, as_of: date) -> Section:
    """Money allocated to activities that started over six months ago with nothing spent (the budget's 'idle')."""
    from mobility.budget import budget_report

    idle = [a for a in budget_report(engine, as_of=as_of)["activities"] if "idle" in a["flags"]]
    titles = {r.code: _title(r) for r in activity_table(engine, as_of).itertuples()}
    return Section("idle_budget", "late", ["activity", "title", "allocated"], [
        (a["code"], titles[a["code"]], Localised(fmt_sek(a["allocated"], "sv"), fmt_sek(a["allocated"], "en")))
        for a in idle
    ])


def _decisions(engine: Engine, since: date, today: date) -> Section:
    from mobility.meetings import decisions

    return Section("decisions", "changed", ["meeting", "decision"],
                   [(d["held_on"], d["text"]) for d in decisions(engine, since=since, until=today)])


def _communications(engine: Engine, since: date, today: date) -> Section:
    """What was told about the plan (goal E) since the date, per entry."""
    from mobility.communications import channel_name, entries

    return Section("communications", "changed", ["date", "channel", "audience", "activity", "note"], [
        (e["held_on"], Localised(channel_name(e["channel"], "sv"), channel_name(e["channel"], "en")), e["audience"],
         e["activity_code"], e["note"])
        for e in reversed(entries(engine, since=since, until=today, limit=None))
    ])


def _open_actions(engine: Engine, since: date, today: date) -> Section:
    """Every action not done by today, from whichever meeting set it: they carry over until closed."""
    from mobility.meetings import actions

    def due(a: dict):
        if not a["overdue"]:
            return a["due_on"] or "–"
        return Localised(*(f"{fmt_date(a['due_on'], lang)} ({t('meetings.overdue', lang)})" for lang in ("sv", "en")))

    return Section("open_actions", "late", ["meeting", "what", "who", "due"],
                   [(a["held_on"], a["what"], a["who"], due(a)) for a in actions(engine, as_of=today)])


def _missed_months(engine: Engine, since: date, today: date) -> Section:
    from mobility.meetings import missed_month_text, missed_months

    return Section("missed_months", "late", ["month"], [
        (Localised(missed_month_text(m, "sv"), missed_month_text(m, "en")),) for m in missed_months(engine, as_of=today)
    ])


# In report order. A domain adds its section here (idle budget, for example, goes in the "late" group).
SECTIONS: dict[str, Callable[[Engine, date, date], Section]] = {
    "status_changes": status_changes,
    "status_corrections": status_corrections,
    "decisions": _decisions,
    "communications": _communications,
    "spend": new_spending,
    "spend_corrections": spending_corrections,
    "counts": counts_by_period,
    "count_corrections": count_corrections,
    "checklist_runs": checklist_runs,
    "overdue": overdue,
    "open_actions": _open_actions,
    "missed_months": _missed_months,
    "idle_budget": idle_budget,
    "upcoming": upcoming,
}


def followup_report(engine: Engine, *, since: date, as_of: date) -> dict:
    """What changed after ``since`` up to and including ``as_of`` (local dates), what is late and what comes then.

    ``example`` says whether example data is in the database (the report then carries the example label).
    """
    if since > as_of:
        raise ValidationError(f"since: {since.isoformat()} is after the report's date ({as_of.isoformat()})")
    with Session(engine) as session:  # what the previous meeting noted: the report follows it up
        meeting = session.execute(select(Meeting).where(Meeting.held_on == since)).scalar_one_or_none()
        notes = meeting.notes if meeting else None
    return {
        "since": since,
        "as_of": as_of,
        "meeting_notes": notes,
        "example": bool(example_counts(engine)),
        "sections": [build(engine, since, as_of) for build in SECTIONS.values()],
        "summary": summary(engine, as_of),
    }


def summary(engine: Engine, as_of: date) -> dict:
    """The report's first screen: per goal area its activities by status, what is late and its money; the plan's
    money; and whether example data contributes (then every format says so)."""
    from mobility.activities import area_summaries
    from mobility.budget import budget_report
    from mobility.examples import example_counts

    table = activity_table(engine, as_of)
    money = budget_report(engine, as_of=as_of)
    spent = {a["code"]: a for a in money["areas"]}
    areas = []
    for area in area_summaries(engine):
        mine = table[table["area"] == area.code]
        areas.append({
            "code": area.code, "name": Localised(area.name_sv, area.name_en), "activities": len(mine),
            "done": int((mine["status"] == "done").sum()), "ongoing": int((mine["status"] == "ongoing").sum()),
            "late": list(mine.loc[mine["overdue"], "code"]),
            "allocated": spent.get(area.code, {}).get("allocated", 0.0),
            "spent": spent.get(area.code, {}).get("spent", 0.0),
            "unnumbered": spent.get(area.code, {}).get("unnumbered", []),
        })
    return {"areas": areas, "money": money["total"], "late": list(table.loc[table["overdue"], "code"]),
            "examples": bool(example_counts(engine))}
