"""Print how long the checklist pages' script runs take, cold and warm, on a freshly seeded database.

    DATABASE_URL=sqlite:////tmp/bench-checklists.db python scripts/bench_checklists.py
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mobility import checklist_documents, checklist_runs, checklists  # noqa: E402
from mobility.db import make_engine  # noqa: E402
from mobility.plan import init_database  # noqa: E402
from mobility.service import Actor  # noqa: E402

EDITOR = Actor("bench.editor", "editor")


def seed_runs(engine, n: int) -> None:
    """``n`` runs over the templates, half of their items ticked: a busy year for IO."""
    keys = list(checklists.template_table(engine)["key"])
    for i in range(n):
        run_id = checklist_runs.start_run(engine=engine, actor=EDITOR, key=keys[i % len(keys)], label=f"Case {i}",
                                      reference_date=date(2027, 1 + i % 12, 1))
        for item in checklist_runs.run_detail(engine, run_id, date.today())["items"][::2]:
            checklist_runs.tick_item(engine=engine, actor=EDITOR, run_id=run_id, item_id=item["id"])


def time_page(page: str, runs: int = 8, **params) -> tuple[float, float]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["actor"] = (EDITOR.name, EDITOR.role)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    start = time.perf_counter()
    at.switch_page(f"pages/{page}.py").run()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    assert not at.exception, at.exception
    return cold, statistics.median(warm)


def main() -> None:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    os.environ["DATABASE_URL"] = url
    engine = make_engine(url)
    init_database(engine)
    start = time.perf_counter()
    seed_runs(engine, 40)
    print(f"seeded 40 runs in {time.perf_counter() - start:.2f} s")
    for page, params in (("checklists", {"checklist": "b3-outgoing-teacher"}), ("checklists", {"q": "försäkring"}),
                         ("runs", {}), ("overview", {})):
        cold, warm = time_page(page, **params)
        print(f"{page:<11} {str(params):<36} cold {cold * 1000:6.0f} ms   warm median {warm * 1000:6.0f} ms")
    start = time.perf_counter()
    detail = checklists.template_detail(engine, "b3-outgoing-teacher")
    for _ in range(20):
        checklist_documents.to_docx(detail, "sv")
    print(f"DOCX export: {(time.perf_counter() - start) / 20 * 1000:.0f} ms per file")


if __name__ == "__main__":
    main()
