"""The monthly follow-up meetings (avstämningsmöten, led by the head of department): recording and reading them.

The report of what changed since a meeting lives in ``followup``; this module owns the meetings themselves.
"""

from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.i18n import fmt_date, t
from mobility.models import Meeting
from mobility.service import Actor, ValidationError, audit, now, write_transaction

NOTES_MAX = 2000


def record_meeting(*, engine: Engine, actor: Actor, held_on: date, notes: str, lang: str = "en") -> None:
    """Record a follow-up meeting (one per date); refusals in ``lang`` (the page's language, English for the CLI)."""
    notes = (notes or "").strip()
    problems = []
    if not isinstance(held_on, date):
        problems.append(t("followup.err.no_date", lang))
    if len(notes) > NOTES_MAX:
        problems.append(t("followup.err.notes_long", lang, limit=NOTES_MAX))
    if problems:
        raise ValidationError(problems)
    with write_transaction(engine, actor) as session:
        if session.execute(select(Meeting.id).where(Meeting.held_on == held_on)).first():
            raise ValidationError(t("followup.err.duplicate", lang, date=fmt_date(held_on, lang)))
        session.add(Meeting(held_on=held_on, notes=notes, recorded_by=actor.name, recorded_at=now()))
        audit(session, actor, action="record_meeting", entity="meeting", key=held_on.isoformat(),
              after={"held_on": held_on, "notes": notes})


def meetings(engine: Engine) -> list[dict]:
    """Newest first."""
    with Session(engine) as session:
        rows = session.execute(select(Meeting).order_by(Meeting.held_on.desc())).scalars().all()
        return [m.model_dump() for m in rows]


def last_meeting_before(engine: Engine, today: date) -> date | None:
    with Session(engine) as session:
        return session.execute(
            select(Meeting.held_on).where(Meeting.held_on <= today).order_by(Meeting.held_on.desc()).limit(1)
        ).scalar()
