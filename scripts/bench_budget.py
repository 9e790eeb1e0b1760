"""Benchmark the budget page: 50 000 ledger entries, then the warm script run (cached reads) in milliseconds.

    python scripts/bench_budget.py [--rows 50000] [--runs 15]

Times ``AppTest.run()`` of the budget page, which is the script run plus AppTest's own bookkeeping, so the figures
are an upper bound. Also prints the first run (the viewer's fills the cache) and the plain report query.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seed_ledger(engine, rows: int) -> None:
    from sqlalchemy import insert, select

    from mobility.models import Activity, Spend
    from mobility.service import now

    with engine.begin() as conn:
        ids = conn.execute(select(Activity.id)).scalars().all()
        rng, at, start = random.Random(4), now(), date(2016, 1, 1)
        conn.execute(insert(Spend), [
            {"activity_id": rng.choice(ids), "spent_on": start + timedelta(days=rng.randrange(730)),
             "amount_ore": rng.randrange(-50_000, 2_000_000), "description": f"Bench {n}", "reference": f"B-{n}",
             "source": "import", "entered_by": "bench", "entered_at": at}
            for n in range(rows)
        ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-budget-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"

    from streamlit import config as st_config
    from streamlit.testing.v1 import AppTest

    from mobility.budget import budget_report
    from mobility.db import make_engine
    from mobility.plan import init_database

    engine = make_engine()
    init_database(engine)
    seed_ledger(engine, args.rows)
    started = time.perf_counter()
    budget_report(engine, as_of=date(2018, 12, 31))
    report_ms = 1000 * (time.perf_counter() - started)
    (tmp / "secrets.toml").write_text("")
    st_config.set_option("secrets.files", [str(tmp / "secrets.toml")])

    print(f"ledger rows: {args.rows + 25} (incl. 25 example), budget_report query: {report_ms:.0f} ms")
    for who, actor in [("viewer", None), ("editor", ("bench.editor", "editor"))]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if actor:
            at.session_state["actor"] = actor
        at.run()
        at.switch_page("pages/budget.py")
        started = time.perf_counter()
        at.run()
        cold = 1000 * (time.perf_counter() - started)
        assert not at.exception, at.exception
        warm = []
        for _ in range(args.runs):
            started = time.perf_counter()
            at.run()
            warm.append(1000 * (time.perf_counter() - started))
        print("  warm runs (ms):", " ".join(f"{w:.0f}" for w in warm))
        print(f"budget page, {who}: first run {cold:.0f} ms; warm median {statistics.median(warm):.0f} ms, "
              f"min {min(warm):.0f} ms, max {max(warm):.0f} ms ({args.runs} runs; goal ≤ 150 ms)")


if __name__ == "__main__":
    main()
