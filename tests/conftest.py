"""Shared fixtures: the sample database, built once per test session from data/plans."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def reference_dir() -> Path:
    """The EKATTE reference directory used by tests (SSP_REFERENCE_DIR or ../shared/reference)."""
    return Path(os.environ.get("SSP_REFERENCE_DIR", REPO.parent / "shared" / "reference"))


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """Build the five sample plans into a fresh DuckDB file and return its path."""
    out = tmp_path_factory.mktemp("sample") / "plans.duckdb"
    cmd = [sys.executable, "-m", "etl", "build", "--plans", str(REPO / "data" / "plans"),
           "--db", str(out), "--reference", str(reference_dir()), "--quiet"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, f"etl build failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture(autouse=True)
def _dashboard_connection_closed_after_each_test():
    """The dashboard's read-only connection (and its result cache) is closed after every test that used
    it: DuckDB refuses a second connection to the same file with other settings, and later tests open
    the session's sample database with their own."""
    yield
    dashboard_db = sys.modules.get("dashboard.db")
    if dashboard_db is not None:
        dashboard_db.DB.set_path(dashboard_db.DB.path)
