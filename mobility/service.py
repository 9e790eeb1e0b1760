"""The one way to write: role check, validation, one transaction, an audit entry, a new data version.

Domain modules call ``write_transaction`` and ``audit``; nothing else in the project commits.

Writers take turns: a write transaction first takes the database's write lock (``BEGIN IMMEDIATE`` on SQLite, a row
lock on the data-version row on PostgreSQL), so the stale check a write makes ("is it still what the form showed?")
and the write itself see the same, newest state, and the audit's "before" is the value actually replaced. Readers
never wait. A writer that finds the lock taken waits (bounded) and tries again.
"""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from mobility.models import AuditEntry, DataVersion

ROLES = ("viewer", "editor", "admin")
WRITE_WAIT_SECONDS = 60.0  # how long a writer waits for another one (a 50 000-row import takes a few seconds)
LOCK_ATTEMPT_MS = 5000  # one attempt's wait for the lock; then it tries again until WRITE_WAIT_SECONDS


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
    """Someone else saved the same thing after the form was drawn.

    ``yours`` is what this save wanted, ``now`` what the other save left there (shown side by side to the editor).
    """

    def __init__(self, what: str = "", *, yours=None, now=None):
        self.what, self.yours, self.now = what, yours, now
        super().__init__(what if yours is None and now is None else f"{what}: yours {yours!r}, now {now!r}")


class DatabaseBusy(ValidationError):
    """Another writer held the database for longer than a writer waits; nothing was written."""

    def __init__(self):
        super().__init__(f"the database is busy with another change (waited {WRITE_WAIT_SECONDS:.0f} s); "
                         "nothing was saved, please try again")


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
    """Check the role, take the write lock, bump the data version; commit if the block ends without an error."""
    require(actor, role)
    session = _locked_session(engine)
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        raise ConcurrentEditError(str(exc)) from exc
    finally:
        session.close()  # rolls back anything not committed


def _locked_session(engine: Engine) -> Session:
    """A session in a transaction that holds the write lock; waits for another writer up to WRITE_WAIT_SECONDS."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    pause = 0.01
    while True:
        session = Session(engine)
        try:
            session.begin()
            _take_write_lock(session)
            return session
        except OperationalError as exc:
            session.close()
            if not _is_busy(exc):
                raise
            if time.monotonic() + pause > deadline:
                raise DatabaseBusy() from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)


def _take_write_lock(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # pysqlite opens a transaction only before INSERT/UPDATE/DELETE; as the first statement on the connection
        # BEGIN IMMEDIATE takes the write lock now (waiting up to busy_timeout), and pysqlite's COMMIT ends it.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {LOCK_ATTEMPT_MS}")
    bump_data_version(session)  # on PostgreSQL the row lock on the data version serialises the writers


def _is_busy(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("55P03", "40P01", "40001") or "database is locked" in str(exc.orig) or "busy" in str(exc.orig)


def audit(session: Session, actor: Actor, *, action: str, entity: str, key: str = "", before=None, after=None) -> None:
    session.add(
        AuditEntry(
            at=now(), actor=actor.name, action=action, entity=entity, entity_key=str(key),
            before=_json(before), after=_json(after),
        )
    )


def audit_many(session: Session, actor: Actor, entries: list[dict], *, at: datetime | None = None) -> None:
    """Many audit entries in one statement (``action``, ``entity``, ``key``, ``before``, ``after`` each)."""
    if not entries:
        return
    at = at or now()
    session.connection().execute(insert(AuditEntry.__table__), [  # Core: the ORM's bulk path costs 3× as much
        {"at": at, "actor": actor.name, "action": e["action"], "entity": e["entity"],
         "entity_key": str(e.get("key", "")), "before": _json(e.get("before")), "after": _json(e.get("after"))}
        for e in entries
    ])


def bump_data_version(session: Session) -> None:
    changed = session.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))
    if changed.rowcount == 0:  # the very first write: two at once must not both insert the row
        session.execute(dialect_insert(session)(DataVersion).values(id=1, version=1).on_conflict_do_nothing())
        session.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))


def dialect_insert(session: Session):
    """``insert`` with ON CONFLICT for the database in use (SQLite and PostgreSQL spell it the same way)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def data_version(engine: Engine) -> int:
    """Cheap number that changes with every write, in any process: the cache key for reads (read on every page
    run, so a bare connection, not an ORM session)."""
    with engine.connect() as conn:
        return conn.execute(_VERSION_QUERY).scalar() or 0


_VERSION_QUERY = select(DataVersion.version).where(DataVersion.id == 1)
