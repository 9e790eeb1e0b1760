"""Everyday mistakes on the command line: one line on stderr, the documented exit code, never a traceback."""

import subprocess
import sys

import pytest

from mobility.db import DatabaseURLError, parse_database_url
from tests.conftest import ROOT

EXIT_DATABASE, EXIT_INPUT, EXIT_PIPE = 1, 2, 141


def run(*args, url: str, shell_tail: str = "") -> subprocess.CompletedProcess:
    command = " ".join([sys.executable, "-m", "mobility", *args]) + shell_tail
    # bash for the pipe cases; PIPESTATUS keeps the CLI's own exit code rather than head's
    return subprocess.run(["bash", "-c", f"{command}; exit ${{PIPESTATUS[0]}}"], cwd=ROOT, capture_output=True,
                          text=True, env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.returncode == code, (result.returncode, result.stderr)
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize("args, words", [
    (["export", "/nonexistent/dir/x.xlsx"], ["/nonexistent/dir", "does not exist"]),
    (["report", "--since", "2017-03-01", "--out", "/nonexistent/dir/x.pdf"], ["/nonexistent/dir", "does not exist"]),
    (["import-counts", "/nonexistent/counts.csv"], ["/nonexistent/counts.csv"]),
    (["import-spend", "/nonexistent/spend.csv"], ["/nonexistent/spend.csv"]),
])
def test_a_missing_folder_or_file_is_named_in_one_line(engine, db_url, args, words):
    """Writing into a folder that does not exist, or reading a file that is not there: exit 2, the path named."""
    assert_one_line_error(run(*args, url=db_url), EXIT_INPUT, *words)


def test_chart_export_onto_an_existing_file_says_a_folder_is_needed(engine, db_url, tmp_path):
    """`export-charts FILE` where FILE is a file: exit 2 and what is wrong, the file untouched."""
    existing = tmp_path / "charts"
    existing.write_text("keep me")
    assert_one_line_error(run("export-charts", str(existing), url=db_url), EXIT_INPUT, "is a file", "folder")
    assert existing.read_text() == "keep me"


def test_a_folder_given_as_the_output_file_is_refused(engine, db_url, tmp_path):
    """`report --out FOLDER`: exit 2 and the folder named."""
    result = run("report", "--since", "2017-03-01", "--out", str(tmp_path), url=db_url)
    assert_one_line_error(result, EXIT_INPUT, str(tmp_path), "folder")


@pytest.mark.parametrize("url, words", [
    ("garbage", ["not a database URL", "sqlite:///", "postgresql+psycopg://"]),
    ("mysql://anna:s3cret@db.example/mobility", ["'mysql'", "not supported"]),
    ("sqlite:////nonexistent/dir/x.db", ["cannot use the database"]),
])
def test_a_bad_or_unsupported_database_url_is_one_line_and_exit_1(url, words):
    """Garbage, a MySQL URL or a SQLite file in a missing folder: exit 1, a hint, and never the password."""
    result = run("activities", url=url)
    assert_one_line_error(result, EXIT_DATABASE, *words)
    assert "s3cret" not in result.stderr


def test_postgres_urls_as_admins_write_them_mean_psycopg_3():
    """`postgres://` and `postgresql://` use the installed driver (psycopg 3), not SQLAlchemy's psycopg2 default."""
    for url in ("postgres://u:pw@host/db", "postgresql://u:pw@host/db", "postgresql+psycopg://u:pw@host/db"):
        parsed = parse_database_url(url)
        assert (parsed.get_backend_name(), parsed.get_driver_name()) == ("postgresql", "psycopg")
    with pytest.raises(DatabaseURLError):
        parse_database_url("oracle://scott:tiger@host/db")


def test_a_closed_pipe_ends_quietly(engine, db_url):
    """`budget | head -1`: the first line arrives, no BrokenPipeError on stderr, exit 141 like other Unix tools."""
    result = run("budget", url=db_url, shell_tail=" | head -1")
    assert result.stdout.startswith("Budget as of")
    assert result.stderr == "" and result.returncode in (0, EXIT_PIPE)
    # With more output than a pipe buffers, the early close is certain to be noticed.
    result = run("activities", "--json", url=db_url, shell_tail=" | head -c 10")
    assert result.stderr == "" and result.returncode in (0, EXIT_PIPE)


def test_targets_without_data_say_so_in_words(engine, db_url):
    """After the example data is removed, `targets` says there are no counts: no `None`, no raw keys."""
    assert run("remove-example", url=db_url).returncode == 0
    result = run("targets", url=db_url)
    assert result.returncode == 0
    assert "There are no counts" in result.stdout
    assert "None" not in result.stdout and "no_data" not in result.stdout


def test_targets_with_data_use_words_for_statuses_and_kinds(engine, db_url):
    """Statuses and kinds of students read as English words, not codes such as `fee_paying`."""
    result = run("targets", url=db_url)
    assert result.returncode == 0 and "None" not in result.stdout
    assert "fee-paying" in result.stdout and "fee_paying" not in result.stdout
