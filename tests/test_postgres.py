"""The same code on a real PostgreSQL (pgserver runs one without root): migrations, seed, a write, the audit log."""

from datetime import date

import pytest

from mobility.activities import activity_detail, set_status
from mobility.audit import audit_entries
from mobility.cli import activities_json
from mobility.db import make_engine
from mobility.plan import init_database
from tests.conftest import EDITOR

pgserver = pytest.importorskip("pgserver", reason="pgserver not installed (pip install -r requirements-dev.txt)")


@pytest.fixture(scope="module")
def pg_engine(tmp_path_factory):
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    engine = make_engine(server.get_uri().replace("postgresql://", "postgresql+psycopg://"))
    init_database(engine)
    yield engine
    engine.dispose()
    server.cleanup()


def test_the_plan_loads_into_postgresql_once(pg_engine):
    """Same 28 activities and 1 560 500 kr as on SQLite, and a second start-up seeds nothing."""
    init_database(pg_engine)
    rows = activities_json(pg_engine, date(2026, 11, 28))
    assert len(rows) == 28 and sum(r["budget_sek"] or 0 for r in rows) == 1_560_500


def test_a_status_write_and_its_audit_entry_on_postgresql(pg_engine):
    """The service layer's transaction, version check and audit work the same way."""
    set_status(engine=pg_engine, actor=EDITOR, code="D2", status="ongoing", comment="pg", expected_version=1)
    assert activity_detail(pg_engine, "D2")["status"] == "ongoing"
    assert audit_entries(pg_engine, action="set_status").iloc[0].entity_key == "D2"
