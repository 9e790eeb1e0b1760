"""Reading the audit log: who changed what, when, before → after."""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import Session

from mobility.i18n import TIMEZONE
from mobility.models import AuditEntry

COLUMNS = ["at", "actor", "action", "entity", "entity_key", "before", "after"]
# Account events (creation, role, password, removal) name people and their access: for administrators only.
PRIVATE_ENTITIES = ("account",)


def audit_entries(
    engine: Engine, *, actor: str | None = None, entity: str | None = None, action: str | None = None,
    since: date | None = None, until: date | None = None, limit: int = 1000, private: bool = False,
) -> pd.DataFrame:
    """Newest first; ``since``/``until`` are local (Stockholm) dates, both inclusive.

    ``private=True`` (administrators) includes account events; everyone else never gets them.
    """
    query = select(*(getattr(AuditEntry, c) for c in COLUMNS)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if not private:
        query = query.where(AuditEntry.entity.not_in(PRIVATE_ENTITIES))
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


def audit_choices(engine: Engine, *, private: bool = False) -> dict[str, list[str]]:
    """The distinct actors, entities and actions, for filter menus (of the entries the reader may see)."""
    visible = [] if private else [AuditEntry.entity.not_in(PRIVATE_ENTITIES)]
    with Session(engine) as session:
        return {
            col: sorted(session.execute(select(getattr(AuditEntry, col)).where(*visible).distinct()).scalars().all())
            for col in ("actor", "entity", "action")
        }
