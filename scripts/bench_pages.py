"""Warm script-run time of each page on the seeded database (goal ≤ 150 ms, DESIGN.md §5).

Usage: python scripts/bench_pages.py [runs]   — prints the median and worst of ``runs`` warm runs per page.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(runs: int = 15) -> None:
    import logging

    from streamlit.testing.v1 import AppTest

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings are noise here
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        init_database(make_engine())
        print(f"{'page':<14} {'median ms':>10} {'worst ms':>9}")
        for spec in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.session_state["actor"] = ("bench", "admin")
            at.run()
            at.switch_page(spec.path).run()  # cold: caches fill
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - start) * 1000)
            assert not at.exception, at.exception
            print(f"{spec.key:<14} {statistics.median(times):>10.1f} {max(times):>9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
