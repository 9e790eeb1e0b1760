"""A server process is ready before its first visitor, and what it keeps between runs never shows stale data."""

import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from mobility import exports
from mobility.db import make_engine
from mobility.models import Activity
from mobility.plan import load_plan_file
from tests.conftest import ROOT


def test_a_process_started_on_an_empty_database_has_the_plan_before_anyone_asks(tmp_path):
    """What ``streamlit run app.py`` does before it listens: every module imports, the database is created,
    migrated and seeded, the chart-drawing Chromium answers (it draws its first image), and Streamlit's legacy
    routing of ``pages/`` is off (every run, a deep link first too, goes through app.py's router alone)."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code = ("import sys; from mobility.ui.startup import prepare_process; prepare_process(); "
            "import mobility.exports as e; from streamlit.runtime.pages_manager import PagesManager as P; "
            "print(e._server_started, len([m for m in sys.modules if m.startswith('mobility.')]), "
            "P.uses_pages_directory)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    started, modules, legacy_routing = done.stdout.split()
    assert started == "True" and int(modules) >= 40 and legacy_routing == "False"
    with Session(make_engine(url)) as s:
        assert s.execute(select(func.count()).select_from(Activity)).scalar_one() == 28


def test_the_plan_file_is_read_again_when_it_changes_and_callers_cannot_change_it_for_others(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("period: {start: 2016, end: 2018}\n", encoding="utf-8")
    first = load_plan_file(path)
    first["period"]["end"] = 1999  # a caller changing its copy
    assert load_plan_file(path)["period"]["end"] == 2018
    path.write_text("period: {start: 2016, end: 2020}\n", encoding="utf-8")
    assert load_plan_file(path)["period"]["end"] == 2020


@pytest.fixture(scope="module")
def _export_server():
    exports._ensure_export_server()


def test_a_chart_changed_by_a_write_is_drawn_again_and_an_unchanged_one_is_not(_export_server):
    """Images are kept by what they show: after a write the new figure gets a new image, never the old one."""
    before = exports.go.Figure(exports.go.Bar(x=["A", "B"], y=[3, 1]))
    after = exports.go.Figure(exports.go.Bar(x=["A", "B"], y=[3, 2]))
    old = exports.figure_image(before, fmt="svg", width=300, height=200, scale=1)
    new = exports.figure_image(after, fmt="svg", width=300, height=200, scale=1)
    assert old != new
    assert exports.figure_image(exports.go.Figure(before), fmt="svg", width=300, height=200, scale=1) is old
    assert exports.figure_image(before, fmt="png", width=300, height=200, scale=1) != old  # the format counts too


def test_importing_app_py_as_a_spawned_worker_leaves_the_database_alone(tmp_path):
    """multiprocessing's spawn imports the parent's main script (after an AppTest run: app.py) in every worker;
    only the server's start-up may open and migrate a database — two workers doing it raced each other."""
    url = f"sqlite:///{tmp_path / 'untouched.db'}"
    code = "import runpy; runpy.run_path('app.py', run_name='__mp_main__')"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "untouched.db").exists()
