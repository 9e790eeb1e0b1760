"""Example data: rows whose ``source`` is ``example`` are shipped so a newcomer sees a living dashboard.

Any table with a ``source`` column takes part, so a new domain needs no change here.
"""

from sqlalchemy import Engine, delete, func, select
from sqlmodel import SQLModel

from mobility.service import Actor, audit, audit_many, write_transaction

EXAMPLE = "example"


def _tables_with_source():
    return [t for t in SQLModel.metadata.sorted_tables if "source" in t.c]


def example_counts(engine: Engine) -> dict[str, int]:
    """How many example rows each table holds (tables without any are left out)."""
    with engine.connect() as conn:
        found = {t.name: conn.execute(select(func.count()).where(t.c.source == EXAMPLE)).scalar_one()
                 for t in _tables_with_source()}
    return {name: n for name, n in found.items() if n}


def _dependents(table):
    """(child table, its foreign-key column) for rows without a ``source`` of their own that belong to ``table``'s
    rows, e.g. a checklist run's items."""
    return [(child, fk.parent) for child in SQLModel.metadata.sorted_tables if "source" not in child.c
            for fk in child.foreign_keys if fk.column.table is table]


def remove_example_data(*, engine: Engine, actor: Actor) -> dict[str, int]:
    """Delete every example row in one transaction (editors only); returns rows removed per table.

    Each removed row has its own audit entry holding what it was, so the change log can tell what went.
    """
    from mobility.activities import refresh_latest_status

    removed, entries = {}, []
    with write_transaction(engine, actor) as session:
        for table in reversed(_tables_with_source()):
            rows = session.execute(select(table).where(table.c.source == EXAMPLE)).mappings().all()
            if not rows:
                continue
            examples = select(table.c.id).where(table.c.source == EXAMPLE)
            for child, column in _dependents(table):  # e.g. a run's items: they go with their run
                session.execute(delete(child).where(column.in_(examples)))
            session.execute(delete(table).where(table.c.source == EXAMPLE))
            removed[table.name] = len(rows)
            entity = _ENTITY.get(table.name, table.name)
            entries += [{"action": "remove_example", "entity": entity, "key": _row_key(table, row),
                         "before": {k: v for k, v in row.items() if k != "id"}} for row in rows]
        refresh_latest_status(session)  # example status history removed: the latest status is what is left
        audit_many(session, actor, entries)
    return removed


_ENTITY = {"mobilitycount": "count"}  # the names the rest of the audit log uses


def _row_key(table, row) -> str:
    """How the change log names a row: its natural key where it has one (a voucher, a count cell), else its id."""
    if "reference" in table.c and row["reference"]:
        return str(row["reference"])
    if table.name == "mobilitycount":
        from mobility.counts import KEY_COLUMNS, cell_label

        return cell_label(tuple(row[c] for c in KEY_COLUMNS))
    return str(row.get("id", ""))


def seed_once(engine: Engine, name: str, seed) -> bool:
    """Run ``seed(session)`` in one system transaction unless a seed called ``name`` ran before. True if it ran."""
    from mobility.models import SeedMark
    from mobility.service import SYSTEM, now

    with engine.connect() as conn:
        if conn.execute(select(SeedMark.name).where(SeedMark.name == name)).first():
            return False
    with write_transaction(engine, SYSTEM) as session:
        seed(session)
        session.add(SeedMark(name=name, at=now()))
        audit(session, SYSTEM, action="seed_example", entity="example", key=name)
    return True
