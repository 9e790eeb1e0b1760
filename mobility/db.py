"""The one engine: SQLite file by default, any SQLAlchemy URL through DATABASE_URL."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'mobility.db'}"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_URL


SUPPORTED = {"sqlite": "sqlite:///data/mobility.db", "postgresql": "postgresql+psycopg://user:pw@host/db"}


class DatabaseURLError(ValueError):
    """DATABASE_URL is not a URL we can use; the message says what would work (and never shows a password)."""


def parse_database_url(url: str) -> URL:
    """The URL as SQLAlchemy reads it, limited to the databases the project is tested on.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (the driver in requirements.txt), not SQLAlchemy's default
    psycopg2, so the address a PostgreSQL admin hands out works as given.
    """
    examples = " or ".join(SUPPORTED.values())
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise DatabaseURLError(f"DATABASE_URL is not a database URL; use e.g. {examples}") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        parsed, backend = parsed.set(drivername="postgresql"), "postgresql"
    if backend not in SUPPORTED:
        raise DatabaseURLError(f"DATABASE_URL: {backend!r} databases are not supported; use {examples}")
    if backend == "postgresql" and parsed.get_driver_name() in ("psycopg2", "postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | None = None) -> Engine:
    url = parse_database_url(url or database_url())
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision of every migration branch."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A short read session; writes go through mobility.service.write_transaction."""
    with Session(engine) as session:
        yield session
