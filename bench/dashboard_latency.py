"""Benchmark: latency (p50/p95) of every page callback, called as plain functions, against a database.

    python bench/dashboard_latency.py [--db PATH] [--repeat N]

Default database: data/build/plans.duckdb (build it with `python -m etl build`). Each callback is run
with no filters and with one municipality selected, in Bulgarian.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app  # noqa: E402,F401  (registers the pages)
from dashboard import db  # noqa: E402
from dashboard.pages import capacity, changes, coverage, data, funding, overview  # noqa: E402


def cases(municipality: list[str], plan_id: str) -> dict:
    f = (None, municipality, None, None, None)
    return {
        "overview.update": lambda: overview.update(*f, "bg"),
        "capacity.update": lambda: capacity.update(*f, "service_type", "bg"),
        "funding.update": lambda: funding.update(*f, "services", "bg"),
        "coverage.plan_options": lambda: coverage.plan_options(*f, None),
        "coverage.update": lambda: coverage.update(plan_id, None, None, "bg", []),
        "coverage.update_map": lambda: coverage.update_map(*f, "bg"),
        "changes.update": lambda: changes.update(*f, "bg"),
        "data.update": lambda: data.update(*f, "bg"),
        "data.download_rows": lambda: data.download_rows(1, data.update(*f, "bg")),
    }


def measure(fn, repeat: int) -> list[float]:
    fn()  # warm-up: query text cache, connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(db.DEFAULT_DB))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    db.set_database(args.db)
    plans = db.run_query("coverage_plans", oblasts=[], municipalities=[], years=[])
    if plans.empty:
        sys.exit(f"no plans in {args.db}")
    first = plans.iloc[0]
    print(f"database: {args.db} ({len(plans)} plans), repeat {args.repeat}, times in ms")
    print(f"{'callback':28} {'filter':>14} {'p50':>8} {'p95':>8}")
    for label, muni in (("all", None), (first["municipality"], [first["municipality"]])):
        for name, fn in cases(muni, first["plan_id"]).items():
            times = sorted(measure(fn, args.repeat))
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"{name:28} {label:>14} {statistics.median(times):8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
