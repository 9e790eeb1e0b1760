"""Browser tests: one fresh server per test module on a free port, driven by Debian's Chromium."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from mobility.auth import set_account

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
EDITOR, EDITOR_PASSWORD = "io.editor", "correct-horse-battery"
SERVERS: dict[str, Path] = {}  # base URL -> the server's folder (its secrets.toml, database and log)

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("MOBILITY_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"MOBILITY_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_server(tmp: Path):
    """A freshly started server with its own database and an editor account; yields its base URL."""
    secrets = tmp / "secrets.toml"
    set_account(secrets, EDITOR, role="editor", password=EDITOR_PASSWORD)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'mobility.db'}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", f"--secrets.files={secrets}"],
        cwd=ROOT, env=env, stdout=open(tmp / "server.log", "w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = tmp
    deadline = time.monotonic() + 60
    while True:
        try:
            if urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"server did not start:\n{(tmp / 'server.log').read_text()}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server per test module."""
    yield from _run_server(tmp_path_factory.mktemp("server"))


@pytest.fixture
def fresh_server(tmp_path_factory):
    """A server of the test's own, for tests about the very first request a server gets."""
    yield from _run_server(tmp_path_factory.mktemp("fresh-server"))




@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def wait_for_app_run(page, timeout: int = 30_000) -> None:
    """Wait until the script run started by the last action has finished (mirrors Streamlit's own e2e helper)."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout)


def wait_for_charts_drawn(page, timeout: int = 30_000) -> None:
    """Until every plotly chart on the page is drawn and its size held still for two animation frames."""
    page.wait_for_function(
        """() => new Promise(resolve => {
            const sizes = () => [...document.querySelectorAll('.js-plotly-plot')]
                .map(e => e._fullLayout && e.querySelector('.main-svg') ? `${e.offsetWidth}x${e.offsetHeight}` : null);
            const before = sizes();
            requestAnimationFrame(() => requestAnimationFrame(() => {
                const after = sizes();
                resolve(after.length > 0 && !after.includes(null) && after.join() === before.join());
            }));
        })""",
        timeout=timeout,
    )


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app_run(page)


def assert_no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()


def login(page, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Logga in").first.click()
    sidebar.get_by_label("Användarnamn").fill(username)
    sidebar.get_by_label("Lösenord").fill(password)
    sidebar.get_by_role("button", name="Logga in").click()
    wait_for_app_run(page)
    sidebar.get_by_text("Inloggad som").wait_for()


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``."""
    opener = page.get_by_test_id("stSelectbox").filter(has_text=label).get_by_role("button", name="Open")
    for _ in range(3):  # a rerun that lands just after the click closes the list again
        wait_for_app_run(page)
        opener.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - retried, then reported by the final attempt
            continue
    else:
        raise AssertionError(f"could not choose {option!r} in {label!r}")
    wait_for_app_run(page)


def record_meeting(page, day, *, decision: str = "", action: str = "", notes: str = "") -> None:
    """Fill in and save the follow-up page's meeting form as an editor would (the date typed segment by segment)."""
    form = page.get_by_test_id("stForm").filter(has_text="Registrera ett möte")
    for part, value in (("year", f"{day.year}"), ("month", f"{day.month:02}"), ("day", f"{day.day:02}")):
        segment = form.get_by_role("spinbutton", name=f"{part}, Mötesdatum")
        segment.click()
        segment.press_sequentially(value)
    expect(form.get_by_role("spinbutton", name="day, Mötesdatum")).to_have_attribute("aria-valuenow", str(day.day))
    form.get_by_label("Ordförande").fill("Avdelningschefen")
    if notes:
        form.get_by_label("Korta anteckningar").fill(notes)
    if decision:
        form.get_by_label("Beslut (ett per rad)").fill(decision)
    if action:
        form.get_by_role("textbox", name="Åtgärder").fill(action)
    form.get_by_role("button", name="Spara mötet").click()
    wait_for_app_run(page)
    expect(page.get_by_text("är sparat")).to_be_visible()
