"""Benchmark: latency (p50/p95) of every page callback and of every query it runs, against a database.

    python bench/dashboard_latency.py [--db PATH] [--national] [--repeat N] [--json FILE]

Default database: data/build/plans.duckdb (build it with `python -m etl build`). `--national` uses the
national-scale synthetic database /tmp/dash-nat/plans.duckdb (265 municipalities × 2013-2026, ~140k
records), building it first when it is missing. Each callback is called as a plain function with no
filters, with one oblast and with one municipality selected, in Bulgarian.

For every callback the table shows the callback's own p50/p95, the p50/p95 of the time spent in the SQL
it runs (summed over its queries) and the ratio callback p95 / SQL p95. The issue's targets: callback
p95 ≤ 100 ms and ≤ 2× its SQL; every query p95 ≤ 30 ms at national scale. The second table shows each
query on its own (params of the "all" case).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import app  # noqa: E402,F401  (registers the pages)
from dashboard import db  # noqa: E402
from dashboard.pages import capacity, changes, coverage, data, funding, overview  # noqa: E402
from dashboard.state import filter_params  # noqa: E402

NATIONAL_DIR = Path("/tmp/dash-nat")
NATIONAL_DB = NATIONAL_DIR / "plans.duckdb"
GRID_REQUEST = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}


def cases(f: tuple, plan_id: str) -> dict:
    """callback name -> a call of it with the filter values `f` (oblast, municipality, year, group, type)."""
    out = {
        "overview.update": lambda: overview.update(*f, "bg"),
        "capacity.update": lambda: capacity.update(*f, "service_type", "bg"),
        "funding.update": lambda: funding.update(*f, "services", "bg"),
        "coverage.plan_options": lambda: coverage.plan_options(*f, None),
        "coverage.update": lambda: coverage.update(plan_id, None, None, "bg", []),
        "coverage.update_map": lambda: coverage.update_map(*f, "bg"),
        "changes.update": lambda: changes.update(*f, "bg"),
    }
    if hasattr(data, "rows_page"):  # server-side paging
        out["data.rows_page"] = lambda: data.rows_page(GRID_REQUEST, *f, "bg")
        out["data.download_rows"] = lambda: data.download_rows(1, {}, [], *f)
    else:
        out["data.update"] = lambda: data.update(*f, "bg")
        out["data.download_rows"] = lambda: data.download_rows(1, data.update(*f, "bg"))
    return out


def percentile(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, round(q * (len(times) - 1)))]


def measure(fn, repeat: int) -> tuple[list[float], list[float], list[str]]:
    """Wall time of each call and the time spent in SQL during it (ms); names of the queries run."""
    spent: list[tuple[str, float]] = []
    db.set_observer(lambda name, ms: spent.append((name, ms)))
    try:
        fn()  # warm-up: query text cache, connection
        total, sql = [], []
        for _ in range(repeat):
            spent.clear()
            start = time.perf_counter()
            fn()
            total.append((time.perf_counter() - start) * 1000)
            sql.append(sum(ms for _, ms in spent))
        names = sorted({name for name, _ in spent})
    finally:
        db.set_observer(None)
    return total, sql, names


def ensure_national() -> Path:
    if not NATIONAL_DB.is_file():
        run = [sys.executable, "-m", "etl"]
        subprocess.run([*run, "synth", "--out", str(NATIONAL_DIR), "--municipalities", "265",
                        "--years", "2013-2026", "--seed", "1"], cwd=REPO, check=True)
        subprocess.run([*run, "build", "--plans", str(NATIONAL_DIR / "plans"), "--db", str(NATIONAL_DB),
                        "--quiet"], cwd=REPO, check=True)
    return NATIONAL_DB


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(db.DEFAULT_DB))
    parser.add_argument("--national", action="store_true", help=f"use (and build if missing) {NATIONAL_DB}")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    path = str(ensure_national()) if args.national else args.db
    db.set_database(path)
    plans = db.run_query("coverage_plans", oblasts=[], municipalities=[], years=[])
    if plans.empty:
        sys.exit(f"no plans in {path}")
    first = plans.iloc[0]
    oblast = db.run_query("completeness", **filter_params(municipality=[first["municipality"]]))["oblast"].iloc[0]
    filters = {"all": (None, None, None, None, None)}
    if isinstance(oblast, str):
        filters["oblast"] = ([oblast], None, None, None, None)
    filters["municipality"] = (None, [first["municipality"]], None, None, None)
    items = db.run_query("reference_counts").iloc[0]
    print(f"database: {path} ({len(plans)} plans), repeat {args.repeat}, times in ms")
    print(f"{'callback':24} {'filter':>12} {'p50':>7} {'p95':>7} {'sql p50':>8} {'sql p95':>8} {'ratio':>6}  ok")
    results: dict = {"db": path, "plans": int(items["plans"]), "callbacks": [], "queries": []}
    query_times: dict[str, list[float]] = defaultdict(list)
    for label, f in filters.items():
        for name, fn in cases(f, first["plan_id"]).items():
            try:
                total, sql, names = measure(fn, args.repeat)
            except Exception as exc:  # noqa: BLE001 — a failing callback is a result too
                print(f"{name:24} {label:>12} ERROR {type(exc).__name__}: {exc}")
                results["callbacks"].append({"callback": name, "filter": label, "error": repr(exc)})
                continue
            p50, p95 = statistics.median(total), percentile(total, 0.95)
            s50, s95 = statistics.median(sql), percentile(sql, 0.95)
            ratio = p95 / s95 if s95 else float("inf")
            ok = p95 <= 100 and (ratio <= 2 or p95 - s95 <= 5)
            print(f"{name:24} {label:>12} {p50:7.1f} {p95:7.1f} {s50:8.1f} {s95:8.1f} {ratio:6.2f}  "
                  f"{'yes' if ok else 'NO'}")
            results["callbacks"].append({"callback": name, "filter": label, "p50": p50, "p95": p95,
                                         "sql_p50": s50, "sql_p95": s95, "queries": names})
    # every query on its own, with the "all" parameters
    params = {"plan_id": first["plan_id"], "limit": 200, "max_series": 8, **filter_params()}
    if hasattr(data, "grid_params"):
        params.update(data.grid_params(None, "bg", data.PAGE_SIZE))
    print(f"\n{'query':32} {'p50':>7} {'p95':>7}  ok (≤ 30 ms)")
    for name in sorted(db.dashboard_queries()):
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            db.run_query(name, **params)
            query_times[name].append((time.perf_counter() - start) * 1000)
        times = query_times[name][1:]
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        print(f"{name:32} {p50:7.1f} {p95:7.1f}  {'yes' if p95 <= 30 else 'NO'}")
        results["queries"].append({"query": name, "p50": p50, "p95": p95})
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
