"""How long a 50 000-row Beneficiary-Module-style export takes: read, classify, preview (plan) and save.

Floor: ≤ 5 s for the whole import (issue #13). Runs on a fresh SQLite file seeded with the plan and the example
counts; the export is invented (scripts/make_example_mobilities.py) and built in memory, never written to disk.
Prints CSV and XLSX figures, the second import of the same file (which changes nothing) and `uptime`.

    python scripts/bench_record_import.py [--rows 50000] [--repeat 3]
"""

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_example_mobilities import BM_COLUMNS, big_bm_export  # noqa: E402

from mobility import record_import as ri  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.plan import init_database  # noqa: E402
from mobility.service import Actor  # noqa: E402

FLOOR_S = 5.0
EDITOR = Actor("bench", "editor")


def as_xlsx(csv_bytes: bytes) -> bytes:
    """The same export as a workbook with shared strings, as Excel and the EU tools' exporters write it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in csv_bytes.decode("utf-8-sig").splitlines():
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one_import(data: bytes, filename: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        init_database(engine)
        profile = ri.get_profile("erasmus-bm")
        times = {}
        start = time.perf_counter()
        table = ri.read_table(data, filename)
        times["read"] = time.perf_counter() - start
        mark = time.perf_counter()
        classified = ri.classify(table, profile)
        del table
        times["classify"] = time.perf_counter() - mark
        mark = time.perf_counter()
        plan = ri.plan_classified(engine, classified, profile, filename=filename, sha256=ri.file_digest(data),
                                  lang="en")
        times["preview"] = time.perf_counter() - mark
        mark = time.perf_counter()
        ri.save_import(engine=engine, actor=EDITOR, plan=plan, confirm_hand_typed=True)
        times["save"] = time.perf_counter() - mark
        times["total"] = time.perf_counter() - start
        mark = time.perf_counter()
        again, summary = ri.import_mobilities(engine=engine, actor=EDITOR, data=data, filename=filename,
                                              profile=profile)
        times["again"] = time.perf_counter() - mark
        assert summary.written == 0, "the same file twice changed something"
        times["cells"] = len(plan.changes)
        engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = big_bm_export(args.rows)
    files = {"csv": data, "xlsx": as_xlsx(data)}
    print(f"{args.rows:,} mobilities, {len(BM_COLUMNS)} columns; floor {FLOOR_S:.1f} s for read+classify+preview+save")
    worst = 0.0
    for kind, payload in files.items():
        runs = [one_import(payload, f"export.{kind}") for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["total"])
        totals = ", ".join(f"{r['total']:.2f}" for r in runs)
        worst = max(worst, best["total"])
        print(f"  {kind:<4} {len(payload) / 1e6:5.1f} MB  read {best['read']:.2f} s  "
              f"classify {best['classify']:.2f} s  "
              f"preview {best['preview']:.2f} s  save {best['save']:.2f} s ({best['cells']} cells)  "
              f"total {best['total']:.2f} s (best of {args.repeat}; all: {totals})  "
              f"same file again {best['again']:.2f} s")
    print(f"{'OK' if worst <= FLOOR_S else 'OVER THE FLOOR'}: slowest format {worst:.2f} s vs floor {FLOOR_S:.1f} s")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
