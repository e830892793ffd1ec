"""Golden tests: the export must reproduce the records read by hand from the sample plans.

The expected values in tests/golden/ were written by reading the documents (see
tests/golden/NOTES.md for the judgement calls), never by running the ETL. If a value here
disagrees with the ETL, decide which one misreads the document; do not regenerate the goldens
from the program's output.

The database and the export are built once per session with the project's CLI:

    python -m etl build --plans data/plans --db <tmp>/plans.duckdb --reference <reference dir>
    python -m etl export --db <tmp>/plans.duckdb --out <tmp>/export

The reference dir is $SSP_REFERENCE_DIR, else ../shared/reference next to the repository.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).parents[1]
GOLDEN_DIR = Path(__file__).parent / "golden"

# Columns of the golden item files, and how each is compared.
NUMERIC_FIELDS = ("capacity", "capacity_before", "staff", "units", "q1", "q2", "q3", "q4", "amount_bgn")
FIELD_ORDER = (
    "item_no", "section", "name_start", "service_type", "capacity", "capacity_before", "capacity_unit",
    "staff", "units", "status", "funding", "settlements", "scope", "q1", "q2", "q3", "q4", "amount_bgn",
)
PLAN_FIELDS = ("municipality", "oblast", "year", "items")


def _reference_dir() -> Path:
    env = os.environ.get("SSP_REFERENCE_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "reference"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k: (v if v is not None else "") for k, v in row.items()} for row in csv.DictReader(f)]


def _line_key(value: str) -> str:
    """'12', '12.0', ' 12 ' -> '12' (source_line as written by any CSV writer)."""
    v = (value or "").strip()
    try:
        f = float(v)
    except ValueError:
        return v
    return str(int(f)) if f.is_integer() else v


def _as_number(value: str) -> float | None:
    v = (value or "").strip()
    if v == "":
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return None if math.isnan(f) else f


def _is_empty(value: str) -> bool:
    v = (value or "").strip()
    return v == "" or v.lower() in ("nan", "none", "null", "<na>")


def _same_number(expected: str, actual: str) -> bool:
    if _is_empty(expected):
        return _is_empty(actual)
    if _is_empty(actual):
        return False
    e, a = _as_number(expected), _as_number(actual)
    if e is None or a is None:
        return expected.strip() == actual.strip()
    return math.isclose(e, a, rel_tol=0, abs_tol=1e-6)


def _same_text(expected: str, actual: str) -> bool:
    if _is_empty(expected):
        return _is_empty(actual)
    return expected.strip() == (actual or "").strip()


def _same_item_no(expected: str, actual: str) -> bool:
    # "12" == "12.0" (a float column), otherwise exact text
    if _is_empty(expected) or _is_empty(actual):
        return _is_empty(expected) and _is_empty(actual)
    return _same_number(expected, actual) if _as_number(expected) is not None else _same_text(expected, actual)


# ---------------------------------------------------------------- golden data (collected at import)

def _golden_files() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*-*.csv"))


GOLDEN: dict[str, list[dict[str, str]]] = {p.stem: _read_csv(p) for p in _golden_files()}
GOLDEN_PLANS: dict[str, dict[str, str]] = {
    row["plan_id"]: row for row in _read_csv(GOLDEN_DIR / "plans.csv")
} if (GOLDEN_DIR / "plans.csv").exists() else {}

ROW_CASES = [
    pytest.param(plan_id, row, id=f"{plan_id}:L{_line_key(row['source_line'])}")
    for plan_id, rows in GOLDEN.items()
    for row in rows
]


# ---------------------------------------------------------------- build once per session

def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(
            f"CLI failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"--- stderr ---\n{proc.stderr}\n--- stdout ---\n{proc.stdout}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("golden_build")
    db = tmp / "plans.duckdb"
    out = tmp / "export"
    _run([sys.executable, "-m", "etl", "build", "--plans", "data/plans", "--db", str(db),
          "--reference", str(_reference_dir())])
    _run([sys.executable, "-m", "etl", "export", "--db", str(db), "--out", str(out)])
    for name in ("items.csv", "plans.csv"):
        if not (out / name).is_file():
            pytest.fail(f"export did not write {out / name}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def actual_items(export_dir: Path) -> dict[str, dict[str, list[dict[str, str]]]]:
    """plan_id -> source_line -> export rows starting on that line."""
    rows = _read_csv(export_dir / "items.csv")
    if rows:
        missing = {"plan_id", "source_line"} - set(rows[0])
        if missing:
            pytest.fail(f"items.csv lacks columns {sorted(missing)}", pytrace=False)
    by_plan: dict[str, dict[str, list[dict[str, str]]]] = {}
    for row in rows:
        by_plan.setdefault(row["plan_id"].strip(), {}).setdefault(_line_key(row["source_line"]), []).append(row)
    return by_plan


@pytest.fixture(scope="session")
def actual_plans(export_dir: Path) -> dict[str, dict[str, str]]:
    return {row["plan_id"].strip(): row for row in _read_csv(export_dir / "plans.csv")}


# ---------------------------------------------------------------- tests

def test_golden_files_present() -> None:
    assert GOLDEN, f"no golden item files in {GOLDEN_DIR}"
    assert set(GOLDEN) == set(GOLDEN_PLANS), (
        f"tests/golden/plans.csv lists {sorted(GOLDEN_PLANS)}, item files are {sorted(GOLDEN)}"
    )
    for plan_id, rows in GOLDEN.items():
        assert str(len(rows)) == GOLDEN_PLANS[plan_id]["items"].strip(), (
            f"{plan_id}: plans.csv says {GOLDEN_PLANS[plan_id]['items']} items, golden file has {len(rows)}"
        )


@pytest.mark.parametrize("plan_id", sorted(GOLDEN))
def test_record_lines(plan_id: str, actual_items) -> None:
    expected = {_line_key(r["source_line"]) for r in GOLDEN[plan_id]}
    actual_by_line = actual_items.get(plan_id, {})
    actual = set(actual_by_line)
    missing = sorted(expected - actual, key=lambda s: (len(s), s))
    extra = sorted(actual - expected, key=lambda s: (len(s), s))
    doubled = sorted((ln for ln, rows in actual_by_line.items() if len(rows) > 1), key=lambda s: (len(s), s))
    problems = []
    if missing:
        problems.append(f"missing records at lines {missing}")
    if extra:
        problems.append(
            "extra records at lines "
            + ", ".join(f"{ln} ({actual_by_line[ln][0].get('name', '')[:40]!r})" for ln in extra)
        )
    if doubled:
        problems.append(f"several records start on lines {doubled}")
    assert not problems, f"{plan_id}: " + "; ".join(problems)


@pytest.mark.parametrize(("plan_id", "expected"), ROW_CASES)
def test_record_fields(plan_id: str, expected: dict[str, str], actual_items) -> None:
    line = _line_key(expected["source_line"])
    rows = actual_items.get(plan_id, {}).get(line, [])
    assert rows, f"{plan_id}: no record starts on line {line} (expected {expected['name_start']!r})"
    assert len(rows) == 1, f"{plan_id}: {len(rows)} records start on line {line}"
    actual = rows[0]

    mismatches = []
    for field in FIELD_ORDER:
        exp = expected.get(field, "")
        if field == "name_start":
            name = actual.get("name")
            if name is None:
                mismatches.append("name: column missing in items.csv")
            elif not name.strip().startswith(exp.strip()):
                mismatches.append(f"name: expected to start with {exp!r}, got {name[:80]!r}")
            continue
        if field not in actual:
            mismatches.append(f"{field}: column missing in items.csv")
            continue
        got = actual[field]
        if field == "item_no":
            ok = _same_item_no(exp, got)
        elif field in NUMERIC_FIELDS:
            ok = _same_number(exp, got)
        else:
            ok = _same_text(exp, got)
        if not ok:
            mismatches.append(f"{field}: expected {exp!r}, got {got!r}")
    assert not mismatches, f"{plan_id}:L{line}\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize("plan_id", sorted(GOLDEN_PLANS))
def test_plan_row(plan_id: str, actual_plans) -> None:
    expected = GOLDEN_PLANS[plan_id]
    assert plan_id in actual_plans, f"plans.csv has no row for {plan_id} (has {sorted(actual_plans)})"
    actual = actual_plans[plan_id]
    mismatches = []
    for field in PLAN_FIELDS:
        if field not in actual:
            mismatches.append(f"{field}: column missing in plans.csv")
            continue
        ok = _same_number(expected[field], actual[field]) if field in ("year", "items") \
            else _same_text(expected[field], actual[field])
        if not ok:
            mismatches.append(f"{field}: expected {expected[field]!r}, got {actual[field]!r}")
    assert not mismatches, f"{plan_id}\n  " + "\n  ".join(mismatches)
