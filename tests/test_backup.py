"""Backups: `backup FILE` then `restore FILE` into an empty database loses nothing, on SQLite and PostgreSQL."""

import itertools
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from mobility import backup
from mobility.activities import activity_detail, set_status
from mobility.db import make_engine, migrate
from mobility.example_data import EXAMPLE_STATUS_HISTORY
from mobility.plan import init_database
from mobility.service import ValidationError
from mobility.spending import add_spend
from tests.conftest import EDITOR, ROOT

_names = itertools.count(1)


def _edit(engine) -> None:
    """Some work of an editor's on top of the seed: a status with a comment and a spend with Swedish letters."""
    version = activity_detail(engine, "A1")["version"]
    set_status(engine=engine, actor=EDITOR, code="A1", status="ongoing", comment="Startat – möte i Östersund",
               expected_version=version)
    add_spend(engine=engine, actor=EDITOR, spent_on=date(2017, 3, 1), activity="B2", amount="12 500,50",
              description="Resa", reference="VER-4711", today=date(2017, 3, 2))


def _round_trip(source, empty, tmp_path: Path, name: str) -> None:
    _edit(source)
    file = tmp_path / name
    written = backup.backup(source, file)
    restored = backup.restore(empty, file)
    assert restored == written
    with source.connect() as a, empty.connect() as b:
        assert backup.summarise(a) == backup.summarise(b)
    assert written["spend"].rows == 26 and written["statuschange"].rows == len(EXAMPLE_STATUS_HISTORY) + 1
    assert activity_detail(empty, "A1")["status"] == "ongoing"
    # The restored database takes new writes: ids continue after the restored ones.
    add_spend(engine=empty, actor=EDITOR, spent_on=date(2017, 3, 3), activity="B2", amount="100",
              reference="VER-4712", today=date(2017, 3, 4))


def test_every_table_of_the_migrated_schema_is_backed_up(engine):
    """A table a migration creates is in the backup, so a new domain's table (uploaded files…) is never left out."""
    in_database = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert in_database == {t.name for t in backup.tables()}


def test_a_sqlite_round_trip_keeps_every_row_and_checksum(engine, tmp_path):
    """Backup (gzip), restore into a new file: same rows and checksums per table; the copy works and takes writes."""
    empty = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    _round_trip(engine, empty, tmp_path, "nightly.jsonl.gz")


def test_restore_refuses_a_database_with_data_and_changes_nothing(engine, tmp_path):
    """Restoring over a working database would mix two histories: refused, with the tables that hold data."""
    file = tmp_path / "b.jsonl"
    backup.backup(engine, file)
    _edit(engine)
    with engine.connect() as conn:
        before = backup.summarise(conn)
    with pytest.raises(ValidationError, match="not empty"):
        backup.restore(engine, file)
    with engine.connect() as conn:
        assert backup.summarise(conn) == before


def test_a_damaged_backup_restores_nothing(engine, tmp_path):
    """One changed value fails its table's checksum; the restore is rolled back as a whole."""
    file = tmp_path / "b.jsonl"
    backup.backup(engine, file)
    file.write_text(file.read_text(encoding="utf-8").replace("Identifiera", "Identifierа", 1), encoding="utf-8")
    empty = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    with pytest.raises(ValidationError, match="checksum"):
        backup.restore(empty, file)
    with empty.connect() as conn:
        assert all(s.rows == 0 for s in backup.summarise(conn).values())


def test_the_cli_backs_up_and_restores_and_refuses_in_one_line(engine, db_url, tmp_path):
    """`backup FILE`, `restore FILE` into a new database (exit 0), again (exit 2, one line), a non-backup (exit 2)."""
    def run(*args, url):
        return subprocess.run([sys.executable, "-m", "mobility", *args], cwd=ROOT, capture_output=True, text=True,
                              env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=120)

    file = tmp_path / "b.jsonl.gz"
    assert run("backup", str(file), url=db_url).returncode == 0
    new_url = f"sqlite:///{tmp_path / 'new.db'}"
    first = run("restore", str(file), url=new_url)
    assert first.returncode == 0 and "matches its checksum" in first.stdout
    again = run("restore", str(file), url=new_url)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "not empty" in again.stderr
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    other = run("restore", str(bogus), url=f"sqlite:///{tmp_path / 'other.db'}")
    assert other.returncode == 2 and "not a mobility backup" in other.stderr


# PostgreSQL (pgserver) ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pg_server():
    pgserver = pytest.importorskip("pgserver", reason="pgserver not installed (pip install -r requirements-dev.txt)")
    data = Path(tempfile.mkdtemp(prefix="mobility-pg-backup-"))  # outside pytest's basetemp, see test_postgres.py
    server = pgserver.get_server(data, cleanup_mode="stop")
    yield server
    server.cleanup()
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def pg_database(pg_server):
    """``pg_database()`` → an engine on a new, empty PostgreSQL database (dropped afterwards)."""
    admin = create_engine(pg_server.get_uri().replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")
    made = []

    def new():
        name = f"backup_{next(_names)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append((name, make_engine(pg_server.get_uri(database=name))))
        return made[-1][1]

    yield new
    for name, eng in made:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_postgresql_round_trip_keeps_every_row_and_checksum(pg_database, tmp_path):
    """Backup from PostgreSQL, restore into a new PostgreSQL database: same checksums; sequences continue."""
    source = pg_database()
    init_database(source)
    _round_trip(source, pg_database(), tmp_path, "pg.jsonl")


def test_a_sqlite_backup_restores_into_postgresql(engine, pg_database, tmp_path):
    """Moving from the embedded SQLite file to PostgreSQL is a backup and a restore."""
    target = pg_database()
    migrate(target)
    backup.backup(engine, tmp_path / "move.jsonl")
    restored = backup.restore(target, tmp_path / "move.jsonl")
    assert restored["activity"].rows == 28 and restored["mobilitycount"].rows > 0
