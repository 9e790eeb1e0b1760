"""The load script's short mode: 10 readers and 2 editors at once on one process; no write lost or doubled."""

import subprocess
import sys

from tests.conftest import ROOT


def test_readers_and_editors_at_once_lose_no_write_and_see_no_error():
    """scripts/load_test.py --short exits 0 only if every page run finished cleanly and every write is in the
    database and the audit log exactly once (it prints the figures; speed is judged by its full mode, not here)."""
    result = subprocess.run([sys.executable, "scripts/load_test.py", "--short", "--setup", "sqlite"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 errors" in result.stdout and "page runs" in result.stdout
