"""Several processes on one PostgreSQL (pgserver) behind nginx, started by scripts/serve_cluster.sh.

Where nginx is installed (CI installs it, see .ci/run) the tests also go through it; without it they use the two
app processes directly on their ports and the nginx test is skipped with the reason.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from mobility.auth import set_account
from tests.e2e.conftest import EDITOR, EDITOR_PASSWORD, ROOT, assert_no_exception, login, open_page, wait_for_app_run


def _free_block(size: int) -> int:
    """A base port with ``size`` free ports after it."""
    for _ in range(50):
        base = 20_000 + int.from_bytes(os.urandom(2)) % 30_000
        try:
            for port in range(base, base + size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports")


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("pgserver", reason="pgserver not installed (pip install -r requirements-dev.txt)")
    state = Path(tempfile.mkdtemp(prefix="mobility-cluster-test-"))  # outside pytest's basetemp (pgserver runs as
    set_account(state / "secrets.toml", EDITOR, role="editor", password=EDITOR_PASSWORD)  # another user as root)
    base = _free_block(3)
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve_cluster.sh"), "2", str(base)], cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "STATE_DIR": str(state), "SECRETS": str(state / "secrets.toml"), "PYTHON": sys.executable},
    )
    lines, deadline = [], time.monotonic() + 240
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("ready:"):
            break
    if not lines or not lines[-1].startswith("ready:"):
        proc.terminate()
        pytest.fail("cluster did not start:\n" + "".join(lines))
    apps = re.findall(r"^app \d+: (\S+)", "".join(lines), re.M)
    nginx = f"http://127.0.0.1:{base}" if "nginx in front" in lines[-1] else None
    yield {"apps": apps, "nginx": nginx}
    proc.terminate()  # the script stops the processes, nginx and PostgreSQL
    proc.wait(60)
    shutil.rmtree(state, ignore_errors=True)


def _spent(page) -> float:
    value = page.get_by_test_id("stMetric").filter(has_text="Förbrukat").get_by_test_id("stMetricValue").inner_text()
    return float(value.replace("\u00a0", "").replace(" ", "").replace("kr", "").replace(",", "."))


def test_a_write_through_one_process_shows_on_the_others_next_run(cluster, browser):
    """An editor records a spend on process 1; a reader on process 2 sees the new total on the next run."""
    first, second = cluster["apps"]
    reader = browser.new_page()
    open_page(reader, f"{second}/budget")
    before = _spent(reader)  # process 2 has now read (and cached) the budget

    editor = browser.new_page()
    open_page(editor, f"{first}/budget")
    login(editor)
    editor.get_by_role("link", name="Bokför en utgift").click()
    wait_for_app_run(editor)
    form = editor.get_by_test_id("stForm").filter(has_text="Bokför utgiften")
    form.get_by_test_id("stSelectbox").get_by_role("button", name="Open").click()
    editor.keyboard.type("D3 –")
    editor.get_by_role("option", name="D3 –", exact=False).first.click()
    form.get_by_role("textbox", name="Belopp (kr)").fill("12 500,50")
    form.get_by_role("textbox", name="Verifikationsnummer").fill("CLUSTER-1")
    form.get_by_role("button", name="Bokför utgiften").click()
    wait_for_app_run(editor)
    expect(editor.get_by_text("Utgiften bokförd på D3")).to_be_visible(timeout=30_000)

    reader.get_by_test_id("stSidebar").get_by_text("English").click()  # the reader's next run, same session
    wait_for_app_run(reader)
    expect(reader.get_by_test_id("stMetric").filter(has_text="Spent")).to_be_visible(timeout=30_000)
    value = reader.get_by_test_id("stMetric").filter(has_text="Spent").get_by_test_id("stMetricValue").inner_text()
    assert abs(float(re.sub(r"[^\d.]", "", value)) - before - 12_500.5) <= 1  # headline figures in whole kronor
    assert_no_exception(reader)
    reader.close()
    editor.close()


def test_nginx_keeps_a_browser_on_one_process_and_serves_pages_and_health(cluster, browser):
    """Through nginx: health is ok, a browser gets its routing cookie, logs in and stays logged in across F5."""
    if cluster["nginx"] is None:
        pytest.skip("nginx not installed here (apt-get install nginx); the processes were tested directly")
    url = cluster["nginx"]
    assert urlopen(f"{url}/_stcore/health", timeout=5).read() == b"ok"
    context = browser.new_context()
    page = context.new_page()
    open_page(page, url)
    assert any(c["name"] == "mobility_node" and c["httpOnly"] for c in context.cookies())
    login(page)
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(e => e.name.includes('session/cookie') && e.responseEnd > 0)")
    page.reload()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Inloggad som")).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    context.close()
