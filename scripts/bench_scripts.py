"""Warm script run of every page against its floor: a bare page with as many plotly charts and tables, same run.

The floor makes the figure hold on any machine: a page at 3× its floor is 3× on a fast laptop and on a loaded CI box.
Page and floor run by turns (page, floor, page, …), so a burst of load on a shared machine hits both.
Goal (DESIGN.md §5, issue 14): every page ≤ 150 ms warm and ≤ 4× its floor, as a reader and as an editor.

Usage: python scripts/bench_scripts.py [--runs 15] [--scale 1 10 100] [--as-of 2016-06-30 2017-03-15 2018-12-31]
                                       [--pages overview budget …]
``--scale N`` grows the seeded database N-fold (ledger, audit log, checklist runs, years of counts) first, with
scripts/scale_data.py; the time should grow at most logarithmically with N.

A real server compiles each script once and keeps its bytecode (Streamlit's ScriptCache); AppTest compiles app.py
and the page again on every run. The runs here share one ScriptCache, as a server does, for the page and for its
floor alike; the "compile" column says what AppTest would add per run (``--recompile`` measures that way instead).
"""

import argparse
import gc
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
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


@contextmanager
def routed_through_app_py():
    """AppTest runs go through app.py's ``st.navigation`` only, as every run on the server does
    (``startup.route_through_app_py``). With a ``pages/`` folder beside the entrypoint, Streamlit's legacy routing
    builds a page list from the folder (``script_runner._mpa_v1``: a Page object per file, a second navigation
    message) and runs a switched-to page straight from its file, skipping the router; ``st.navigation`` switches it
    off for the process, and AppTest switches it on again before every run. Also the test suite's way (conftest)."""
    from streamlit.runtime.pages_manager import PagesManager

    made = PagesManager.__init__

    def routed(self, *args, **kwargs):
        made(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # as after a server's first run of app.py

    PagesManager.__init__ = routed
    try:
        yield
    finally:
        PagesManager.__init__ = made


@contextmanager
def server_like_runs(enabled: bool = True):
    """Run scripts as a warm server does, not as AppTest does on every run:

    - keep compiled scripts between runs (a server's ScriptCache; AppTest makes a new one per run);
    - route through app.py's ``st.navigation`` only (``routed_through_app_py``);
    - leave what the process has loaded out of the garbage collector's full collections, as the server's start-up
      does (``startup.prepare_process``: the app's modules imported, then ``gc.freeze()``): without it every full
      collection walks plotly, pandas and Streamlit again (~4 ms of the overview's profiled run).
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    from mobility.ui.startup import import_app_modules

    if not enabled:
        yield
        return
    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    import_app_modules()
    gc.freeze()
    try:
        with routed_through_app_py():
            yield
    finally:
        gc.unfreeze()
        app_test.ScriptCache, local_script_runner.ScriptCache = saved


def compile_ms(*paths: Path) -> float:
    """What compiling (with Streamlit's magic) these scripts costs: paid on every AppTest run, once by a server."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    start = time.perf_counter()
    for path in paths:
        ScriptCache().get_bytecode(str(path))
    return (time.perf_counter() - start) * 1000


def quiet_streamlit() -> None:
    """AppTest's bare-mode warnings ("missing ScriptRunContext") are noise here."""
    from streamlit.logger import set_log_level

    set_log_level("error")
    for name in [n for n in logging.root.manager.loggerDict if n.startswith("streamlit")]:
        logging.getLogger(name).setLevel(logging.ERROR)


def _median_run(at, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _elements(at) -> tuple[int, int]:
    charts = len(at.get("plotly_chart"))
    from mobility.ui.drawn import TABLE_CLASS

    read = sum(f'class="{TABLE_CLASS}"' in h.value for h in at.html)  # drawn.table: a table to read, as HTML
    tables = len(at.dataframe) + len(at.table) + len(at.get("arrow_data_frame")) + read
    return charts, tables


def _floor_app(floor_file: Path, charts: int, tables: int):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(floor_file), default_timeout=120)
    at.query_params["charts"], at.query_params["tables"] = str(charts), str(tables)
    at.run()
    return at


def _paired_medians(page, floor, runs: int) -> tuple[float, float]:
    """Page and floor run by turns, so both see the same load on a shared machine."""
    page_times, floor_times = [], []
    for _ in range(runs):
        page_times.append(_median_run(page, 1))
        floor_times.append(_median_run(floor, 1))
    return statistics.median(page_times), statistics.median(floor_times)


def bench(pages: list, roles: list[str], runs: int, as_of: str | None, floor_file: Path):
    """Yield one row per page and role: its median warm run, its elements, its floor, the ratio, compile ms."""
    from streamlit.testing.v1 import AppTest

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
            charts, tables = _elements(at)
            page_ms, floor_ms = _paired_medians(at, _floor_app(floor_file, charts, tables), runs)
            compiled = compile_ms(ROOT / "app.py", ROOT / spec.path)
            yield (spec.key, role, as_of or "default", charts, tables, page_ms, floor_ms, page_ms / floor_ms,
                   compiled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=int, nargs="*", default=[1])
    parser.add_argument("--as-of", nargs="*", default=[None])
    parser.add_argument("--pages", nargs="*")
    parser.add_argument("--roles", nargs="*", default=["viewer", "editor"])
    parser.add_argument("--recompile", action="store_true",
                        help="run the scripts as AppTest does: compiled, and routed through pages/, on every run")
    args = parser.parse_args()
    for row in run(args):
        print(row, flush=True)


def run(args):
    """Yield the printed lines one by one (bench_all.py prints them too)."""
    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES

    quiet_streamlit()
    pages = [p for p in PAGES if not args.pages or p.key in args.pages]
    yield f"machine: {os.cpu_count()} cores; load: {uptime()}"
    yield (f"script bytecode: {'compiled on every run (AppTest)' if args.recompile else 'kept between runs (server)'}"
           "; compile = what AppTest adds per run")
    yield (f"{'scale':>5} {'page':<14} {'role':<7} {'as of':<10} {'charts':>6} {'tables':>6} "
           f"{'page ms':>8} {'floor ms':>8} {'ratio':>6} {'compile':>7}")
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
                with server_like_runs(not args.recompile):
                    for key, role, when, charts, tables, page_ms, floor_ms, ratio, compiled in bench(
                            pages, args.roles, args.runs, as_of, floor_file):
                        flag = "" if page_ms <= 150 and ratio <= 4 else "  over goal"
                        yield (f"{scale:>4}× {key:<14} {role:<7} {when:<10} {charts:>6} {tables:>6} "
                               f"{page_ms:>8.1f} {floor_ms:>8.1f} {ratio:>6.2f} {compiled:>7.1f}{flag}")
    yield f"load after: {uptime()}"


if __name__ == "__main__":
    main()
