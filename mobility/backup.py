"""Backups: a consistent, portable snapshot of every table, and a restore into an empty database.

The file is JSON lines (gzip-compressed when its name ends in ``.gz``), the same on SQLite and PostgreSQL:

    {"format": "mobility-backup", "version": 1, "created": …, "alembic": [revisions], "tables": {name: {rows, sha256}}}
    {"table": "plan", "columns": ["id", "key", …]}
    [1, "plan_2016_2018", …]                      one line per row, in primary-key order
    {"table": "area", "columns": [...]}
    …

Every table in ``SQLModel.metadata`` is included, so a domain's new table (uploaded files, say) is backed up without
a change here. The snapshot is consistent: on SQLite it is read from an online backup copy (``sqlite3`` backup API,
safe while the app writes), on PostgreSQL from one REPEATABLE READ, read-only transaction.
"""

import base64
import gzip
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text
from sqlmodel import SQLModel

import mobility.models  # noqa: F401  (registers every table)
from mobility.db import make_engine, migrate
from mobility.service import ValidationError

FORMAT, VERSION = "mobility-backup", 1
BATCH = 1000


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


def tables() -> list[Table]:
    """Every table the app knows, parents before children (so a restore satisfies foreign keys as it goes)."""
    return list(SQLModel.metadata.sorted_tables)


# Values <-> JSON ---------------------------------------------------------------------------------------------------
def _encode(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decoder(column):
    """How to turn a JSON value back into what the column takes (for a custom type: what its base type takes)."""
    try:
        kind = getattr(column.type, "impl_instance", column.type).python_type
    except NotImplementedError:
        return None
    return {datetime: datetime.fromisoformat, date: date.fromisoformat, time: time.fromisoformat,
            bytes: base64.b64decode, Decimal: Decimal}.get(kind)


def _row_digest(digest, row: list) -> None:
    digest.update(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
    digest.update(b"\n")


# Reading a snapshot ------------------------------------------------------------------------------------------------
@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one moment of the whole database while others keep writing."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mobility-backup-") as tmp:
            copy = Path(tmp) / "snapshot.db"
            raw = engine.raw_connection()
            try:
                target = sqlite3.connect(copy)
                raw.driver_connection.backup(target)
                target.close()
            finally:
                raw.close()
            copy_engine = make_engine(f"sqlite:///{copy}")
            try:
                with copy_engine.connect() as conn:
                    yield conn
            finally:
                copy_engine.dispose()
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn
            conn.rollback()


def _ordered_rows(conn: Connection, table: Table) -> Iterator[list]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(*table.columns).order_by(*order))
    for row in result:
        yield [_encode(v) for v in row]


def alembic_revisions(conn: Connection) -> list[str]:
    if not inspect(conn).has_table("alembic_version"):
        return []
    return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def summarise(conn: Connection) -> dict[str, TableSummary]:
    """Rows and a checksum per table, computed the way a backup file records them."""
    summary = {}
    for table in tables():
        digest, n = hashlib.sha256(), 0
        for row in _ordered_rows(conn, table):
            _row_digest(digest, row)
            n += 1
        summary[table.name] = TableSummary(n, digest.hexdigest())
    return summary


def _open(path: Path, mode: str, *, compressed: bool):
    return gzip.open(path, mode + "t", encoding="utf-8") if compressed else open(path, mode, encoding="utf-8")


def backup(engine: Engine, path: Path) -> dict[str, TableSummary]:
    """Write the snapshot to ``path`` (atomically: a half-written file never takes the name)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    with snapshot(engine) as conn:
        summary = summarise(conn)  # first pass: the header needs counts and checksums
        header = {
            "format": FORMAT, "version": VERSION, "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "dialect": engine.dialect.name, "alembic": alembic_revisions(conn),
            "tables": {name: {"rows": s.rows, "sha256": s.sha256} for name, s in summary.items()},
        }
        try:
            with _open(partial, "w", compressed=path.suffix == ".gz") as out:
                out.write(json.dumps(header) + "\n")
                for table in tables():
                    out.write(json.dumps({"table": table.name, "columns": [c.name for c in table.columns]}) + "\n")
                    for row in _ordered_rows(conn, table):
                        out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return summary


# Restoring ---------------------------------------------------------------------------------------------------------
def _read(path: Path) -> tuple[dict, Iterator[tuple[str, list[str], list]]]:
    stream = _open(path, "r", compressed=path.suffix == ".gz")
    try:
        header = json.loads(stream.readline() or "null")
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        stream.close()
        raise ValidationError(f"{path}: not a mobility backup file")
    if header.get("version") != VERSION:
        stream.close()
        raise ValidationError(f"{path}: backup format version {header.get('version')} is not supported")

    def blocks() -> Iterator[tuple[str, list[str], list]]:
        with stream:
            name, columns, rows = None, [], []
            for n, line in enumerate(stream, start=2):
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    raise ValidationError(f"{path}: line {n} is damaged") from None
                if isinstance(item, dict):
                    if name is not None:
                        yield name, columns, rows
                    name, columns, rows = item["table"], item["columns"], []
                else:
                    rows.append(item)
            if name is not None:
                yield name, columns, rows

    return header, blocks()


def _non_empty_tables(conn: Connection) -> list[str]:
    return [t.name for t in tables() if conn.execute(select(func.count()).select_from(t)).scalar_one()]


def _insert(conn: Connection, table: Table, columns: list[str], rows: Iterable[list], path: Path) -> None:
    unknown = [c for c in columns if c not in table.columns]
    if unknown:
        raise ValidationError(f"{path}: table {table.name} has columns this version does not know: "
                              f"{', '.join(unknown)} (restore with the version that wrote the backup)")
    decoders = [_decoder(table.columns[c]) for c in columns]
    batch = []
    for row in rows:
        batch.append({c: (d(v) if d and v is not None else v) for c, d, v in zip(columns, decoders, row, strict=True)})
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences; after explicit ids they must continue after the highest one."""
    for table in tables():
        for column in table.primary_key.columns:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                highest = conn.execute(select(func.max(column))).scalar()
                conn.execute(text("SELECT setval(:s, :v, :called)"),
                             {"s": sequence, "v": highest or 1, "called": highest is not None})


def restore(engine: Engine, path: Path) -> dict[str, TableSummary]:
    """Load a backup into an empty database (schema created here), all or nothing; refuse a database with data."""
    path = Path(path)
    header, blocks = _read(path)
    migrate(engine)
    known = {t.name: t for t in tables()}
    newer = sorted(set(header["tables"]) - set(known))
    if newer:
        raise ValidationError(f"{path}: tables this version does not know: {', '.join(newer)} "
                              "(restore with the version that wrote the backup)")
    with engine.begin() as conn:
        filled = _non_empty_tables(conn)
        if filled:
            raise ValidationError(f"the database is not empty ({', '.join(filled[:5])}"
                                  f"{' …' if len(filled) > 5 else ''}); restore only into a new, empty database")
        for name, columns, rows in blocks:
            _insert(conn, known[name], columns, rows, path)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        restored = summarise(conn)
        for name, expected in header["tables"].items():
            got = restored[name]
            if (got.rows, got.sha256) != (expected["rows"], expected["sha256"]):
                raise ValidationError(f"{path}: table {name} does not match its checksum "
                                      f"({got.rows} rows read, {expected['rows']} expected); nothing restored")
    return restored
