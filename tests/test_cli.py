"""``python -m mobility``: JSON for scripts, clear errors, non-zero exits."""

import json
import subprocess
import sys

from tests.conftest import ROOT


def run(*args, env_url: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mobility", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, env={"DATABASE_URL": env_url, "PATH": "/usr/bin:/bin"}, timeout=120)


def test_activities_json_lists_the_whole_plan(db_url):
    """init then activities --json: 28 objects with the fields the issue names."""
    assert run("init", env_url=db_url).returncode == 0
    result = run("activities", "--json", env_url=db_url)
    data = json.loads(result.stdout)
    assert (data["as_of"], data["example"]) == ("2018-12-31", True)  # a finished plan: its last day by default
    rows = data["activities"]
    assert len(rows) == 28
    a3 = next(r for r in rows if r["code"] == "A3")
    expected = {
        "code": "A3", "section": "A", "goals": ["A"], "responsible": "International Office",
        "start_text": "Januari 2017", "end_text": "", "start": "2017-01", "end": None, "budget_sek": 37500,
        "links": ["A1", "A2"], "status": "done", "decided": True, "end_used": "2017-12", "end_assumed": True,
        "overdue": False,
    }
    assert {key: a3[key] for key in expected} == expected
    assert a3["title"].startswith("Träffar med kontaktpersoner")


def test_a_database_it_cannot_open_is_a_clear_error(tmp_path):
    result = run("activities", env_url=f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert result.returncode != 0 and "cannot use the database" in result.stderr


def test_add_user_reads_the_password_from_stdin_and_rejects_a_short_one(db_url, tmp_path):
    secrets = tmp_path / "secrets.toml"
    ok = run("add-user", "anna", "--role", "editor", "--secrets", str(secrets), env_url=db_url,
             stdin="long-enough-pw\n")
    assert ok.returncode == 0 and "anna" in secrets.read_text()
    bad = run("add-user", "bertil", "--role", "editor", "--secrets", str(secrets), env_url=db_url, stdin="short\n")
    assert bad.returncode != 0 and "password" in bad.stderr and "bertil" not in secrets.read_text()


def test_a_bad_argument_exits_non_zero(db_url):
    result = run("add-user", "anna", "--role", "owner", env_url=db_url)
    assert result.returncode != 0 and "invalid choice" in result.stderr
