"""Synthetic corpus: generate → build → export, compared field by field with the ground truth."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from etl.synth import field_accuracy

from .helpers import REPO, reference_dir

pytestmark = pytest.mark.slow  # generates, builds and exports a synthetic corpus

def cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    ref = str(reference_dir())
    cli("synth", "--out", str(out), "--municipalities", "25", "--years", "2018-2021", "--seed", "11", "--reference", ref)
    cli("build", "--plans", str(out / "plans"), "--db", str(out / "plans.duckdb"), "--reference", ref, "--quiet")
    cli("export", "--db", str(out / "plans.duckdb"), "--out", str(out / "export"))
    return out


def test_round_trip_field_accuracy(corpus):
    total, right, failures = field_accuracy(corpus / "truth" / "items.csv", corpus / "export" / "items.csv")
    print(f"synthetic round trip: {right}/{total} fields right ({right / total:.4%})")
    assert total > 10_000
    assert right / total >= 0.995, "\n".join(failures[:50])


def test_synthetic_database_is_marked(corpus):
    con = duckdb.connect(str(corpus / "plans.duckdb"), read_only=True)
    try:
        assert con.execute("select value from build_info where key = 'synthetic'").fetchone() == ("true",)
    finally:
        con.close()


def test_synth_never_writes_into_the_real_plans_folder():
    done = subprocess.run([sys.executable, "-m", "etl", "synth", "--out", str(REPO / "data" / "plans")],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2 and "never go into data/plans" in done.stderr


def test_sample_database_is_not_marked_synthetic(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        assert con.execute("select value from build_info where key = 'synthetic'").fetchone() == ("false",)
    finally:
        con.close()
