"""Benchmark the imports: 50 000 changed count cells and 50 000 new ledger rows, on SQLite and on PostgreSQL.

    python scripts/bench_imports.py [--cells 50000] [--rows 50000] [--no-postgres]

Each figure is the whole import as an editor runs it (read the file, check every row, write in one locked
transaction with an audit entry per change), against the goal of ≤ 10 s. PostgreSQL comes from pgserver
(requirements-dev.txt), started in a temporary directory.
"""

import argparse
import csv
import io
import itertools
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 10.0


def counts_file(n: int, bump: int) -> bytes:
    """``n`` distinct cells (years from 2000 on), each count = its position + ``bump``."""
    from mobility.counts import DIRECTIONS, FACULTIES, GROUPS, LEVELS, PROGRAMMES, TERMS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", "term", "group", "direction", "programme", "level", "faculty", "count", "note"])
    cells = itertools.product(range(2000, 2101), TERMS, GROUPS, DIRECTIONS, PROGRAMMES, LEVELS, FACULTIES)
    for i, cell in enumerate(itertools.islice(cells, n)):
        writer.writerow([*cell, (i % 1000) + bump, ""])
    return out.getvalue().encode()


def ledger_file(n: int) -> bytes:
    codes = ["A1", "A2", "A3", "B2", "B9", "C1", "D2", "IBS"]
    rng, start = random.Random(7), date(2016, 1, 1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "activity", "amount_sek", "description", "reference"])
    for i in range(n):
        writer.writerow([(start + timedelta(days=rng.randrange(700))).isoformat(), rng.choice(codes),
                         f"{rng.randrange(1, 90_000)},{rng.randrange(100):02d}", f"Bench entry {i}", f"BENCH-{i}"])
    return out.getvalue().encode()


def timed(label: str, fn) -> float:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    verdict = "ok" if seconds <= GOAL_SECONDS else "OVER THE GOAL"
    print(f"  {label}: {seconds:.2f} s (goal ≤ {GOAL_SECONDS:.0f} s: {verdict})  → {result}")
    return seconds


def run(url: str, name: str, cells: int, rows: int) -> None:
    from mobility.counts import import_counts
    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.service import Actor
    from mobility.spending import import_spend

    engine = make_engine(url)
    init_database(engine)
    editor = Actor("bench.editor", "editor")
    first, second = counts_file(cells, 1), counts_file(cells, 2)
    print(f"{name}:")
    timed(f"counts, {cells} new cells", lambda: import_counts(engine=engine, actor=editor, data=first,
                                                             filename="a.csv"))
    timed(f"counts, {cells} changed cells", lambda: import_counts(engine=engine, actor=editor, data=second,
                                                                 filename="b.csv"))
    ledger = ledger_file(rows)
    timed(f"spending, {rows} new ledger rows",
          lambda: len(import_spend(engine=engine, actor=editor, data=ledger, filename="l.csv", lang="en",
                                   today=date(2026, 1, 1)).rows))
    engine.dispose()


def hostile() -> None:
    """Each hostile file of the test corpus through the reader both imports use: time to refusal (goal ≤ 2 s)."""
    from mobility.files import read_table
    from mobility.service import ValidationError
    from tests.hostile_files import corpus

    print("hostile files (refusal time, goal ≤ 2 s):")
    for name, (data, _expected) in corpus().items():
        started = time.perf_counter()
        try:
            read_table(data)
            outcome = "ACCEPTED"
        except ValidationError as exc:
            outcome = exc.problems[0]
        seconds = time.perf_counter() - started
        print(f"  {name}: {seconds:.2f} s ({'ok' if seconds <= 2 else 'OVER THE GOAL'}) – {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    hostile()
    tmp = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    try:
        run(f"sqlite:///{tmp / 'bench.db'}", "SQLite", args.cells, args.rows)
        if not args.no_postgres:
            import pgserver

            server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")
            try:
                run(server.get_uri().replace("postgresql://", "postgresql+psycopg://"), "PostgreSQL",
                    args.cells, args.rows)
            finally:
                server.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
