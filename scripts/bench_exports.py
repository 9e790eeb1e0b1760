"""Prints how long server-side exports take: the cold start of the export process, then warm PNG/SVG/ZIP times.

Goal (issue 6): a chart PNG in ≤ 1 s once the export process is warm.
Run: DATABASE_URL=sqlite:////tmp/bench.db python scripts/bench_exports.py [--repeat 10]
"""

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mobility import exports  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.plan import init_database  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    engine = make_engine()
    init_database(engine)
    today = date.today()
    figs = {key: spec.build(engine, "sv", today) for key, spec in exports.CHARTS.items()}
    cold = timed(lambda: exports.figure_image(next(iter(figs.values())), fmt="png"))
    print(f"cold start + first PNG: {cold:.2f} s")
    for key, fig in figs.items():
        for fmt in exports.FORMATS:
            runs = [timed(lambda fig=fig, fmt=fmt: exports.figure_image(fig, fmt=fmt)) for _ in range(args.repeat)]
            print(f"warm {fmt.upper()} {key} ({exports.DEFAULT_WIDTH}×{fig.layout.height or exports.DEFAULT_HEIGHT}, "
                  f"scale {exports.DEFAULT_SCALE}): median {statistics.median(runs):.3f} s, max {max(runs):.3f} s "
                  f"over {args.repeat}  (goal ≤ 1 s)")
        built = [timed(lambda key=key: exports.chart_image(engine, key, lang="sv", today=today))
                 for _ in range(args.repeat)]
        print(f"warm PNG {key} including the database query and figure build: median {statistics.median(built):.3f} s")
    zipped = timed(lambda: exports.charts_zip(engine, lang="sv", today=today))
    print(f"warm ZIP of all {len(exports.CHARTS)} chart(s), PNG+SVG: {zipped:.2f} s")
    xlsx = timed(lambda: exports.export_workbook(engine))
    print(f"XLSX of all {len(exports.SHEETS)} sheets: {xlsx:.2f} s")


if __name__ == "__main__":
    main()
