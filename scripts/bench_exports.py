"""Prints how long server-side exports take: the cold start of the export process, then warm image and ZIP times.

Goals (issues 6 and 11): a chart image on its print canvas in ≤ 1 s once the export process is warm; the full ZIP
(every chart as PNG and SVG, and the caption file) in ≤ 10 s warm.
Run: DATABASE_URL=sqlite:////tmp/bench.db python scripts/bench_exports.py [--repeat 5]
"""

import argparse
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mobility import exports  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.plan import init_database  # noqa: E402
from mobility.print_layout import SIZES  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    engine = make_engine()
    init_database(engine)
    today = date.today()
    charts = {key: spec.make(engine, "sv", today) for key, spec in exports.CHARTS.items()}
    first = next(iter(charts.values()))
    cold = timed(lambda: exports.print_image(first.figure, lang="sv", as_of=today, examples=first.examples))
    print(f"cold start + first PNG: {cold:.2f} s")
    worst = 0.0
    for key in charts:
        for size in SIZES:
            for fmt in exports.FORMATS:
                runs = [timed(lambda key=key, size=size, fmt=fmt: exports.chart_image(engine, key, lang="sv",
                                                                                      as_of=today, fmt=fmt, size=size))
                        for _ in range(args.repeat)]
                worst = max(worst, statistics.median(runs))
                print(f"warm {fmt.upper()} {key} {size} (query, figure, layout, image): median "
                      f"{statistics.median(runs):.3f} s, max {max(runs):.3f} s over {args.repeat}  (goal ≤ 1 s)")
    print(f"slowest median chart image: {worst:.3f} s  (goal ≤ 1 s)")
    zips = [timed(lambda: exports.charts_zip(engine, lang="sv", as_of=today)) for _ in range(3)]
    print(f"warm ZIP of all {len(exports.CHARTS)} charts, PNG+SVG, with captions: "
          f"median {statistics.median(zips):.2f} s,"
          f" max {max(zips):.2f} s  (goal ≤ 10 s)")
    xlsx = timed(lambda: exports.export_workbook(engine, as_of=today))
    print(f"XLSX of all {len(exports.SHEETS)} sheets: {xlsx:.2f} s")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
