"""What tests share: paths, the reference directory, running the ETL, reading a Dash tree, waiting in a
browser, comparing query results. Tests import from here, never from each other or from bench/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PLANS = REPO / "data" / "plans"


def reference_dir() -> Path:
    """The EKATTE reference directory used by tests (SSP_REFERENCE_DIR or ../shared/reference)."""
    return Path(os.environ.get("SSP_REFERENCE_DIR", REPO.parent / "shared" / "reference"))


def until(dash_duo, check, timeout: float = 10):
    """Wait until check() returns something truthy; return it."""
    end = time.time() + timeout
    while True:
        try:
            value = check()
        except Exception:  # noqa: BLE001 — element not rendered yet
            value = None
        if value or time.time() > end:
            assert value, "condition not met in time"
            return value
        time.sleep(0.2)


def current_query(dash_duo) -> str:
    return dash_duo.driver.execute_script("return decodeURIComponent(window.location.search);")


def severe_logs(dash_duo) -> list:
    return [entry for entry in dash_duo.get_logs() or [] if entry.get("level") == "SEVERE"]


def texts(component) -> list[str]:
    """All strings inside a Dash component tree (what a reader sees)."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [s for c in component for s in texts(c)]
    spec = getattr(component, "data-table", None)
    if spec is not None:  # a page table (components.table): the text of every cell (a number column's formatted text)
        return [text for row in json.loads(spec)["rows"] for text in row]
    return texts(getattr(component, "children", None))


def run_etl(*args: str) -> None:
    """`python -m etl ARGS` in the repository; fails the test when it exits non-zero."""
    done = subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


QUERIES = REPO / "queries"


LISTS = ("oblasts", "municipalities", "years", "target_groups", "service_types")


def filter_states(con) -> list[dict]:
    """All; each oblast / a municipality / years / target groups / service types alone and combined;
    a value that matches nothing."""
    def values(sql):
        return [r[0] for r in con.execute(sql).fetchall()]

    oblasts = values("select distinct oblast from plans where oblast is not null order by 1")
    municipalities = values("select municipality from items group by 1 order by count(*) desc, 1")
    years = values("select distinct year from plans order by 1")
    groups = values("select distinct target_group from service_types order by 1")
    types = values("select service_type from items where service_type is not null group by 1 order by count(*) desc, 1")
    empty = dict.fromkeys(LISTS, [])
    states = [empty, {**empty, "oblasts": ["none such"]}, {**empty, "years": years[-3:]},
              {**empty, "years": years[:1]}, {**empty, "municipalities": municipalities[:1]},
              {**empty, "municipalities": municipalities[-2:], "years": years[-2:]}]
    states += [{**empty, "oblasts": [o]} for o in oblasts[:3]]
    states += [{**empty, "target_groups": [g]} for g in groups]
    states += [{**empty, "service_types": types[:1]}, {**empty, "service_types": types[-2:]},
               {**empty, "target_groups": groups[:2], "years": years[-2:]},
               {**empty, "oblasts": oblasts[:1], "service_types": types[:3]},
               {**empty, "municipalities": municipalities[:2], "target_groups": groups[-1:]}]
    return states


def run(con, sql: str, params: dict) -> pd.DataFrame:
    wanted = {k: v for k, v in params.items() if f"${k}" in sql}
    return con.execute(sql, wanted).df()


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(want.columns), what
    assert list(got.dtypes.astype(str)) == list(want.dtypes.astype(str)), what
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_exact=True,
                                  obj=what)


def score_against_key(plans: Path, key: Path, work: Path, verbose: bool = False) -> tuple[float, bool, int, str]:
    """Build and export the plans of a folder, then score the export against a key (key/items_key.csv,
    key/plans_key.csv) with the test plans' scorer (tests/fixtures/score.py, as shipped with them): (field
    accuracy, every plan's municipality, oblast and year right, rows of the key not found, what it printed)."""
    db, out = work / "plans.duckdb", work / "export"
    for command in (["build", "--plans", str(plans), "--db", str(db), "--quiet"],
                    ["export", "--db", str(db), "--out", str(out)]):
        done = subprocess.run([sys.executable, "-m", "etl", *command], cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    scorers = str(REPO / "tests" / "fixtures")
    sys.path.insert(0, scorers)
    try:
        import importlib

        scorer = importlib.import_module("score")
        scorer = importlib.reload(scorer)
        from contextlib import redirect_stdout
        from io import StringIO

        printed = StringIO()
        with redirect_stdout(printed):
            accuracy, plans_ok, unmatched = scorer.main(str(key / "items_key.csv"), str(key / "plans_key.csv"), str(out))
    finally:
        sys.path.remove(scorers)
        sys.modules.pop("score", None)
    return accuracy, plans_ok, unmatched, printed.getvalue()


ONES = ["", "едно", "две", "три", "четири", "пет", "шест", "седем", "осем", "девет"]
TEENS = ["десет", "единадесет", "дванадесет", "тринадесет", "четиринадесет", "петнадесет", "шестнадесет",
         "седемнадесет", "осемнадесет", "деветнадесет"]
TENS = ["", "", "двадесет", "тридесет", "четиридесет", "петдесет", "шестдесет", "седемдесет", "осемдесет",
        "деветдесет"]
HUNDREDS = ["", "сто", "двеста", "триста", "четиристотин", "петстотин", "шестстотин", "седемстотин",
            "осемстотин", "деветстотин"]


def number_words(n: int) -> str:
    """1–999 in Bulgarian words (neuter), 'и' before the last part: 'сто и пет', 'сто двадесет и пет'."""
    if not 1 <= n <= 999:
        raise ValueError(n)
    h, rest = divmod(n, 100)
    parts = [HUNDREDS[h]] if h else []
    if 10 <= rest < 20:
        parts.append(TEENS[rest - 10])
    else:
        parts += [p for p in (TENS[rest // 10], ONES[rest % 10]) if p]
    return " ".join(parts[:-1] + ["и", parts[-1]]) if len(parts) > 1 else parts[0]
