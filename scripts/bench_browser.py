"""Page ready in a real browser vs an empty Streamlit page with the same number of charts (goal ≤ 1.25×, DESIGN §5).

Starts two servers on free ports — the dashboard on a fresh seeded database, and a baseline app that only draws N
empty plotly charts — loads every page N times in headless Chromium (/usr/bin/chromium) and prints the medians.
"Ready" = the script run has finished and every chart has drawn its SVG. Each server gets one browser profile,
warmed on every page first, as a returning reader's browser has Streamlit's scripts cached; a page and its bare
page are loaded by turns.

Usage: python scripts/bench_browser.py [runs] [page ...]   (pages: all viewer pages when none are named)
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE_APP = '''
import plotly.graph_objects as go
import streamlit as st
n = int(st.query_params.get("charts", "0"))
st.title("Baseline")
for i in range(n):
    st.plotly_chart(go.Figure(), theme=None, key=f"c{i}")
'''


def _serve(script: Path, cwd: Path, env: dict) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
                             f"--server.port={port}", "--server.address=127.0.0.1"],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{script} did not start")


def _ready_ms(context, url: str) -> tuple[float, int]:
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.locator("h1, h2").first.wait_for(timeout=60_000)  # the script has started drawing
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached",
                                                                                       timeout=60_000)
    page.get_by_test_id("stSkeleton").first.wait_for(state="detached", timeout=60_000)
    charts = page.get_by_test_id("stPlotlyChart").count()
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
                           timeout=60_000)
    elapsed = (time.perf_counter() - start) * 1000
    page.close()
    return elapsed, charts


def main(runs: int = 5, only: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    from mobility.ui.shell import PAGES

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "baseline.py").write_text(BASELINE_APP)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
        app, app_url = _serve(ROOT / "app.py", ROOT, env)
        base, base_url = _serve(tmp / "baseline.py", tmp, env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--no-sandbox", "--disable-background-networking"])
                # One browser profile per server, warmed once: a returning reader has Streamlit's scripts cached.
                app_ctx, base_ctx = (browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in "ab")
                for spec in PAGES:
                    _ready_ms(app_ctx, f"{app_url}/{spec.key}")
                _ready_ms(base_ctx, f"{base_url}/?charts=1")
                print(f"{'page':<12} {'charts':>6} {'page ms':>8} {'empty ms':>9} {'ratio':>6}")
                for spec in PAGES:
                    if spec.role != "viewer" or (only and spec.key not in only):
                        continue  # an editor page shows a viewer only its login hint
                    n = _ready_ms(app_ctx, f"{app_url}/{spec.key}")[1]
                    page_times, empty = [], []
                    for _ in range(runs):  # by turns, so a change in the machine's load meets both alike
                        page_times.append(_ready_ms(app_ctx, f"{app_url}/{spec.key}")[0])
                        empty.append(_ready_ms(base_ctx, f"{base_url}/?charts={n}")[0])
                    ratio = statistics.median(page_times) / statistics.median(empty)
                    print(f"{spec.key:<12} {n:>6} {statistics.median(page_times):>8.0f} "
                          f"{statistics.median(empty):>9.0f} {ratio:>6.2f}")
                browser.close()
        finally:
            for proc in (app, base):
                proc.terminate()
                proc.wait(10)


if __name__ == "__main__":
    subprocess.run(["uptime"], check=False)
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, sys.argv[2:])
