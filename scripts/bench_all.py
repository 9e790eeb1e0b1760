"""Every speed figure of issue 14 in one command, each beside its floor and ratio, with the machine and its load.

1. Script runs (scripts/bench_scripts.py): every page as reader and editor at three as-of dates, then at 10× and
   100× the seeded data (20 years of counts, 50 000 ledger rows, 100 000 audit entries, 1 000 checklist runs).
   Floor: a bare AppTest page with as many plotly charts and tables, run by turns with the page.
2. Browser (scripts/bench_browser.py): every reader's page ready in Chromium against a bare Streamlit page with as
   many charts.

The README's *Speed* section holds what this printed, nothing else.

Usage: python scripts/bench_all.py [--runs 9] [--browser-runs 5] [--scales 10 100] [--no-browser]
"""

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AS_OF = ["2016-06-30", "2017-03-15", "2018-12-31"]


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="warm script runs per page (median)")
    parser.add_argument("--browser-runs", type=int, default=5, help="page loads per page in Chromium (median)")
    parser.add_argument("--scales", type=int, nargs="*", default=[10, 100], help="data growth factors to measure")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    from scripts import bench_scripts

    print(f"machine: {machine()}", flush=True)
    print("\n## Script runs at 1× (seeded database), three as-of dates", flush=True)
    for line in bench_scripts.run(argparse.Namespace(runs=args.runs, scale=[1], as_of=AS_OF, pages=None,
                                                     roles=["viewer", "editor"], recompile=False)):
        print(line, flush=True)
    if args.scales:
        print(f"\n## Script runs at {', '.join(f'{s}×' for s in args.scales)} the seeded data (default as-of date)",
              flush=True)
        for line in bench_scripts.run(argparse.Namespace(runs=args.runs, scale=args.scales, as_of=[None], pages=None,
                                                         roles=["viewer", "editor"], recompile=False)):
            print(line, flush=True)
    if not args.no_browser:
        print("\n## Browser: page ready in Chromium vs a bare Streamlit page with as many charts", flush=True)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_browser.py"), str(args.browser_runs)],
                       cwd=ROOT, check=True)
        print(f"load after: {bench_scripts.uptime()}", flush=True)


if __name__ == "__main__":
    main()
