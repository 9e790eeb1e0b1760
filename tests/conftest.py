"""Shared fixtures: a real migrated SQLite file per test, actors, and AppTest with a fresh database."""

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from mobility.auth import set_account
from mobility.db import make_engine
from mobility.plan import init_database
from mobility.service import Actor
from mobility.ui import data
from scripts.bench_scripts import routed_through_app_py
from tests.html_tables import html_text

ROOT = Path(__file__).resolve().parents[1]
EDITOR = Actor("io.editor", "editor")
ADMIN = Actor("io.admin", "admin")
EDITOR_PASSWORD = "correct-horse-battery"


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'mobility.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    init_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def bare_engine(engine):
    """The plan alone, as after an editor removed the shipped example data (status history, spending, …)."""
    from mobility.examples import remove_example_data

    remove_example_data(engine=engine, actor=EDITOR)
    return engine


@pytest.fixture
def secrets_file(tmp_path) -> Path:
    path = tmp_path / "secrets.toml"
    set_account(path, EDITOR.name, role="editor", password=EDITOR_PASSWORD)
    set_account(path, ADMIN.name, role="admin", password=EDITOR_PASSWORD)
    return path


@pytest.fixture(autouse=True)
def _routed_through_app_py():
    """Every AppTest run goes through app.py's router and its menu, as every run on the server does (AppTest alone
    would run a switched-to page straight from its file)."""
    with routed_through_app_py():
        yield


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """Caches outlive AppTest instances inside one pytest process."""
    st.cache_data.clear()
    st.cache_resource.clear()
    data.forget_cached()
    yield


@pytest.fixture
def app(engine, secrets_file):
    """``app(page, lang=None, actor=None)`` → an AppTest that has run that page once."""
    previous = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(secrets_file)])

    def open_page(page: str, *, lang: str | None = None, actor: Actor | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        if lang:
            at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        if actor:
            at.session_state["actor"] = (actor.name, actor.role)
        at.run()
        if page != "overview":
            at.switch_page(f"pages/{page}.py").run()
        return at

    yield open_page
    st_config.set_option("secrets.files", previous)


def texts(at: AppTest) -> str:
    """Everything a reader sees as text on the page, for 'the user sees X' assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [e.value for e in getattr(at, kind)]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    parts += [html_text(h.value) for h in at.html]  # the press view's cards, the report's section titles
    return "\n".join(str(p) for p in parts)


# One Playwright per test session: the browser tests and the print tests (which measure SVG text in Chromium) share
# it, since a second sync Playwright cannot start while the first one runs.
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # An assertion waits for the app's state; on a loaded machine a script run can take longer than the 5 s default.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def open_login_box(at):
    """Open the sidebar's login box, as a reader's click does (its form is built only when it is open)."""
    from mobility.ui.shell import LOGIN_OPEN

    at.session_state[LOGIN_OPEN] = True
    return at.run()


def open_image_boxes(at):
    """Open every chart's "image for print" box, as a reader's clicks do (its picker and buttons are built then)."""
    for key in [k for k in at.session_state._state.filtered_state if str(k).startswith("images-")]:
        at.session_state[key] = True
    return at.run()


def open_tab(at, key: str, label_key: str, lang: str = "sv"):
    """Choose the tab ``label_key`` of the tabs kept under ``key``, as a click does (only the open tab is built)."""
    from mobility.i18n import t

    at.session_state[key] = t(label_key, lang)
    return at.run()
