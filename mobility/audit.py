"""Reading the audit log: who changed what, when, before → after."""

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from mobility.i18n import TIMEZONE
from mobility.models import AuditEntry

COLUMNS = ["at", "actor", "action", "entity", "entity_key", "before", "after"]
# Account events (creation, role, password, removal) name people and their access: for administrators only.
PRIVATE_ENTITIES = ("account",)


def _filtered(query, *, actor: str | None, entity: str | None, action: str | None, since: date | None,
              until: date | None, private: bool):
    """``since``/``until`` are local (Stockholm) dates, both inclusive; account events for administrators only."""
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
    return query


def audit_entries(
    engine: Engine, *, actor: str | None = None, entity: str | None = None, action: str | None = None,
    since: date | None = None, until: date | None = None, limit: int | None = 1000, offset: int = 0,
    private: bool = False,
) -> pd.DataFrame:
    """Newest first, ``limit`` entries from ``offset`` (None: all of them, for a download).

    ``private=True`` (administrators) includes account events; everyone else never gets them.
    """
    query = select(*(getattr(AuditEntry, c) for c in COLUMNS)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    query = _filtered(query, actor=actor, entity=entity, action=action, since=since, until=until, private=private)
    with Session(engine) as session:
        rows = session.execute(query.limit(limit).offset(offset)).all()
    return pd.DataFrame(rows, columns=COLUMNS)


def audit_count(engine: Engine, *, actor: str | None = None, entity: str | None = None, action: str | None = None,
                since: date | None = None, until: date | None = None, private: bool = False) -> int:
    """How many entries ``audit_entries`` would give without a limit: the change log pages through them."""
    query = _filtered(select(func.count()).select_from(AuditEntry), actor=actor, entity=entity, action=action,
                      since=since, until=until, private=private)
    with Session(engine) as session:
        return session.execute(query).scalar_one()


def audit_choices(engine: Engine, *, private: bool = False) -> dict[str, list[str]]:
    """The distinct actors, entities and actions, for filter menus (of the entries the reader may see)."""
    visible = [] if private else [AuditEntry.entity.not_in(PRIVATE_ENTITIES)]
    with Session(engine) as session:
        return {
            col: sorted(session.execute(select(getattr(AuditEntry, col)).where(*visible).distinct()).scalars().all())
            for col in ("actor", "entity", "action")
        }
