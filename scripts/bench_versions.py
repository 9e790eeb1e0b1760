"""Page ready in Chromium: this checkout against an earlier commit, loaded by turns in one browser.

What a change did to the pages a reader sees, with the earlier code as the floor measured in the same minutes: both
servers run side by side on fresh seeded databases (the earlier commit from a temporary git worktree), each with its
own warmed browser profile, and every page is loaded once from each by turns, so a change in the machine's load
meets both alike. Prints each page's medians, their ratio and the machine's load before and after.

Usage: python scripts/bench_versions.py REV [runs] [page ...]   (pages: all viewer pages when none are named)
"""

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(rev: str, runs: int = 7, only: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    from mobility.ui.shell import PAGES
    from scripts.bench_browser import _ready_ms, _serve

    keys = [p.key for p in PAGES if p.role == "viewer" and (not only or p.key in only)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        before = tmp / "before"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(before), rev], cwd=ROOT, check=True)
        servers = []
        try:
            now, now_url = _serve(ROOT / "app.py", ROOT, {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'now.db'}"})
            servers.append(now)
            then, then_url = _serve(before / "app.py", before, {**os.environ, "PYTHONPATH": str(before),
                                                                "DATABASE_URL": f"sqlite:///{tmp / 'then.db'}"})
            servers.append(then)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=["--no-sandbox", "--disable-background-networking"])
                contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in "ab"]
                for key in keys:  # warm: each profile has Streamlit's scripts cached, as a returning reader's has
                    for context, url in zip(contexts, (now_url, then_url), strict=True):
                        _ready_ms(context, f"{url}/{key}")
                print(f"{'page':<16} {'now ms':>7} {rev[:10]:>10} {'ratio':>6}")
                for key in keys:
                    times = ([], [])
                    for _ in range(runs):
                        for context, url, found in zip(contexts, (now_url, then_url), times, strict=True):
                            found.append(_ready_ms(context, f"{url}/{key}")[0])
                    now_ms, then_ms = (statistics.median(t) for t in times)
                    print(f"{key:<16} {now_ms:>7.0f} {then_ms:>10.0f} {now_ms / then_ms:>6.2f}")
                browser.close()
        finally:
            for proc in servers:
                proc.terminate()
                proc.wait(10)
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, check=False)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    subprocess.run(["uptime"], check=False)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 7, sys.argv[3:])
    subprocess.run(["uptime"], check=False)
