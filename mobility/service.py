"""The one way to write: role check, validation, one transaction, an audit entry, a new data version.

Domain modules call ``write_transaction`` and ``audit``; nothing else in the project commits.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from mobility.models import AuditEntry, DataVersion

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class Actor:
    name: str
    role: str = "viewer"

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "admin", "system")

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")


VIEWER = Actor("anonymous", "viewer")
SYSTEM = Actor("system", "system")


class NotAllowed(PermissionError):
    """The actor's role does not allow this write."""


class ValidationError(ValueError):
    """Input that cannot be saved; ``problems`` name each field or row."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class ConcurrentEditError(RuntimeError):
    """Someone else saved the same thing after the form was drawn."""


def require(actor: Actor, role: str = "editor") -> None:
    allowed = actor.is_admin if role == "admin" else actor.can_edit
    if not allowed:
        raise NotAllowed(f"{actor.name} ({actor.role}) may not do this; {role} required")


def now() -> datetime:
    return datetime.now(UTC)


def _json(value) -> str | None:
    if value is None:
        return None

    def default(v):
        if isinstance(v, date | datetime):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        raise TypeError(type(v))

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


@contextmanager
def write_transaction(engine: Engine, actor: Actor, *, role: str = "editor") -> Iterator[Session]:
    """Check the role, open one transaction, bump the data version on commit."""
    require(actor, role)
    try:
        with Session(engine) as session, session.begin():
            yield session
            bump_data_version(session)
    except StaleDataError as exc:
        raise ConcurrentEditError(str(exc)) from exc


def audit(session: Session, actor: Actor, *, action: str, entity: str, key: str = "", before=None, after=None) -> None:
    session.add(
        AuditEntry(
            at=now(), actor=actor.name, action=action, entity=entity, entity_key=str(key),
            before=_json(before), after=_json(after),
        )
    )


def bump_data_version(session: Session) -> None:
    changed = session.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))
    if changed.rowcount == 0:
        session.add(DataVersion(id=1, version=1))


def data_version(engine: Engine) -> int:
    """Cheap number that changes with every write, in any process: the cache key for reads."""
    with Session(engine) as session:
        return session.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar() or 0
