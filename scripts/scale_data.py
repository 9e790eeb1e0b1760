"""Grow a seeded database N-fold for benchmarks: the tables that grow with use, written in bulk.

At 100×: 50 000 ledger rows, 100 000 audit entries, 1 000 checklist runs and 20 years of counts — the "at scale"
figures of issue 14. Rows are marked as benchmark data (descriptions, actors) and never used outside benchmarks.

Usage: python scripts/scale_data.py FACTOR   (on the database in DATABASE_URL)
"""

import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEDGER_PER_FACTOR = 500
AUDIT_PER_FACTOR = 1_000
RUNS_PER_FACTOR = 10
ITEMS_PER_RUN = 8


def _rows(model, objects) -> list[dict]:
    """Model instances → dicts with every default filled in, for one bulk INSERT."""
    return [o.model_dump(exclude={"id"}) for o in objects]


def _bulk(conn, model, objects, chunk: int = 5_000) -> None:
    rows = _rows(model, objects)
    for i in range(0, len(rows), chunk):
        conn.execute(insert(model), rows[i:i + chunk])


def grow(engine: Engine, factor: int, *, seed: int = 1) -> dict[str, int]:
    from mobility.counts import GROUPS, PROGRAMMES
    from mobility.models import (
        Activity,
        AuditEntry,
        ChecklistRun,
        ChecklistRunItem,
        ChecklistTemplate,
        MobilityCount,
        Spend,
    )

    rnd = random.Random(seed)
    at = datetime(2018, 12, 31, tzinfo=UTC)
    added = {}
    with engine.begin() as conn:
        activity_ids = conn.execute(select(Activity.id)).scalars().all()
        template_ids = conn.execute(select(ChecklistTemplate.id)).scalars().all()
        first_year = conn.execute(select(func.min(MobilityCount.year))).scalar() or 2014

        n = LEDGER_PER_FACTOR * factor
        _bulk(conn, Spend, (
            Spend(activity_id=rnd.choice(activity_ids), spent_on=date(2016, 1, 1) + timedelta(days=rnd.randrange(1095)),
                  amount_ore=rnd.randrange(1, 5_000) * 100, description=f"bench row {i}", reference=f"BENCH-{i}",
                  source="import", entered_by="bench", entered_at=at)
            for i in range(n)))
        added["spend"] = n

        n = AUDIT_PER_FACTOR * factor
        _bulk(conn, AuditEntry, (
            AuditEntry(at=at - timedelta(minutes=i), actor="bench", action="set_count", entity="mobility_count",
                       entity_key=f"bench {i}", before='{"count": 1}', after='{"count": 2}')
            for i in range(n)))
        added["auditentry"] = n

        n = RUNS_PER_FACTOR * factor
        for i in range(n):
            run_id = conn.execute(insert(ChecklistRun).returning(ChecklistRun.id), _rows(ChecklistRun, [ChecklistRun(
                template_id=rnd.choice(template_ids), version_number=1, version_status="published",
                label=f"bench run {i}", reference_date=date(2016, 1, 1) + timedelta(days=rnd.randrange(1095)),
                status=rnd.choice(("open", "completed")), started_at=at, started_by="bench",
                completed_at=at, completed_by="bench")])).scalar_one()
            _bulk(conn, ChecklistRunItem, (
                ChecklistRunItem(run_id=run_id, position=p, text_sv=f"punkt {p}", text_en=f"item {p}")
                for p in range(ITEMS_PER_RUN)))
        added["checklistrun"] = n

        years = [first_year - k for k in range(1, min(20, 5 * factor) - 4)] if factor > 1 else []
        _bulk(conn, MobilityCount, (
            MobilityCount(year=year, term=term, group=group, direction=direction, programme=programme,
                          count=rnd.randrange(0, 40), source="import", updated_by="bench", updated_at=at)
            for year in years for term in ("VT", "HT") for group in GROUPS for direction in ("in", "out")
            for programme in PROGRAMMES))
        added["years_of_counts_added"] = len(years)
    from mobility.service import SYSTEM, write_transaction

    with write_transaction(engine, SYSTEM):  # a new data version, as after any write
        pass
    return added


if __name__ == "__main__":
    from mobility.db import make_engine

    print(grow(make_engine(), int(sys.argv[1])))
