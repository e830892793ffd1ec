"""Shared fixtures: the sample database, built once per test session from data/plans."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.reference import load_reference
from etl.synth import generate

from .helpers import REPO, reference_dir


def pytest_collection_modifyitems(items):
    """A test that drives Chromium (the dash_duo fixture) is a browser test, wherever it stands."""
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """Build the five sample plans into a fresh DuckDB file and return its path."""
    out = tmp_path_factory.mktemp("sample") / "plans.duckdb"
    cmd = [sys.executable, "-m", "etl", "build", "--plans", str(REPO / "data" / "plans"),
           "--db", str(out), "--reference", str(reference_dir()), "--quiet"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, f"etl build failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture(scope="session")
def reference():
    """The EKATTE reference as the product reads it (unavailable, saying so, when its directory is missing)."""
    return load_reference(reference_dir())


@pytest.fixture(scope="session")
def ref(reference):
    """The EKATTE reference; a test that needs it is skipped when it is not available."""
    if not reference.available:
        pytest.skip("EKATTE reference (../shared/reference) not available")
    return reference


@pytest.fixture(autouse=True)
def _dashboard_connection_closed_after_each_test():
    """The dashboard's read-only connection (and its result cache) is closed after every test that used
    it: DuckDB refuses a second connection to the same file with other settings, and later tests open
    the session's sample database with their own."""
    yield
    dashboard_db = sys.modules.get("dashboard.db")
    if dashboard_db is not None:
        dashboard_db.DB.set_path(dashboard_db.DB.path)


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory) -> Path:
    """A small synthetic corpus (a few municipalities over several years) plus the sample plans."""
    reference = load_reference(reference_dir())
    out = tmp_path_factory.mktemp("summaries")
    generate(out, reference, 6, (2018, 2025), seed=11)
    for plan in (REPO / "data" / "plans").iterdir():
        (out / "plans" / plan.name).write_bytes(plan.read_bytes())
    db = out / "plans.duckdb"
    build(out / "plans", db, reference, workers=1, use_cache=False)
    return db


@pytest.fixture(params=["sample", "synthetic"])
def con(request, sample_db, synthetic_db):
    db = sample_db if request.param == "sample" else synthetic_db
    # the dashboard's configuration: other tests open these files with it in this process
    connection = duckdb.connect(str(db), read_only=True, config={"memory_limit": "512MB", "threads": 2})
    yield connection
    connection.close()
