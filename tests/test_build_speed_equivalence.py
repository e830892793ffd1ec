"""The build's shortcuts give the same result as the plain way: worker batches (Arrow slices) and the
one-process path, the parse cache, the direct `items` row."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import reading
from etl.build import build, read_plan
from etl.reference import load_reference
from etl.synth import generate
from etl.tables import rows as table_rows
from etl.tables import write
from etl.tables.rows import ITEM_COLUMNS

from .helpers import REPO, reference_dir

PLANS = REPO / "data" / "plans"


@pytest.fixture(scope="module")
def reference():
    ref = load_reference(reference_dir())
    if not ref.available:
        pytest.skip("EKATTE reference not available")
    return ref


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, reference) -> Path:
    """A small synthetic corpus (several worker batches) plus the samples, a duplicate and a bad file."""
    out = tmp_path_factory.mktemp("corpus")
    generate(out, reference, 5, (2019, 2025), seed=7)
    for plan in PLANS.iterdir():
        shutil.copy(plan, out / "plans" / plan.name)
    shutil.copy(PLANS / "dupnitsa-2021.txt", out / "plans" / "dupnitsa-2021-copy.txt")
    (out / "plans" / "empty.txt").write_bytes(b"")
    return out / "plans"


# the summary tables of queries/derived.sql
DERIVED = set(re.findall(r"create or replace table (\w+)", (REPO / "queries" / "derived.sql").read_text(encoding="utf-8"),
                         re.I))


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every table in its stored order (and sorted), build time left out."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        out = {}
        for table in tables:
            rows = con.execute(f'select * from "{table}"').fetchall()  # stored order
            if table in DERIVED:  # summary tables computed in parallel by DuckDB: their row order is not fixed
                rows = sorted(rows, key=repr)
            if table == "build_info":
                rows = [r for r in rows if r[0] != "built_at"]
            out[table] = rows
        return out
    finally:
        con.close()


def test_worker_batches_equal_one_process(corpus, tmp_path, reference):
    assert len(list(corpus.iterdir())) > 2 * reading.BATCH
    one = build(corpus, tmp_path / "one" / "p.duckdb", reference, workers=1, use_cache=False)
    build(corpus, tmp_path / "pool" / "p.duckdb", reference, workers=2, use_cache=False)
    assert {p.category for p in one.problems} >= {"duplicate_plan", "ExtractError"}
    assert dump(tmp_path / "one" / "p.duckdb") == dump(tmp_path / "pool" / "p.duckdb")


def test_parse_cache_equals_a_fresh_read(corpus, tmp_path, reference):
    db = tmp_path / "c" / "p.duckdb"
    first = build(corpus, db, reference, workers=2)  # workers write the cache
    fresh = dump(db)
    db.unlink()
    again = build(corpus, db, reference, workers=2)  # everything from the cache
    assert again.cache_hits == len(first.plans) + 1 and not again.plans[0].batches  # + the duplicate
    assert dump(db) == fresh
    db.unlink()
    mixed = build(corpus, db, reference, workers=1)
    assert mixed.cache_hits == again.cache_hits
    assert dump(db) == fresh


def test_items_row_follows_the_column_list(reference):
    for path in sorted(PLANS.iterdir()):
        for record in read_plan(path, reference).records:
            quarters = record.quarters or [None] * 4
            special = {"settlements": ";".join(s.name for s in record.settlements),
                       "funding": ";".join(record.funding_classes),
                       "q1": quarters[0], "q2": quarters[1], "q3": quarters[2], "q4": quarters[3],
                       "source_lines": ",".join(map(str, record.source_lines)), "review": ";".join(record.review),
                       "corrected": None}  # set by corrections after the plan is read (etl/tables/corrections.py)
            expected = tuple(None if v == "" else v
                             for v in (special[c] if c in special else getattr(record, c) for c in ITEM_COLUMNS))
            assert table_rows.item_row(record) == expected


def test_rows_committed_before_the_last_plans_equal_one_commit(corpus, tmp_path, reference, monkeypatch):
    """A large build commits its rows twice while the last plans are still parsed; the database is the same
    as with one commit at the end (scaled down: groups of 4 plans, committed with 16 and 8 still to come)."""
    plans = len([p for p in corpus.iterdir() if p.name != "SYNTHETIC"])
    build(corpus, tmp_path / "once" / "p.duckdb", reference, workers=2, use_cache=False)
    assert write.early_commits(plans, 0) == write.early_commits(plans, plans) == 0  # too few: one commit, at the end
    decisions = []
    monkeypatch.setattr(write, "INSERT_GROUP", 4)
    monkeypatch.setattr(write, "COMMIT_AHEAD", (16, 8))
    monkeypatch.setattr(write, "EARLY_COMMIT_MIN", 16)
    real = write.early_commits
    monkeypatch.setattr(write, "early_commits", lambda expected, inserted: decisions.append(
        (expected, inserted, real(expected, inserted))) or decisions[-1][2])
    build(corpus, tmp_path / "early" / "p.duckdb", reference, workers=2, use_cache=False)
    due = [(expected - inserted, n) for expected, inserted, n in decisions]
    assert [n for _, n in due] == sorted(n for _, n in due) and due[-1][1] == 2  # both commits made, in turn
    assert all(n == (left <= 16) + (left <= 8) for left, n in due)
    assert min(left for left, _ in due) > 0  # before the last plans came in
    assert dump(tmp_path / "early" / "p.duckdb") == dump(tmp_path / "once" / "p.duckdb")
