"""The monthly follow-up meetings (avstämningsmöten, led by the head of department): minutes, decisions, actions.

The report of what changed since a meeting lives in ``followup``; this module owns the meetings themselves:
who chaired and attended, what was decided, which actions are open (they carry to every later report until done),
and which months of the plan period passed without a recorded meeting.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Engine, or_, select
from sqlmodel import Session

from mobility.i18n import fmt_date, t
from mobility.models import Meeting, MeetingAction, MeetingDecision, Plan
from mobility.plan import PLAN_FILES, load_plan_file
from mobility.service import Actor, ValidationError, audit, now, write_transaction
from mobility.text import control_problems

NOTES_MAX = 2000
TEXT_MAX = 500
NAME_MAX = 120
ITEMS_MAX = 30


@cache
def working_group() -> list[str]:
    """'Arbetsgrupp för mobilitet' as the plan names it."""
    return list(load_plan_file(PLAN_FILES[-1]).get("working_group", []))


@dataclass(frozen=True)
class ActionItem:
    what: str
    who: str = ""
    due_on: date | None = None


def _names(values) -> list[str]:
    out = []
    for v in values or []:
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def record_meeting(*, engine: Engine, actor: Actor, held_on: date, notes: str = "", chair: str = "",
                   attendees: list[str] | None = None, decisions: list[str] | None = None,
                   actions: list[ActionItem] | None = None, lang: str = "en") -> int:
    """Record a follow-up meeting (one per date) with its minutes; refusals in ``lang``. Returns its id."""
    notes, chair = (notes or "").strip(), (chair or "").strip()
    attendees = _names(attendees)
    decisions = [d.strip() for d in decisions or [] if d and d.strip()]
    actions = [a for a in actions or [] if a.what and a.what.strip()]
    problems = control_problems(lang, notes, chair, *attendees, *decisions, *(f"{a.what} {a.who}" for a in actions))
    if not isinstance(held_on, date):
        problems.append(t("followup.err.no_date", lang))
    if len(notes) > NOTES_MAX:
        problems.append(t("followup.err.notes_long", lang, limit=NOTES_MAX))
    if len(chair) > NAME_MAX or any(len(a) > NAME_MAX for a in attendees):
        problems.append(t("meetings.err.name_long", lang, limit=NAME_MAX))
    if len(decisions) > ITEMS_MAX or len(actions) > ITEMS_MAX or len(attendees) > ITEMS_MAX:
        problems.append(t("meetings.err.too_many", lang, limit=ITEMS_MAX))
    if any(len(d) > TEXT_MAX for d in decisions) or any(len(a.what.strip()) > TEXT_MAX for a in actions):
        problems.append(t("meetings.err.text_long", lang, limit=TEXT_MAX))
    for a in actions:
        if len(a.who.strip()) > NAME_MAX:
            problems.append(t("meetings.err.name_long", lang, limit=NAME_MAX))
        if a.due_on is not None and isinstance(held_on, date) and a.due_on < held_on:
            problems.append(t("meetings.err.due_before", lang, what=a.what.strip()[:60]))
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        if session.execute(select(Meeting.id).where(Meeting.held_on == held_on)).first():
            raise ValidationError(t("followup.err.duplicate", lang, date=fmt_date(held_on, lang)))
        meeting = Meeting(held_on=held_on, notes=notes, chair=chair, attendees=json.dumps(attendees,
                          ensure_ascii=False), recorded_by=actor.name, recorded_at=now())
        session.add(meeting)
        session.flush()
        for n, text in enumerate(decisions):
            session.add(MeetingDecision(meeting_id=meeting.id, position=n, text=text))
        for n, a in enumerate(actions):
            session.add(MeetingAction(meeting_id=meeting.id, position=n, what=a.what.strip(), who=a.who.strip(),
                                      due_on=a.due_on))
        audit(session, actor, action="record_meeting", entity="meeting", key=held_on.isoformat(),
              after={"held_on": held_on, "notes": notes, "chair": chair, "attendees": attendees,
                     "decisions": decisions,
                     "actions": [{"what": a.what.strip(), "who": a.who.strip(), "due_on": a.due_on}
                                 for a in actions]})
        return meeting.id


def close_action(*, engine: Engine, actor: Actor, action_id: int, done_on: date, lang: str = "en") -> None:
    """Mark an action done on a date (not before the meeting that set it)."""
    with write_transaction(engine, actor) as session:
        action = session.get(MeetingAction, action_id)
        if action is None:
            raise ValidationError(t("meetings.err.unknown_action", lang, id=action_id))
        held_on = session.get(Meeting, action.meeting_id).held_on
        if not isinstance(done_on, date) or done_on < held_on:
            raise ValidationError(t("meetings.err.done_before", lang, date=fmt_date(held_on, lang)))
        if action.done_on is not None:
            raise ValidationError(t("meetings.err.already_done", lang, date=fmt_date(action.done_on, lang)))
        action.done_on, action.done_by = done_on, actor.name
        session.add(action)
        audit(session, actor, action="close_action", entity="meeting_action",
              key=f"{held_on.isoformat()}#{action.position + 1}", before={"done_on": None},
              after={"what": action.what, "done_on": done_on})


# Reading ---------------------------------------------------------------------------------------------------------

def meetings(engine: Engine) -> list[dict]:
    """Newest first, with attendees as a list."""
    with Session(engine) as session:
        rows = session.execute(select(Meeting).order_by(Meeting.held_on.desc())).scalars().all()
        return [{**m.model_dump(), "attendees": json.loads(m.attendees) if m.attendees else []} for m in rows]


def last_meeting_before(engine: Engine, as_of: date) -> date | None:
    """The meeting a report for ``as_of`` follows up: the latest one held before that day."""
    with Session(engine) as session:
        return session.execute(
            select(Meeting.held_on).where(Meeting.held_on < as_of).order_by(Meeting.held_on.desc()).limit(1)
        ).scalar()


def decisions(engine: Engine, *, since: date | None = None, until: date | None = None) -> list[dict]:
    """Decisions of the meetings between the dates (inclusive), oldest first."""
    query = (select(Meeting.held_on, MeetingDecision.text).join(Meeting, Meeting.id == MeetingDecision.meeting_id)
             .order_by(Meeting.held_on, MeetingDecision.position))
    if since:
        query = query.where(Meeting.held_on >= since)
    if until:
        query = query.where(Meeting.held_on <= until)
    with Session(engine) as session:
        return [{"held_on": d, "text": text} for d, text in session.execute(query).all()]


def actions(engine: Engine, *, as_of: date, open_only: bool = True) -> list[dict]:
    """Actions set at meetings up to ``as_of``; open = not done by then. Oldest meeting first."""
    query = (select(MeetingAction, Meeting.held_on).join(Meeting, Meeting.id == MeetingAction.meeting_id)
             .where(Meeting.held_on <= as_of).order_by(Meeting.held_on, MeetingAction.position))
    if open_only:
        query = query.where(or_(MeetingAction.done_on.is_(None), MeetingAction.done_on > as_of))
    with Session(engine) as session:
        rows = session.execute(query).all()
    out = []
    for a, held_on in rows:
        done = a.done_on if a.done_on and a.done_on <= as_of else None
        out.append({"id": a.id, "held_on": held_on, "what": a.what, "who": a.who, "due_on": a.due_on,
                    "done_on": done, "done_by": a.done_by if done else "",
                    "overdue": done is None and a.due_on is not None and a.due_on < as_of})
    return out


def _month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def plan_months(engine: Engine) -> list[date]:
    """First days of the plan period's months (January of its first year to December of its last)."""
    with Session(engine) as session:
        years = session.execute(select(Plan.start_year, Plan.end_year).order_by(Plan.id.desc())).first()
    if not years:
        return []
    return [date(y, m, 1) for y in range(years[0], years[1] + 1) for m in range(1, 13)]


def missed_months(engine: Engine, *, as_of: date) -> list[date]:
    """Months of the plan period that have ended by ``as_of`` (their last day reached) with no recorded meeting."""
    with Session(engine) as session:
        held = {(d.year, d.month) for d in session.execute(select(Meeting.held_on)).scalars()}
    return [m for m in plan_months(engine) if _month_end(m) <= as_of and (m.year, m.month) not in held]


def month_name(month: date, lang: str) -> str:
    """'mars 2017' / 'March 2017'."""
    from babel.dates import format_date

    from mobility.i18n import LOCALES

    return format_date(month, "LLLL y", locale=LOCALES[lang])


def missed_month_text(month: date, lang: str) -> str:
    """'inget uppföljningsmöte i mars 2017' / 'no follow-up meeting in March 2017'."""
    return t("meetings.missed", lang, month=month_name(month, lang))


def meetings_json(engine: Engine, *, as_of: date) -> dict:
    with Session(engine) as session:
        ids = dict(session.execute(select(Meeting.held_on, Meeting.id)).all())
    all_actions = actions(engine, as_of=as_of, open_only=False)
    all_decisions = decisions(engine, until=as_of)
    return {
        "as_of": as_of.isoformat(),
        "meetings": [
            {"date": m["held_on"].isoformat(), "chair": m["chair"] or None, "attendees": m["attendees"],
             "notes": m["notes"],
             "decisions": [d["text"] for d in all_decisions if d["held_on"] == m["held_on"]],
             "actions": [{"id": a["id"], "what": a["what"], "who": a["who"] or None,
                          "due": a["due_on"].isoformat() if a["due_on"] else None,
                          "done": a["done_on"].isoformat() if a["done_on"] else None}
                         for a in all_actions if a["held_on"] == m["held_on"]]}
            for m in meetings(engine) if m["held_on"] <= as_of and m["held_on"] in ids
        ],
        "open_actions": sum(1 for a in all_actions if a["done_on"] is None),
        "missed_months": [m.strftime("%Y-%m") for m in missed_months(engine, as_of=as_of)],
    }


def parse_action_lines(text: str, lang: str = "en") -> list[ActionItem]:
    """'what ; who ; YYYY-MM-DD' per line (who and date optional) → action items; a bad date names its line."""
    items = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        parts = [p.strip() for p in line.split(";")]
        if not parts[0]:
            if any(parts):
                raise ValidationError(t("meetings.err.action_line", lang, n=n))
            continue
        if len(parts) > 3:
            raise ValidationError(t("meetings.err.action_line", lang, n=n))
        due = None
        if len(parts) == 3 and parts[2]:
            try:
                due = date.fromisoformat(parts[2])
            except ValueError:
                raise ValidationError(t("meetings.err.action_line", lang, n=n)) from None
        items.append(ActionItem(parts[0], parts[1] if len(parts) > 1 else "", due))
    return items
