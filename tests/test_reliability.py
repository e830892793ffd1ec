"""Reliability and safety of the ETL (issue #5): bad input, parser fuzzing, builds that cannot corrupt the
database, readers during a rebuild.

Every document is generated here (tests/fixtures/hostile.py) from the five sample plans. Figures (fuzz
cases run, kills survived, the 50 MB timing) are printed to the terminal even when output is captured.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings

from etl.build import build, build_lock, read_plan
from etl.lines.text import MAX_FILE_BYTES, ExtractError, decode
from etl.records.normalise import PlanError
from etl.tables.write import SCHEMA

from .fixtures import hostile
from .helpers import REPO, reference_dir

SAMPLES = hostile.SAMPLE_DIR
SAMPLE_ITEMS = 143  # records of the five sample plans (tests/test_load.py: "5 plans, 143 records")
TABLES = sorted(  # the schema's tables and the summary tables of derived.sql
    line.split()[-2] for sql in (SCHEMA, SCHEMA.with_name("derived.sql"))
    for line in sql.read_text(encoding="utf-8").splitlines()
    if line.lower().startswith(("create table", "create or replace table")))


def report(capsys, line: str) -> None:
    """A figure for the reliability report, shown even when pytest captures output."""
    with capsys.disabled():
        print(f"\n[reliability] {line}", end="")


@contextlib.contextmanager
def hang_guard(seconds: float, what: str):
    """Fail instead of hanging: SIGALRM interrupts code that runs longer than `seconds`."""

    class Hang(BaseException):  # BaseException: no `except Exception` in the ETL can swallow it
        pass

    def alarm(*_):
        raise Hang(f"{what} still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Hang as exc:
        pytest.fail(str(exc))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tables_of(db: Path) -> list[str]:
    return [r[0] for r in query(db, "select table_name from information_schema.tables order by 1")]


def copy_samples(folder: Path, names=hostile.SAMPLE_NAMES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
        os.chmod(folder / name, 0o644)
    return folder


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True, **kwargs)


def cli_build(plans: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "etl", "build", "--plans", str(plans), "--db", str(db), "--quiet",
            "--reference", str(reference_dir())]


# =====================================================================================================
# 1. Bad input: one clear error naming the file (and line), the other files still load
# =====================================================================================================

BAD_FILES = [
    ("empty.txt", b"", "the file is empty"),
    ("blank.txt", b"  \n\t\n\r\n", "the file is empty"),
    ("bom-only.txt", b"\xef\xbb\xbf\n", "the file is empty"),
    ("utf16-blank.txt", "\ufeff  \n\n".encode("utf-16"), "the file is empty"),
    ("word.txt", hostile.docx_bytes(hostile.sample_text("kresna-2020.txt")), "ZIP container (.docx"),
    ("scan.txt", hostile.pdf_bytes("ГОДИШЕН ПЛАН"), "PDF document"),
    ("old-word.txt", hostile.ole_doc_bytes(), "MS Office document"),
    ("picture.txt", hostile.png_bytes(), "binary content"),
    ("random.txt", hostile.random_binary(), "binary"),
    ("notes.txt", hostile.NO_TABLE.encode(), "no recognisable plan table"),
    ("no-municipality.txt", hostile.minimal_plan(municipality=None).encode(), "municipality cannot be determined"),
    ("no-year.txt", hostile.minimal_plan(year=None).encode(), "year cannot be determined"),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_gets_one_clear_error_naming_it_and_the_other_plans_load(tmp_path, reference, name, content,
                                                                          words):
    plans = copy_samples(tmp_path / "plans", ["dupnitsa-2021.txt", "lyubimets-2013.txt"])
    (plans / name).write_bytes(content)
    db = tmp_path / "p.duckdb"
    with hang_guard(30, f"build with {name}"):
        result = build(plans, db, reference)
    assert sorted(p.plan.source_file for p in result.plans) == ["dupnitsa-2021.txt", "lyubimets-2013.txt"]
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1, [e.message for e in errors]
    assert errors[0].source_file == name and errors[0].message.startswith(f"{name}: ")
    assert words in errors[0].message, errors[0].message
    assert "\n" not in errors[0].message and "Traceback" not in errors[0].message
    assert query(db, "select source_file, category from build_report where severity = 'error'") == [
        (name, errors[0].category)]
    assert query(db, "select count(*) from plans") == [(2,)]


def test_a_table_in_wordings_never_seen_is_read_by_column_role(tmp_path, reference):
    """A header in other words (№ | Услуга | Брой потребители | Бележка) is read by its columns' roles."""
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "unknown-layout.txt").write_text(hostile.UNKNOWN_LAYOUT, encoding="utf-8")
    result = build(plans, tmp_path / "p.duckdb", reference)
    assert [p for p in result.problems if p.severity == "error"] == []
    rows = query(tmp_path / "p.duckdb", "select item_no, service_type, capacity from items order by source_line")
    assert rows == [("1", "COP", 20), ("2", "HOME_HELPER", 15)]


def test_a_table_with_no_header_is_read_from_its_cells_and_flagged(tmp_path, reference):
    """No header row at all: the columns' roles come from what the cells hold, and every record says so."""
    plans = tmp_path / "plans"
    plans.mkdir()
    text = "\n".join([
        "ГОДИШЕН ПЛАН ЗА РАЗВИТИЕ НА СОЦИАЛНИТЕ УСЛУГИ В ОБЩИНА ДУПНИЦА ЗА 2021 ГОДИНА", "",
        "1.\tЦентър за обществена подкрепа\tгр. Дупница\tX\tX\tX\tX\tДДД\tОбщина Дупница",
        "2.\tДомашен социален патронаж\tс. Самораново\t\tX\tX\t\tОбщински бюджет\tОбщина Дупница", ""])
    (plans / "dupnitsa-2021.txt").write_text(text, encoding="utf-8")
    result = build(plans, tmp_path / "p.duckdb", reference)
    assert [p for p in result.problems if p.severity == "error"] == []
    rows = query(tmp_path / "p.duckdb", "select item_no, settlements, q1, q2, q3, q4, funding, review from items "
                                        "order by source_line")
    assert [r[:7] for r in rows] == [("1", "Дупница", 1, 1, 1, 1, "state_delegated"),
                                     ("2", "Самораново", 0, 1, 1, 0, "municipal")]
    assert all("no_header" in r[7].split(";") for r in rows)


ENCODED = {  # one sample plan per encoding, so that the five still load together
    "dupnitsa-2021.txt": "cp1251",
    "ihtiman-2020.txt": "utf-16",  # with BOM
    "kresna-2020.txt": "utf-16-le",  # without BOM
    "lyubimets-2013.txt": "utf-16-be",
    "stara-zagora-2015.txt": "utf-8-sig",
}


def test_cp1251_and_utf16_plans_load_like_utf8_and_the_encoding_is_recorded(tmp_path, reference, sample_db):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name, encoding in ENCODED.items():
        text = hostile.sample_text(name)
        if encoding == "cp1251":
            text = text.replace("\n", "\r\n")  # as Windows Notepad saves it
        (plans / name).write_bytes(text.encode(encoding))
    db = tmp_path / "p.duckdb"
    result = build(plans, db, reference)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert dict(query(db, "select source_file, encoding from plans")) == ENCODED
    columns = "item_id, name, description, service_type, capacity, status, funding, provider, source_lines, source_text"
    sql = f"select {columns} from items order by item_id"
    assert query(db, sql) == query(sample_db, sql)


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
@pytest.mark.parametrize("name", hostile.SAMPLE_NAMES)
def test_every_sample_plan_reads_the_same_in_every_encoding(tmp_path, reference, name, encoding):
    original = read_plan(SAMPLES / name, reference)
    path = tmp_path / name
    path.write_bytes(hostile.sample_text(name).replace("\n", "\r\n").encode(encoding))
    again = read_plan(path, reference)
    assert again.plan.encoding == encoding
    assert [(r.item_id, r.name, r.description, r.capacity, r.provider, r.source_text) for r in again.records] == [
        (r.item_id, r.name, r.description, r.capacity, r.provider, r.source_text) for r in original.records]


@pytest.mark.parametrize("damage", ["one corrupt byte", "cut mid-character"])
def test_utf8_plan_with_a_broken_byte_still_loads_as_utf8(tmp_path, reference, damage):
    """Not re-read as cp1251 mojibake ('no recognisable plan table'): a few bad bytes stay local."""
    data = hostile.sample_text("dupnitsa-2021.txt").encode("utf-8")
    if damage == "one corrupt byte":
        data = data[:3001] + b"\xff" + data[3001:]
    else:
        data = data + "ДДД".encode()[:-1]
    path = tmp_path / "dupnitsa-2021.txt"
    path.write_bytes(data)
    plan = read_plan(path, reference)
    assert plan.plan.encoding == "utf-8"
    assert len(plan.records) == len(read_plan(SAMPLES / "dupnitsa-2021.txt", reference).records)


@pytest.mark.parametrize("char", ["\x0b", "\x0c", "\x1c", "\x1e", "\x85", "\u2028", "\u2029"])
def test_control_characters_inside_a_cell_neither_split_the_row_nor_shift_line_numbers(tmp_path, reference, char):
    text = hostile.sample_text("dupnitsa-2021.txt")
    damaged = text.replace(" места", f"{char}места")
    assert damaged != text
    path = tmp_path / "dupnitsa-2021.txt"
    path.write_text(damaged, encoding="utf-8")
    plan = read_plan(path, reference)
    original = read_plan(SAMPLES / "dupnitsa-2021.txt", reference)
    assert [(r.item_id, r.source_lines) for r in plan.records] == [
        (r.item_id, r.source_lines) for r in original.records]
    assert [r.capacity for r in plan.records] == [r.capacity for r in original.records]


def test_two_files_for_the_same_municipality_and_year_load_one_and_report_the_other(tmp_path, reference):
    plans = copy_samples(tmp_path / "plans", ["kresna-2020.txt", "lyubimets-2013.txt"])
    (plans / "kresna-2020-copy-cp1251.txt").write_bytes(hostile.sample_text("kresna-2020.txt").encode("cp1251"))
    db = tmp_path / "p.duckdb"
    result = build(plans, db, reference)
    assert query(db, "select plan_id, source_file from plans order by 1") == [
        ("kresna-2020", "kresna-2020-copy-cp1251.txt"), ("lyubimets-2013", "lyubimets-2013.txt")]
    [dup] = [p for p in result.problems if p.category == "duplicate_plan"]
    assert dup.severity == "error" and dup.source_file == "kresna-2020.txt"
    assert "kresna-2020.txt" in dup.message and "kresna-2020-copy-cp1251.txt" in dup.message
    assert query(db, "select count(*) from items where plan_id = 'kresna-2020'") == [
        (len(read_plan(SAMPLES / "kresna-2020.txt", reference).records),)]


def test_a_50_mb_plan_is_refused_at_once_as_too_large_and_the_others_load(tmp_path, reference, capsys):
    """Decision: refuse. A real plan is 10-30 KB; 50 MB of rows is not one plan, and reading it took 84 s
    and 1.5 GB (80 000 records) before the size limit — longer than any build should take."""
    plans = copy_samples(tmp_path / "plans", ["kresna-2020.txt", "lyubimets-2013.txt"])
    big = plans / "dupnitsa-2021.txt"
    big.write_bytes(hostile.oversized_plan(50_000_000))
    size = big.stat().st_size
    assert size >= 50_000_000
    started = time.perf_counter()
    with hang_guard(60, "build with a 50 MB plan"):
        result = build(plans, tmp_path / "p.duckdb", reference)
    elapsed = time.perf_counter() - started
    report(capsys, f"50 MB plan ({size / 1e6:.1f} MB): build finished in {elapsed:.2f} s "
                   f"({len(result.plans)} plans loaded, the big file refused)")
    assert elapsed < 10
    [error] = [p for p in result.problems if p.severity == "error"]
    assert error.source_file == "dupnitsa-2021.txt" and "too large" in error.message
    assert f"{size / 1e6:.1f} MB" in error.message
    assert len(result.plans) == 2


def test_a_plan_under_the_size_limit_loads_in_proportionate_time(tmp_path, reference, capsys):
    path = tmp_path / "dupnitsa-2021.txt"
    path.write_bytes(hostile.oversized_plan(1_000_000))
    assert path.stat().st_size < MAX_FILE_BYTES
    started = time.perf_counter()
    with hang_guard(30, "reading a 1 MB plan"):
        plan = read_plan(path, reference)
    elapsed = time.perf_counter() - started
    report(capsys, f"1 MB plan: {len(plan.records)} records read in {elapsed:.2f} s")
    assert len(plan.records) > 1500
    assert elapsed < 15


def test_lines_with_thousands_of_cells_load_quickly_and_are_accounted_for(tmp_path, reference):
    plans = tmp_path / "plans"
    plans.mkdir()
    text = hostile.wide_plan(5000)
    (plans / "wide.txt").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    with hang_guard(30, "build with 5000-cell lines"):
        result = build(plans, tmp_path / "p.duckdb", reference)
    assert time.perf_counter() - started < 10
    assert len(result.plans) == 1
    nonempty = [i for i, ln in enumerate(hostile.file_lines(text), 1) if ln.strip()]
    db = tmp_path / "p.duckdb"
    assert [r[0] for r in query(db, "select line from line_dispositions order by line")] == nonempty
    names = {r[0] for r in query(db, "select name from items")}
    assert {"Център за обществена подкрепа", "Домашен помощник"} <= names


def test_injected_markup_sql_and_control_characters_are_stored_as_inert_text(tmp_path, reference):
    plans = copy_samples(tmp_path / "plans", ["lyubimets-2013.txt"])
    (plans / "hostile.txt").write_text(hostile.hostile_plan(), encoding="utf-8")
    db = tmp_path / "p.duckdb"
    result = build(plans, db, reference)
    assert [p for p in result.problems if p.severity == "error"] == []
    assert tables_of(db) == TABLES  # no table dropped, none added
    assert query(db, "select count(*) from plans") == [(2,)]
    rows = query(db, "select item_no, name, description, provider from items where source_file = 'hostile.txt' "
                     "order by seq")
    assert len(rows) == len(hostile.PAYLOADS)
    for (item_no, name, description, provider), key in zip(rows, hostile.PAYLOADS, strict=True):
        assert item_no == str(list(hostile.PAYLOADS).index(key) + 1)
        for value in (name, description, provider):
            assert isinstance(value, str) and key in value, (key, value)
            assert not hostile.CONTROL.search(value), (key, value)  # no terminal escapes, BEL, DEL
    stored = {key: row for key, row in zip(hostile.PAYLOADS, rows, strict=True)}
    for key in ("javascript", "template", "sql", "sql2", "formula"):  # plain text: kept exactly as written
        for value in stored[key][1:]:
            assert hostile.PAYLOADS[key] in value, (key, value)
    assert "49" not in " ".join(stored["template"][1:])  # nothing evaluated a template
    for key in ("script", "img"):  # markup: kept as text or reduced to text, never anything else
        for value in stored[key][1:]:
            assert value.count("<") == value.count(">")
    # and the verbatim source keeps the payload byte for byte
    texts = [r[0] for r in query(db, "select source_text from items where source_file = 'hostile.txt' order by seq")]
    assert all(p in t for p, t in zip(hostile.PAYLOADS.values(), texts, strict=True))


# =====================================================================================================
# 2. Fuzzing the parser: a plan or ExtractError / PlanError, never anything else, never a hang
# =====================================================================================================

FUZZ_EXAMPLES = int(os.environ.get("SSP_FUZZ_EXAMPLES", "200"))
FUZZ_SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=2000, database=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_plan_invariants(data: bytes, plan) -> None:
    text, _ = decode(data)
    lines = hostile.file_lines(text)
    nonempty = [i for i, ln in enumerate(lines, 1) if ln.strip()]
    # every non-empty line has exactly one disposition (and no other line has one)
    assert [d[0] for d in plan.dispositions] == nonempty
    disposition = {line: (kind, item) for line, kind, item, _ in plan.dispositions}
    ids = [r.item_id for r in plan.records]
    assert len(ids) == len(set(ids)), "item_id not unique"
    assert {item for _, item in disposition.values() if item} <= set(ids)
    for r in plan.records:
        assert r.source_line in disposition and r.source_line == r.source_lines[0]
        assert r.source_text == "\n".join(lines[n - 1] for n in r.source_lines)
        for n in r.source_lines:
            assert disposition[n] in (("record", r.item_id), ("continuation", r.item_id)), (n, disposition[n])


def run_fuzz(strategy_name: str, folder: Path, reference, capsys) -> None:
    outcomes: Counter[str] = Counter()
    read_plan(SAMPLES / "dupnitsa-2021.txt", reference)  # warm caches so the first example meets the deadline

    @FUZZ_SETTINGS
    @given(hostile.STRATEGIES[strategy_name])
    def fuzz(case):
        label, data = case
        path = folder / "fuzzed-plan.txt"
        path.write_bytes(data)
        outcomes["cases"] += 1
        with hang_guard(20, f"read_plan on a mutated {label}"):
            try:
                plan = read_plan(path, reference)
            except (ExtractError, PlanError) as exc:
                assert str(exc).strip(), "an error without a message"
                outcomes[type(exc).__name__] += 1
                return
        outcomes["plans"] += 1
        check_plan_invariants(data, plan)

    fuzz()
    report(capsys, f"fuzz {strategy_name}: {outcomes['cases']} cases — {outcomes['plans']} plans, "
                   f"{outcomes['ExtractError']} ExtractError, {outcomes['PlanError']} PlanError")
    assert outcomes["cases"] >= min(FUZZ_EXAMPLES, 50)
    assert outcomes["plans"] > 0  # the mutations are not all so destructive that nothing is parsed


@pytest.mark.parametrize("strategy_name", list(hostile.STRATEGIES))
def test_fuzzed_plans_give_a_plan_or_a_clear_error_never_a_crash_or_hang(tmp_path, reference, capsys,
                                                                          strategy_name):
    run_fuzz(strategy_name, tmp_path, reference, capsys)


# =====================================================================================================
# 3. Builds that cannot corrupt: SIGKILL at random moments, leftovers, two builds at once
# =====================================================================================================


def fingerprint(db: Path) -> tuple:
    """What a complete database looks like: all tables, plans, items, and build_info agreeing with them.
    Raises if the file cannot be opened or read."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        plans = con.execute("select count(*) from plans").fetchone()[0]
        items, digest = con.execute("select count(*), sum(hash(item_id, name, description, source_text)) "
                                    "from items").fetchone()
        info = dict(con.execute("select key, value from build_info").fetchall())
        dispositions = con.execute("select count(*) from line_dispositions").fetchone()[0]
    finally:
        con.close()
    assert tables == TABLES
    assert info["plans_loaded"] == str(plans) and info["records"] == str(items)
    return plans, items, int(digest), dispositions


@pytest.fixture(scope="module")
def two_plan_sets(tmp_path_factory):
    """Two plan folders whose databases differ (5 plans / 4 plans), with the fingerprint of each."""
    root = tmp_path_factory.mktemp("sets")
    five = copy_samples(root / "five")
    four = copy_samples(root / "four", [n for n in hostile.SAMPLE_NAMES if n != "stara-zagora-2015.txt"])
    out = {}
    for folder in (five, four):
        db = root / f"{folder.name}.duckdb"
        started = time.perf_counter()
        done = subprocess.run(cli_build(folder, db), cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        out[folder.name] = (folder, fingerprint(db), time.perf_counter() - started)
    assert out["five"][1][:2] == (5, SAMPLE_ITEMS)
    assert out["four"][1][0] == 4
    return out


KILL_ROUNDS = int(os.environ.get("SSP_KILL_ROUNDS", "30"))


def leftovers(folder: Path, db: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(f"{db.name}.tmp-")]


@pytest.mark.slow
def test_build_killed_at_random_moments_leaves_the_old_or_the_new_database_never_a_broken_one(
        tmp_path, two_plan_sets, capsys):
    db = tmp_path / "plans.duckdb"
    shutil.copy(two_plan_sets["five"][0].parent / "five.duckdb", db)
    current = "five"
    # every build below switches an existing database to the other plan set, mostly carrying plans over:
    # time one such build (not the first, full ones), so that the kills land inside builds of that length
    probe = tmp_path / "probe" / db.name
    probe.parent.mkdir()
    shutil.copy(db, probe)
    started = time.perf_counter()
    subprocess.run(cli_build(two_plan_sets["four"][0], probe), cwd=REPO, capture_output=True, check=True)
    duration = time.perf_counter() - started
    seed = int(os.environ.get("SSP_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    kills, finished, torn_writes = 0, 0, 0
    for rounds in range(1, KILL_ROUNDS + 1):
        target = "four" if current == "five" else "five"
        before = set(leftovers(tmp_path, db))
        proc = subprocess.Popen(cli_build(two_plan_sets[target][0], db), cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # half the rounds anywhere in the build, half in its second half, where the database is written
        time.sleep(rng.uniform(0 if rounds % 2 else duration / 2, duration))
        proc.kill()  # SIGKILL
        proc.wait()
        if proc.returncode == 0:
            finished += 1
        else:
            assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
            kills += 1
            torn_writes += bool(set(leftovers(tmp_path, db)) - before)
        proc.stderr.close()
        try:
            found = fingerprint(db)
        except Exception as exc:  # noqa: BLE001 - any failure to read is the bug this test looks for
            pytest.fail(f"round {rounds} (seed {seed}): the database is broken after SIGKILL: {exc!r}")
        assert found in (two_plan_sets[current][1], two_plan_sets[target][1]), (
            f"round {rounds} (seed {seed}): neither the previous nor the new database: {found}")
        if found == two_plan_sets[target][1]:
            current = target
    report(capsys, f"SIGKILL: {rounds} builds, {kills} killed ({torn_writes} while writing the temporary "
                   f"database), {finished} finished first; database intact every time (seed {seed}, "
                   f"delays 0-{duration:.2f} s)")
    assert kills >= KILL_ROUNDS // 3  # most rounds really were killed
    # leftover temporary files of the killed builds do not break the next build
    stale = leftovers(tmp_path, db)
    done = subprocess.run(cli_build(two_plan_sets["five"][0], db), cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert fingerprint(db) == two_plan_sets["five"][1]
    report(capsys, f"SIGKILL: {len(stale)} temporary files left by killed builds; the next build succeeded")


def test_leftover_temporary_and_wal_files_do_not_break_the_next_build(tmp_path, two_plan_sets, reference):
    db = tmp_path / "plans.duckdb"
    shutil.copy(two_plan_sets["four"][0].parent / "four.duckdb", db)
    garbage = b"\x00garbage from a killed build" * 100
    for name in (f"{db.name}.tmp-{os.getpid()}", f"{db.name}.tmp-{os.getpid()}.wal", f"{db.name}.tmp-1",
                 f"{db.name}.tmp-999999", f"{db.name}.wal", f"{db.name}.lock"):
        (tmp_path / name).write_bytes(garbage)
    build(two_plan_sets["five"][0], db, reference)  # this process: its own pid's stale file is in the way
    assert fingerprint(db) == two_plan_sets["five"][1]
    assert not (tmp_path / f"{db.name}.wal").exists()  # a stale log is never replayed onto the new file


def test_temporary_files_of_killed_builds_are_removed_by_the_next_build(tmp_path, two_plan_sets, reference):
    db = tmp_path / "plans.duckdb"
    shutil.copy(two_plan_sets["four"][0].parent / "four.duckdb", db)
    shutil.copy(db, tmp_path / f"{db.name}.tmp-999999")  # as a build killed while writing leaves it
    build(two_plan_sets["five"][0], db, reference)
    assert leftovers(tmp_path, db) == []


def test_a_build_refuses_with_exit_2_while_another_is_writing_and_the_database_is_untouched(
        tmp_path, two_plan_sets):
    db = tmp_path / "plans.duckdb"
    shutil.copy(two_plan_sets["four"][0].parent / "four.duckdb", db)
    with build_lock(db):
        done = subprocess.run(cli_build(two_plan_sets["five"][0], db), cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2
    assert f"another build is writing {db}" in done.stderr
    assert fingerprint(db) == two_plan_sets["four"][1]
    assert leftovers(tmp_path, db) == []


@pytest.mark.slow
def test_two_builds_started_at_once_one_succeeds_the_other_refuses_or_follows_never_a_broken_file(
        tmp_path, two_plan_sets, capsys):
    db = tmp_path / "plans.duckdb"
    outcomes = Counter()
    for _ in range(2):
        procs = [subprocess.Popen(cli_build(two_plan_sets["five"][0], db), cwd=REPO, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [(p.wait(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stderr.close()
        for code, stderr in results:
            assert code in (0, 2), stderr
            if code == 2:
                assert "another build is writing" in stderr, stderr
            outcomes[code] += 1
        assert 0 in [code for code, _ in results]
        assert fingerprint(db) == two_plan_sets["five"][1]
    assert leftovers(tmp_path, db) == []
    report(capsys, f"two builds at once, twice: {outcomes[0]} succeeded, {outcomes[2]} refused "
                   "('another build is writing'); the database complete each time")


# =====================================================================================================
# 4. Readers during a rebuild
# =====================================================================================================

READ_NEW = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from plans").fetchone()[0], con.execute("select count(*) from items").fetchone()[0])
"""


def test_a_reader_keeps_the_old_data_while_a_build_replaces_the_file_and_a_new_connection_sees_the_new(
        tmp_path, two_plan_sets, reference):
    db = tmp_path / "plans.duckdb"
    shutil.copy(two_plan_sets["five"][0].parent / "five.duckdb", db)
    old = two_plan_sets["five"][1]
    reader = duckdb.connect(str(db), read_only=True)
    try:
        assert reader.execute("select count(*) from plans").fetchone() == (5,)  # opened before the build
        build(two_plan_sets["four"][0], db, reference)
        # the old connection reads the whole old database, every table, without error
        items, digest = reader.execute("select count(*), sum(hash(item_id, name, description, source_text)) "
                                       "from items").fetchone()
        assert (items, int(digest)) == old[1:3]
        assert reader.execute("select count(*) from plans").fetchone() == (5,)
        for table in TABLES:
            reader.execute(f"select * from {table}").fetchall()
        # a new connection (another process: DuckDB shares one instance per path within a process)
        done = subprocess.run([sys.executable, "-c", READ_NEW, str(db)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [str(n) for n in two_plan_sets["four"][1][:2]]
    finally:
        reader.close()
    # in this process too, once the old connection is closed
    assert fingerprint(db) == two_plan_sets["four"][1]
