"""Where one page's script run spends its time: cProfile inside Streamlit's script thread.

A page's script runs in Streamlit's script thread, so a profiler started in the caller sees nothing. This wraps
the one function that executes the script (``exec_func_with_error_handling``) so the profile covers exactly one
warm run of the page, as a reader or an editor sees it. The scripts' bytecode is kept between runs as a server
keeps it (AppTest would compile app.py and the page on every run; ``--recompile`` profiles that too).

Usage: python scripts/profile_page.py PAGE [--role viewer|editor|admin] [--lang sv|en] [--as-of YYYY-MM-DD]
                                           [--top 25] [--sort cumulative|tottime] [--runs 1]
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def profiled_run(at, profile: cProfile.Profile) -> None:
    """Run ``at`` once with ``profile`` enabled in the script thread only."""
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.exec_func_with_error_handling

    def wrapper(func, ctx):
        profile.enable()
        try:
            return original(func, ctx)
        finally:
            profile.disable()

    script_runner.exec_func_with_error_handling = wrapper
    try:
        at.run()
    finally:
        script_runner.exec_func_with_error_handling = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("--role", default="viewer", choices=("viewer", "editor", "admin"))
    parser.add_argument("--lang", default="sv", choices=("sv", "en"))
    parser.add_argument("--as-of", dest="as_of")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--runs", type=int, default=1,
                        help="profile this many warm runs together (a steadier picture; times are per run)")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--database-url", help="profile against this database instead of a fresh seeded one")
    parser.add_argument("--recompile", action="store_true", help="compile the scripts on every run, as AppTest does")
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    from mobility.db import make_engine
    from mobility.plan import init_database
    from mobility.ui.shell import PAGES
    from scripts.bench_scripts import quiet_streamlit, server_like_runs

    quiet_streamlit()
    spec = next((p for p in PAGES if p.key == args.page), None)
    if spec is None:
        sys.exit(f"unknown page {args.page!r}; one of: {', '.join(p.key for p in PAGES)}")
    with tempfile.TemporaryDirectory() as tmp, server_like_runs(not args.recompile):
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/profile.db"
        init_database(make_engine())
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = args.lang
        if args.as_of:
            at.query_params["as_of"] = args.as_of
        if args.role != "viewer":
            at.session_state["actor"] = (f"profile.{args.role}", args.role)
        at.run()
        at.switch_page(spec.path).run()  # cold: caches fill
        at.run()  # warm once more, so the profiled run is a steady one
        profile = cProfile.Profile()
        for _ in range(args.runs):
            profiled_run(at, profile)
        if at.exception:
            sys.exit(f"the page raised: {at.exception}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    total_ms = stats.total_tt * 1000 / args.runs
    stats.sort_stats(args.sort).print_stats(args.top)
    print(f"{spec.key} as {args.role} ({args.lang}): {total_ms:.1f} ms a run in the script thread (profiled"
          + (f", {args.runs} runs together: the columns below are their sums)" if args.runs > 1 else ")"))
    print(out.getvalue())


if __name__ == "__main__":
    main()
