"""Load stage and CLI: atomic builds, duplicates, bad files, no reference, nothing lost, the export contract."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import build as build_module
from etl.build import BuildError, build, build_lock
from etl.reference import load_reference

from .helpers import REPO, reference_dir

PLANS = REPO / "data" / "plans"
CONTRACT_PLANS = ["plan_id", "municipality", "oblast", "year", "source_file", "items"]
CONTRACT_ITEMS = ["plan_id", "municipality", "year", "item_no", "section", "name", "service_type", "settlements",
                  "scope", "q1", "q2", "q3", "q4", "funding", "funding_raw", "amount_bgn", "capacity",
                  "capacity_before", "capacity_unit", "staff", "units", "status", "provider", "source_line"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def plans(tmp_path) -> Path:
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("dupnitsa-2021.txt", "lyubimets-2013.txt"):
        shutil.copy(PLANS / name, folder / name)
    return folder


def test_every_nonempty_line_is_accounted_for(sample_db):
    """Nothing lost: each non-empty line of each plan has exactly one disposition."""
    rows = query(sample_db, """
        select p.plan_id, p.lines_nonempty, count(d.line), count(distinct d.line)
        from plans p left join line_dispositions d using (plan_id) group by all""")
    assert len(rows) == 5
    for plan_id, nonempty, lines, distinct in rows:
        assert nonempty == lines == distinct, plan_id
    for path in PLANS.glob("*.txt"):
        text_lines = [i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ln.strip()]
        recorded = [r[0] for r in query(sample_db, f"select line from line_dispositions "
                                                   f"where source_file = '{path.name}' order by line")]
        assert recorded == text_lines, path.name


def test_records_keep_their_source_text(sample_db):
    rows = query(sample_db, "select source_file, source_lines, source_text from items")
    for source_file, source_lines, source_text in rows:
        lines = (PLANS / source_file).read_text(encoding="utf-8").splitlines()
        assert source_text == "\n".join(lines[int(n) - 1] for n in source_lines.split(","))


def test_rebuild_gives_the_same_database(plans, tmp_path, reference):
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    first = query(db, "select * from items order by item_id")
    build(plans, db, reference)
    assert query(db, "select * from items order by item_id") == first
    assert query(db, "select count(*) from plans") == [(2,)]


def test_duplicate_plan_is_reported_not_doubled(plans, tmp_path, reference):
    shutil.copy(plans / "dupnitsa-2021.txt", plans / "zz-dupnitsa-copy.txt")
    db = tmp_path / "p.duckdb"
    result = build(plans, db, reference)
    assert query(db, "select count(*) from plans where municipality = 'Дупница'") == [(1,)]
    messages = [p.message for p in result.problems if p.category == "duplicate_plan"]
    assert len(messages) == 1 and "zz-dupnitsa-copy.txt" in messages[0] and "dupnitsa-2021.txt" in messages[0]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.txt", b"", "empty"),
        ("scan.txt", b"%PDF-1.4 binary", "PDF"),
        ("notes.txt", "Бележки без таблица\nвтори ред\n".encode(), "no recognisable plan table"),
        ("noyear.txt", "ОБЩИНА ДУПНИЦА\n№\tВид дейност / услуга\tОписание\tМестоположение\tФинансиране\t"
                       "Изпълняваща организация\n1\tЦОП\tx\tгр. Дупница\tДДД\tОбщина\n".encode(), "year"),
    ],
)
def test_bad_files_are_reported_and_the_others_load(plans, tmp_path, reference, name, content, words):
    (plans / name).write_bytes(content)
    result = build(plans, tmp_path / "p.duckdb", reference)
    assert len(result.plans) == 2
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1 and name in errors[0].message and words in errors[0].message
    stored = query(tmp_path / "p.duckdb", "select source_file, severity from build_report where severity = 'error'")
    assert stored == [(name, "error")]


def test_failed_build_leaves_previous_database_intact(plans, tmp_path, reference, monkeypatch):
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    before = query(db, "select count(*) from items")

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "result_tables", broken)  # after the plans' rows went in
    with pytest.raises(RuntimeError):
        build(plans, db, reference)
    assert query(db, "select count(*) from items") == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_second_build_refuses_while_one_is_writing(plans, tmp_path, reference):
    db = tmp_path / "p.duckdb"
    with build_lock(db), pytest.raises(BuildError, match="another build"):
        build(plans, db, reference)


def test_build_without_reference_completes_with_a_notice(plans, tmp_path):
    empty = tmp_path / "no-reference"
    empty.mkdir()
    db = tmp_path / "p.duckdb"
    result = build(plans, db, load_reference(empty))
    assert len(result.plans) == 2
    assert query(db, "select count(*) from plans where oblast is null and municipality_code is null") == [(2,)]
    assert query(db, "select count(*) from item_settlements where ekatte is not null") == [(0,)]
    notices = query(db, "select message from build_report where category = 'reference_missing'")
    assert len(notices) == 1 and str(empty) in notices[0][0]
    # settlements are still named from the text
    assert query(db, "select settlements from items where item_id = 'dupnitsa-2021:12'") == [("Дупница",)]


def test_cli_build_export_report(tmp_path):
    db, out = tmp_path / "p.duckdb", tmp_path / "export"
    built = run_cli("build", "--db", str(db), "--reference", str(reference_dir()))
    assert built.returncode == 0, built.stderr
    assert "plans: 5 of 5 municipalities, 2013–2021; records: 143" in built.stdout
    assert len(built.stdout.strip().splitlines()) <= 40  # a summary, not the report
    exported = run_cli("export", "--db", str(db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    with open(out / "plans.csv", encoding="utf-8") as f:
        plans = list(csv.DictReader(f))
    with open(out / "items.csv", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        items = list(reader)
    assert list(plans[0])[: len(CONTRACT_PLANS)] == CONTRACT_PLANS
    assert reader.fieldnames[: len(CONTRACT_ITEMS)] == CONTRACT_ITEMS
    assert len(plans) == 5 and len(items) == 143
    assert {p["plan_id"] for p in plans} == {"dupnitsa-2021", "kresna-2020", "stara-zagora-2015", "ihtiman-2020",
                                             "lyubimets-2013"}
    assert (out / "items.parquet").exists() and (out / "plans.parquet").exists()
    report = run_cli("report", "--db", str(db))
    assert report.returncode == 0
    assert report.stdout.count("accounted for: ") == 5
    one = run_cli("report", "--db", str(db), "--plan", "kresna-2020")
    assert one.returncode == 0 and one.stdout.count("accounted for: ") == 1 and "kresna-2020" in one.stdout
    problems = run_cli("report", "--db", str(db), "--problems-only")
    assert problems.returncode == 0 and "info" not in problems.stdout and "notice:" not in problems.stdout
    assert run_cli("report", "--db", str(db), "--plan", "nowhere-1999").returncode == 2


def test_cli_strict_fails_on_warnings_and_reports_bad_files(plans, tmp_path):
    (plans / "empty.txt").write_bytes(b"")
    db = tmp_path / "p.duckdb"
    relaxed = run_cli("build", "--plans", str(plans), "--db", str(db), "--reference", str(reference_dir()))
    assert relaxed.returncode == 0
    assert "empty.txt: the file is empty" in relaxed.stderr
    strict = run_cli("build", "--plans", str(plans), "--db", str(db), "--strict", "--quiet",
                     "--reference", str(reference_dir()))
    assert strict.returncode == 1


def test_cli_missing_plans_folder_is_a_one_line_error(tmp_path):
    done = run_cli("build", "--plans", str(tmp_path / "nowhere"), "--db", str(tmp_path / "p.duckdb"), "--quiet")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "nowhere" in done.stderr


TABLES = ["plans", "items", "item_settlements", "item_funding", "line_dispositions", "build_report", "service_types",
          "oblasts", "municipalities", "settlements"]


def dump(db: Path) -> dict[str, list[tuple]]:
    return {t: sorted(query(db, f"select * from {t}"), key=repr) for t in TABLES}


def assert_text_ranks(db: Path) -> None:
    """items.source_text_rank is the place of the item's text among the distinct texts in code point order (the
    order of DuckDB's text comparison), whichever plans were carried over or added."""
    rows = query(db, "select source_text, source_text_rank from items")
    place = {text: n for n, text in enumerate(sorted({text for text, _ in rows}), 1)}
    assert [rank for _, rank in rows] == [place[text] for text, _ in rows]


def test_incremental_rebuild_equals_a_full_build(plans, tmp_path, reference):
    db = tmp_path / "inc.duckdb"
    build(plans, db, reference)
    shutil.copy(PLANS / "kresna-2020.txt", plans / "kresna-2020.txt")  # added
    (plans / "lyubimets-2013.txt").unlink()  # removed
    changed = (PLANS / "dupnitsa-2021.txt").read_text(encoding="utf-8").replace("капацитет 220 места", "капацитет 230 места")
    (plans / "dupnitsa-2021.txt").write_text(changed, encoding="utf-8")  # changed
    shutil.copy(PLANS / "ihtiman-2020.txt", plans / "ihtiman-2020.txt")
    second = build(plans, db, reference)
    assert len(second.plans) == 3 and second.kept == []  # nothing unchanged yet: all read
    (plans / "stara-zagora-2015.txt").write_bytes((PLANS / "stara-zagora-2015.txt").read_bytes())
    third = build(plans, db, reference)
    assert [p.plan.plan_id for p in third.plans] == ["stara-zagora-2015"]
    assert sorted(k.plan_id for k in third.kept) == ["dupnitsa-2021", "ihtiman-2020", "kresna-2020"]
    full = tmp_path / "full.duckdb"
    build(plans, full, reference, use_cache=False)
    assert dump(db) == dump(full)
    assert_text_ranks(db)
    assert query(db, "select capacity from items where item_id = 'dupnitsa-2021:40'") == [(230,)]
    (plans / "ihtiman-2020.txt").unlink()  # a plan removed while the others are carried over
    fourth = build(plans, db, reference)
    assert fourth.plans == [] and len(fourth.kept) == 3
    build(plans, full, reference, use_cache=False)
    assert dump(db) == dump(full)
    assert_text_ranks(db)


def test_changed_code_or_reference_means_a_full_rebuild(plans, tmp_path, reference):
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    assert build(plans, db, reference).kept  # same salt: carried over
    empty = tmp_path / "no-reference"
    empty.mkdir()
    again = build(plans, db, load_reference(empty))
    assert again.kept == [] and len(again.plans) == 2
    assert query(db, "select count(*) from plans where oblast is null") == [(2,)]


def test_csv_export_defuses_spreadsheet_formulas(plans, tmp_path, reference):
    text = (plans / "dupnitsa-2021.txt").read_text(encoding="utf-8")
    (plans / "dupnitsa-2021.txt").write_text(text.replace("Община Дупница – местна дейност", "=HYPERLINK(\"x\")"),
                                             encoding="utf-8")
    db = tmp_path / "p.duckdb"
    build(plans, db, reference)
    assert run_cli("export", "--db", str(db), "--out", str(tmp_path / "out")).returncode == 0
    with open(tmp_path / "out" / "items.csv", encoding="utf-8") as f:
        rows = {r["source_line"]: r for r in csv.DictReader(f) if r["plan_id"] == "dupnitsa-2021"}
    assert rows["25"]["funding_raw"] == "'=HYPERLINK(\"x\")"
