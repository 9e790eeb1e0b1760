"""Benchmark: the targets page's warm script run with 20 years of counts in every dimension.

    /work/venv/bin/python scripts/bench_targets.py [--runs 20]

Fills a fresh SQLite file with every cell of 20 years × 3 terms × 3 groups × 2 directions × 9 programmes
× 4 levels × 4 faculties (51 840 cells), then prints the time of the page's data query (cold, uncached) and of
whole script runs of the page under AppTest (the first, cold; then warm runs: cached on the data version).
The goal (DESIGN.md §5) is a warm run ≤ 150 ms.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def fill(engine) -> int:
    from sqlalchemy import insert

    from mobility.counts import DIRECTIONS, FACULTIES, GROUPS, LEVELS, PROGRAMMES, TERMS
    from mobility.examples import remove_example_data
    from mobility.models import MobilityCount
    from mobility.service import SYSTEM, now, write_transaction

    remove_example_data(engine=engine, actor=SYSTEM)
    stamp = now()
    rows = [
        {"year": y, "term": term, "group": g, "direction": d, "programme": p, "level": lvl, "faculty": f,
         "count": (y * 7 + i) % 40, "source": "import", "note": "", "updated_by": "bench", "updated_at": stamp}
        for i, (y, term, g, d, p, lvl, f) in enumerate(
            product(range(1999, 2019), TERMS, GROUPS, DIRECTIONS, PROGRAMMES, LEVELS, FACULTIES))
    ]
    with write_transaction(engine, SYSTEM) as session:
        session.execute(insert(MobilityCount), rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-targets-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"

    from streamlit.testing.v1 import AppTest

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.targets import targets_page

    engine = make_engine()
    init_database(engine)
    n = fill(engine)
    print(f"cells: {n:,}".replace(",", " "))

    timings = []
    for academic in (False, True):
        start = time.perf_counter()
        targets_page(engine, as_of=date(2018, 12, 31), academic=academic)
        timings.append((time.perf_counter() - start) * 1000)
    print(f"data query, uncached (calendar / academic): {timings[0]:.0f} ms / {timings[1]:.0f} ms")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    start = time.perf_counter()
    at.switch_page("pages/targets.py").run()
    cold = (time.perf_counter() - start) * 1000
    assert not at.exception, at.exception
    warm = []
    for _ in range(args.runs):
        start = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - start) * 1000)
    assert not at.exception, at.exception
    print(f"targets page script run, first (cold cache): {cold:.0f} ms")
    print(f"targets page script run, warm: median {statistics.median(warm):.0f} ms, "
          f"min {min(warm):.0f} ms, max {max(warm):.0f} ms over {args.runs} runs (goal ≤ 150 ms)")


if __name__ == "__main__":
    main()
