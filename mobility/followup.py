"""The monthly follow-up: the report of what changed since the last one, what is late, what comes.

The report is built from ``SECTIONS``, a registry of functions ``(engine, since, today) -> Section``. A domain adds
its section with one line; the sections on audit entries work for any domain that writes its audit entries.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.activities import CLOSED, activity_table
from mobility.audit import audit_entries
from mobility.i18n import TIMEZONE, fmt_date, fmt_sek, local_today, t
from mobility.models import Activity, Meeting, StatusChange
from mobility.service import ValidationError

UPCOMING_MONTHS = 3
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


def _until(today: date) -> date | None:
    """The last day the report covers; None (up to now) when ``today`` is today, whichever clock is ahead."""
    return None if today >= local_today() else today


def _title(row) -> Localised:
    return Localised(row.title_sv, row.title_en)


def status_changes(engine: Engine, since: date, today: date) -> Section:
    query = (
        select(StatusChange.changed_at, Activity.code, Activity.title_sv, Activity.title_en,
               StatusChange.previous_status, StatusChange.status, StatusChange.changed_by, StatusChange.comment)
        .join(Activity, Activity.id == StatusChange.activity_id)
        .where(StatusChange.changed_at >= _local_start(since))
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    if until := _until(today):
        query = query.where(StatusChange.changed_at < _local_start(until + timedelta(days=1)))
    with Session(engine) as session:
        rows = session.execute(query).all()
    return Section("status_changes", "changed", ["when", "activity", "title", "from", "to", "who", "comment"], [
        (r.changed_at, r.code, _title(r), label(f"status.{r.previous_status}") if r.previous_status else "–",
         label(f"status.{r.status}"), r.changed_by, r.comment)
        for r in rows
    ])


def _readable(raw) -> str:
    if not isinstance(raw, str):
        return ""
    value = json.loads(raw)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def audit_section(key: str, *, entity: str, action: str | None = None, group: str = "changed") -> Callable:
    """A section listing the audit entries of one entity (and action) since the date: who changed what, how."""

    def build(engine: Engine, since: date, today: date) -> Section:
        entries = audit_entries(engine, entity=entity, action=action, since=since, until=_until(today),
                                limit=None).iloc[::-1]
        return Section(key, group, ["when", "who", "action", "item", "before", "after"], [
            (e.at, e.actor, label(f"action.{e.action}"), e.entity_key, _readable(e.before), _readable(e.after))
            for e in entries.itertuples()
        ])

    build.__name__ = key
    return build


def overdue(engine: Engine, since: date, today: date) -> Section:
    table = activity_table(engine, today)
    late = table[table["overdue"]]
    return Section("overdue", "late", ["activity", "title", "responsible", "end", "status"], [
        (r.code, _title(r), r.responsible, r.end_text, label(f"status.{r.status}")) for r in late.itertuples()
    ])


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def upcoming(engine: Engine, since: date, today: date) -> Section:
    """Not closed, starting this month or in one of the next ``UPCOMING_MONTHS`` months."""
    this_month = today.replace(day=1)
    query = (
        select(Activity.code, Activity.title_sv, Activity.title_en, Activity.responsible, Activity.start_text,
               Activity.start_month, Activity.status)
        .where(Activity.start_month >= this_month, Activity.start_month <= _add_months(this_month, UPCOMING_MONTHS),
               Activity.status.not_in(CLOSED))
        .order_by(Activity.start_month, Activity.position)
    )
    with Session(engine) as session:
        rows = session.execute(query).all()
    return Section("upcoming", "coming", ["activity", "title", "responsible", "start", "status"], [
        (r.code, _title(r), r.responsible, r.start_text, label(f"status.{r.status}")) for r in rows
    ])


def idle_budget(engine: Engine, since: date, today: date) -> Section:
    """Money allocated to activities that started over six months ago with nothing spent (the budget's 'idle')."""
    from mobility.budget import budget_report

    idle = [a for a in budget_report(engine, as_of=today)["activities"] if "idle" in a["flags"]]
    titles = {r.code: _title(r) for r in activity_table(engine, today).itertuples()}
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
    "decisions": _decisions,
    "communications": _communications,
    "counts": audit_section("counts", entity="count"),
    "spend": audit_section("spend", entity="spend"),
    "checklist_runs": audit_section("checklist_runs", entity="checklist_run", action="complete_run"),
    "overdue": overdue,
    "open_actions": _open_actions,
    "missed_months": _missed_months,
    "idle_budget": idle_budget,
    "upcoming": upcoming,
}


def followup_report(engine: Engine, *, since: date, today: date) -> dict:
    """What changed since ``since`` (inclusive, local dates), what is late and what comes, as of ``today``."""
    if since > today:
        raise ValidationError(f"since: {since.isoformat()} is after today ({today.isoformat()})")
    with Session(engine) as session:
        meeting = session.execute(select(Meeting).where(Meeting.held_on == since)).scalar_one_or_none()
        notes = meeting.notes if meeting else None
    return {
        "since": since,
        "today": today,
        "meeting_notes": notes,
        "sections": [build(engine, since, today) for build in SECTIONS.values()],
        "summary": summary(engine, today),
    }


def summary(engine: Engine, today: date) -> dict:
    """The report's first screen: per goal area its activities by status, what is late and its money; the plan's
    money; and whether example data contributes (then every format says so)."""
    from mobility.activities import area_summaries
    from mobility.budget import budget_report
    from mobility.examples import example_counts

    table = activity_table(engine, today)
    money = budget_report(engine, as_of=today)
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
        })
    return {"areas": areas, "money": money["total"], "late": list(table.loc[table["overdue"], "code"]),
            "examples": bool(example_counts(engine))}
