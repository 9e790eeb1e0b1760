"""Warm script run of every page against its floor: a bare page with as many plotly charts and tables, same run.

The floor makes the figure hold on any machine: a page at 3× its floor is 3× on a fast laptop and on a loaded CI box.
Goal (DESIGN.md §5, issue 14): every page ≤ 150 ms warm and ≤ 4× its floor, as a reader and as an editor.

Usage: python scripts/bench_scripts.py [--runs 15] [--scale 1 10 100] [--as-of 2016-06-30 2017-03-15 2018-12-31]
                                       [--pages overview budget …]
``--scale N`` grows the seeded database N-fold (ledger, audit log, checklist runs, years of counts) first, with
scripts/scale_data.py; the time should grow at most logarithmically with N.
"""

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FLOOR_APP = '''
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
charts, tables = int(st.query_params.get("charts", "0")), int(st.query_params.get("tables", "0"))
st.title("Floor")
for i in range(charts):
    st.plotly_chart(go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])), theme=None, key=f"c{i}")
for i in range(tables):
    st.dataframe(pd.DataFrame({"a": range(10), "b": ["x"] * 10}))
'''


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _median_run(at, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _elements(at) -> tuple[int, int]:
    charts = len(at.get("plotly_chart"))
    tables = len(at.dataframe) + len(at.table) + len(at.get("arrow_data_frame"))
    return charts, tables


def _floor_ms(floor_file: Path, charts: int, tables: int, runs: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(floor_file), default_timeout=120)
    at.query_params["charts"], at.query_params["tables"] = str(charts), str(tables)
    at.run()
    return _median_run(at, runs)


def bench(pages: list, roles: list[str], runs: int, as_of: str | None, floor_file: Path) -> list[tuple]:
    from streamlit.testing.v1 import AppTest

    rows = []
    for spec in pages:
        for role in roles:
            if spec.role == "admin" and role != "admin" or spec.role == "editor" and role == "viewer":
                continue  # a reader is only told the page is for editors
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            if as_of:
                at.query_params["as_of"] = as_of
            if role != "viewer":
                at.session_state["actor"] = (f"bench.{role}", role)
            at.run()
            at.switch_page(spec.path).run()  # cold: caches fill
            if at.exception:
                raise SystemExit(f"{spec.key} as {role} raised: {at.exception}")
            page_ms = _median_run(at, runs)
            charts, tables = _elements(at)
            floor_ms = _floor_ms(floor_file, charts, tables, runs)
            rows.append((spec.key, role, as_of or "default", charts, tables, page_ms, floor_ms, page_ms / floor_ms))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=int, nargs="*", default=[1])
    parser.add_argument("--as-of", nargs="*", default=[None])
    parser.add_argument("--pages", nargs="*")
    parser.add_argument("--roles", nargs="*", default=["viewer", "editor"])
    args = parser.parse_args()

    from streamlit.logger import set_log_level

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES

    set_log_level("error")  # AppTest's bare-mode warnings are noise here
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)
    pages = [p for p in PAGES if not args.pages or p.key in args.pages]
    print(f"machine: {os.cpu_count()} cores; load: {uptime()}")
    print(f"{'scale':>5} {'page':<14} {'role':<7} {'as of':<10} {'charts':>6} {'tables':>6} "
          f"{'page ms':>8} {'floor ms':>8} {'ratio':>6}")
    for scale in args.scale:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            floor_file = tmp / "floor.py"
            floor_file.write_text(FLOOR_APP)
            os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
            engine = make_engine()
            init_database(engine)
            if scale > 1:
                from scripts.scale_data import grow

                grow(engine, scale)
            engine.dispose()
            for as_of in args.as_of:
                for row in bench(pages, args.roles, args.runs, as_of, floor_file):
                    key, role, when, charts, tables, page_ms, floor_ms, ratio = row
                    flag = "" if page_ms <= 150 and ratio <= 4 else "  over goal"
                    print(f"{scale:>4}× {key:<14} {role:<7} {when:<10} {charts:>6} {tables:>6} "
                          f"{page_ms:>8.1f} {floor_ms:>8.1f} {ratio:>6.2f}{flag}", flush=True)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
