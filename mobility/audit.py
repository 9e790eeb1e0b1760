"""Reading the audit log: who changed what, when, before → after."""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.i18n import TIMEZONE
from mobility.models import AuditEntry

COLUMNS = ["at", "actor", "action", "entity", "entity_key", "before", "after"]


def audit_entries(
    engine: Engine, *, actor: str | None = None, entity: str | None = None, action: str | None = None,
    since: date | None = None, until: date | None = None, limit: int = 1000,
) -> pd.DataFrame:
    """Newest first; ``since``/``until`` are local (Stockholm) dates, both inclusive."""
    query = select(*(getattr(AuditEntry, c) for c in COLUMNS)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if action:
        query = query.where(AuditEntry.action == action)
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time(), TIMEZONE))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(), TIMEZONE))
    with Session(engine) as session:
        rows = session.execute(query.limit(limit)).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def audit_choices(engine: Engine) -> dict[str, list[str]]:
    """The distinct actors, entities and actions, for filter menus."""
    with Session(engine) as session:
        return {
            col: sorted(session.execute(select(getattr(AuditEntry, col)).distinct()).scalars().all())
            for col in ("actor", "entity", "action")
        }
