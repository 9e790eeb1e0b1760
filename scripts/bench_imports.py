"""Benchmark every import at 50 000 rows, on SQLite and on PostgreSQL, each against its goal and a floor.

    python scripts/bench_imports.py [--rows 50000] [--no-postgres]

- **Record-level import** (issue 13): a Beneficiary-Module-style export of 50 000 mobilities (invented, built in
  memory by scripts/make_example_mobilities.py), as CSV and as XLSX, read + classified + previewed + saved on a
  fresh seeded database; goal ≤ 5 s. Floor: merely reading the same bytes (``csv.reader``; unzipping the sheet and
  finding its cells with one regular expression).
- **Counts** (issue 16): 50 000 changed count cells, as an editor imports them (read, check every row, one locked
  transaction with an audit entry per cell); goal ≤ 10 s. Floor: the same 50 000 rows by one bare executemany
  upsert (no reading, no checks, no audit).
- **Ledger** (issue 16): 50 000 new spending rows, the same way; goal ≤ 10 s. Floor: the same rows by one bare
  executemany INSERT.
- Each hostile file of the test corpus through the reader every import uses, with the limits of counts and ledger
  files and with those of a list of mobilities: time to refusal (goal ≤ 2 s).

``uptime`` is printed before and after: the machine is shared, and its load average says how far the figures are
stretched; the floor, measured in the same minute, is the fairer comparison. PostgreSQL comes from pgserver
(requirements-dev.txt), started in a temporary directory.
"""

import argparse
import csv
import io
import itertools
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

RECORD_GOAL, WRITE_GOAL, REFUSAL_GOAL = 5.0, 10.0, 2.0
TODAY = date(2026, 1, 1)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def verdict(seconds: float, goal: float) -> str:
    return f"goal ≤ {goal:g} s: {'ok' if seconds <= goal else 'OVER THE GOAL'}"


def clock(fn: Callable):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


# Files -------------------------------------------------------------------------------------------------------------
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


def as_xlsx(csv_bytes: bytes) -> bytes:
    """The same export as a workbook (openpyxl writes its strings inline; Excel puts them in a shared table)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in csv_bytes.decode("utf-8-sig").splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bare_read(data: bytes) -> int:
    """The floor of reading a file: every cell found, nothing checked or converted."""
    if data[:4] == b"PK\x03\x04":
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
        return len(re.findall(r"<c\b[^>]*?(?:/>|>.*?</c>)", xml, re.S))
    return sum(len(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# Databases ---------------------------------------------------------------------------------------------------------
class Databases:
    """Fresh, migrated and seeded databases of one kind: SQLite files, or databases on one PostgreSQL server."""

    def __init__(self, kind: str, tmp: Path):
        self.kind, self.tmp, self.server, self.made = kind, tmp, None, itertools.count(1)
        if kind == "PostgreSQL":
            import pgserver

            self.server = pgserver.get_server(tmp / "pg", cleanup_mode="stop")

    def fresh(self):
        from sqlalchemy import create_engine, text

        from mobility.db import make_engine
        from mobility.plan import init_database

        name = f"bench_{next(self.made)}"
        if self.server is None:
            url = f"sqlite:///{self.tmp / name}.db"
        else:
            base = self.server.get_uri().replace("postgresql://", "postgresql+psycopg://")
            admin = create_engine(base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
            url = self.server.get_uri(database=name).replace("postgresql://", "postgresql+psycopg://")
        engine = make_engine(url)
        init_database(engine)
        return engine

    def close(self) -> None:
        if self.server is not None:
            self.server.cleanup()


def bare_write(engine, table, rows: list[dict], *, upsert_on: list[str] | None = None) -> float:
    """One bare executemany of ``rows`` (an upsert when keyed), timed and rolled back."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    if upsert_on:
        statement = statement.on_conflict_do_update(
            index_elements=upsert_on, set_={c: statement.excluded[c] for c in rows[0] if c not in upsert_on})
    with engine.connect() as conn:
        transaction = conn.begin()
        seconds, _ = clock(lambda: conn.execute(statement, rows))
        transaction.rollback()
    return seconds


# Benchmarks --------------------------------------------------------------------------------------------------------
def record_import(databases: Databases, export: bytes, kind: str) -> None:
    from mobility import record_import as ri
    from mobility.service import Actor

    engine = databases.fresh()
    editor, name = Actor("bench.editor", "editor"), f"export.{kind.lower()}"
    profile = ri.get_profile("erasmus-bm")
    floor, _ = clock(lambda: bare_read(export))
    read, table = clock(lambda: ri.read_table(export, name))
    classify, classified = clock(lambda: ri.classify(table, profile))
    preview, plan = clock(lambda: ri.plan_classified(engine, classified, profile, filename=name,
                                                     sha256=ri.file_digest(export), lang="en"))
    save, summary = clock(lambda: ri.save_import(engine=engine, actor=editor, plan=plan, confirm_hand_typed=True))
    total = read + classify + preview + save
    print(f"  record import, {classified.rows:,} mobilities, {kind} {len(export) / 1e6:.1f} MB: {total:.2f} s "
          f"(read {read:.2f}, classify {classify:.2f}, preview {preview:.2f}, save {save:.2f}; "
          f"{summary.written} cells) · floor {floor:.2f} s (bare read) · {verdict(total, RECORD_GOAL)}")
    again, (_, unchanged) = clock(lambda: ri.import_mobilities(engine=engine, actor=editor, data=export,
                                                               filename=name, profile=profile))
    assert unchanged.written == 0, "the same file twice changed something"
    print(f"  record import, the same {kind} again (changes nothing): {again:.2f} s · {verdict(again, RECORD_GOAL)}")
    engine.dispose()


def counts_and_ledger(databases: Databases, rows: int) -> None:
    from sqlalchemy import select
    from sqlmodel import Session

    from mobility.counts import KEY_COLUMNS, import_counts, read_counts_file
    from mobility.models import Activity, MobilityCount, Spend
    from mobility.service import Actor, now
    from mobility.spending import import_spend

    engine = databases.fresh()
    editor, stamp = Actor("bench.editor", "editor"), now()
    first, second = counts_file(rows, 1), counts_file(rows, 2)
    seconds, summary = clock(lambda: import_counts(engine=engine, actor=editor, data=first, filename="a.csv"))
    print(f"  counts, {summary.added + summary.changed:,} new cells: {seconds:.2f} s · {verdict(seconds, WRITE_GOAL)}")
    seconds, summary = clock(lambda: import_counts(engine=engine, actor=editor, data=second, filename="b.csv"))
    cells = [{**dict(zip(KEY_COLUMNS, c.key, strict=True)), "count": c.count + 1, "source": "import", "note": "",
              "updated_by": "bench", "updated_at": stamp} for c in read_counts_file(second)]
    floor = bare_write(engine, MobilityCount.__table__, cells, upsert_on=list(KEY_COLUMNS))
    print(f"  counts, {summary.changed:,} changed cells: {seconds:.2f} s · floor {floor:.2f} s (bare executemany "
          f"upsert of the same rows) · {verdict(seconds, WRITE_GOAL)}")

    ledger = ledger_file(rows)
    with Session(engine) as session:
        codes = dict(session.execute(select(Activity.code, Activity.id)).all())
    entries = [{"activity_id": codes[r["activity"]], "spent_on": date.fromisoformat(r["date"]), "amount_ore": 100,
                "description": r["description"], "reference": r["reference"], "source": "import",
                "entered_by": "bench", "entered_at": stamp}
               for r in csv.DictReader(io.StringIO(ledger.decode()))]
    floor = bare_write(engine, Spend.__table__, entries)
    seconds, result = clock(lambda: import_spend(engine=engine, actor=editor, data=ledger, filename="l.csv", lang="en",
                                                 today=TODAY))
    print(f"  ledger, {len(result.rows):,} new rows: {seconds:.2f} s · floor {floor:.2f} s (bare executemany INSERT "
          f"of the same rows) · {verdict(seconds, WRITE_GOAL)}")
    engine.dispose()


def tiny_cells(rows: int = 90_000, columns: int = 50) -> bytes:
    """A workbook within a list of mobilities' size limits but over its cell limit (9 MB, 120 MB unpacked)."""
    from openpyxl.utils import get_column_letter

    from tests.hostile_files import _patched, _sheet, _workbook

    letters = [get_column_letter(i) for i in range(1, columns + 1)]

    def body():
        yield ('<row r="1">' + "".join(f'<c r="{c}1" t="inlineStr"><is><t>h{c}</t></is></c>' for c in letters)
               + "</row>").encode()
        for n in range(2, rows + 1):
            yield (f'<row r="{n}">' + "".join(f'<c r="{c}{n}"><v>1</v></c>' for c in letters) + "</row>").encode()

    return _patched(_workbook([["h"]]), "xl/worksheets/sheet1.xml",
                    lambda stream: _sheet(stream, f"A1:{letters[-1]}{rows}", body()))


def hostile() -> None:
    """Each hostile file of the test corpus through the reader every import uses: time to refusal, with the limits
    of counts and ledger files and with those of a list of mobilities (wider; a control character is allowed)."""
    from mobility import files
    from mobility import record_import as ri
    from mobility.service import ValidationError
    from tests.hostile_files import corpus

    def refusal(read) -> str:
        started = time.perf_counter()
        try:
            read()
            outcome = "ACCEPTED"
        except ValidationError as exc:
            outcome = exc.problems[0]
        seconds = time.perf_counter() - started
        return f"{seconds:.2f} s ({'ok' if seconds <= REFUSAL_GOAL else 'OVER THE GOAL'}) – {outcome}"

    print(f"hostile files through the reader of every import (goal ≤ {REFUSAL_GOAL:g} s), as a counts or ledger file "
          "| as a list of mobilities:")
    for name, data in [*((n, d) for n, (d, _) in corpus().items()), ("4 500 000 tiny cells", tiny_cells())]:
        filename = "export.xlsx" if data[:4] == b"PK\x03\x04" else "export.csv"
        print(f"  {name}: {refusal(lambda data=data: files.read_table(data))} "
              f"| {refusal(lambda data=data, filename=filename: ri.read_table(data, filename))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="mobilities, count cells and ledger rows")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    from make_example_mobilities import big_bm_export

    from mobility.i18n import strings

    strings()  # the messages, loaded once as in a running app
    print("uptime:", uptime())
    export = big_bm_export(args.rows)
    exports = {"CSV": export, "XLSX": as_xlsx(export)}
    hostile()
    tmp = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    try:
        for kind in ("SQLite", *(() if args.no_postgres else ("PostgreSQL",))):
            databases = Databases(kind, tmp)
            try:
                print(f"{kind} (uptime: {uptime()}):")
                for file_kind, data in exports.items():
                    record_import(databases, data, file_kind)
                counts_and_ledger(databases, args.rows)
            finally:
                databases.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("uptime:", uptime())


if __name__ == "__main__":
    main()
