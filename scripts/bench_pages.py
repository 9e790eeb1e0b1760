"""Warm script-run time of each page on the seeded database, at three as-of dates (goal ≤ 150 ms, DESIGN.md §5).

Usage: python scripts/bench_pages.py [runs]   — prints the median and worst of ``runs`` warm runs per page and date.

Each date is first opened once (its cached queries fill, as when a reader moves the "Per datum"), then timed warm.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR_MS = 150
DATES = ("2016-06-30", "2017-03-15", None)  # None: the default (today while the plan runs, else its last day)


def main(runs: int = 15) -> None:
    import logging

    from streamlit.testing.v1 import AppTest

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's bare-mode warnings are noise here
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.db"
        init_database(make_engine())
        names = [d or "default" for d in DATES]
        print(f"{'page':<14} " + " ".join(f"{n + ' med/worst ms':>26}" for n in names) + f"   (floor {FLOOR_MS} ms)")
        over = []
        for spec in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.session_state["actor"] = ("bench", "admin")
            at.run()
            at.switch_page(spec.path).run()
            cells = []
            for day in DATES:
                if day:
                    at.query_params["as_of"] = day
                else:
                    at.query_params.pop("as_of", None)
                at.run()  # the date's first run: its caches fill
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    at.run()
                    times.append((time.perf_counter() - start) * 1000)
                assert not at.exception, at.exception
                median = statistics.median(times)
                if median > FLOOR_MS:
                    over.append(f"{spec.key}@{day or 'default'}")
                cells.append(f"{median:>12.1f} / {max(times):>8.1f}")
            print(f"{spec.key:<14} " + " ".join(f"{c:>26}" for c in cells))
        print("over the floor: " + (", ".join(over) or "none"))
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
