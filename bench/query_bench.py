"""Query and callback benchmarks.

- every queries/*.sql except schema.sql and derived.sql, on its own DuckDB read-only connection, with the dashboard's
  filter states as parameters (all, one oblast, one municipality, a year range; one plan for coverage);
- every dashboard callback in process: the same POST /_dash-update-component the browser sends (built by
  bench.load.DashSite from the app's dependencies and each page's layout), dispatched through the Flask
  test client, with the time spent in SQL during it (dashboard.db's query observer).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.load import PAGES, REPO, DashSite, FlaskTransport, percentile, response_ok
from dashboard.db import CONNECTION_CONFIG
from dashboard.db import bound as bound_query

QUERIES = REPO / "queries"
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
LIST_PARAMS = ("oblasts", "municipalities", "years", "target_groups", "service_types")


def timed_runs(fn, repeat: int, budget: float, min_runs: int = 3) -> list[float]:
    """Seconds of `repeat` calls after one warm-up, fewer when they take longer than budget seconds
    (but at least min_runs)."""
    fn()
    times: list[float] = []
    spent = 0.0
    while len(times) < repeat and (len(times) < min_runs or spent < budget):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return times


def summary(times: list[float]) -> dict:
    ms = [t * 1000 for t in times]
    return {"runs": len(ms), "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95)}


# ------------------------------------------------------------------------------------------- queries


def filter_scenarios(con) -> tuple[list[tuple[str, dict]], str | None]:
    """(label, parameters) as the dashboard's filters set them, and a plan for the one-plan queries:
    all; the oblast with most plans; the municipality with most records; the last three years."""
    empty = {k: [] for k in LIST_PARAMS}
    out = [("all", empty)]
    oblast = con.execute("select oblast from plans where oblast is not null group by 1 "
                         "order by count(*) desc, 1 limit 1").fetchone()
    if oblast:
        out.append((f"oblast={oblast[0]}", {**empty, "oblasts": [oblast[0]]}))
    # the municipality as the filter bar chooses it (its name, or its EKATTE code when two share the name: Бяла)
    muni = con.execute("select k.municipality_value, any_value(k.municipality_label) from items i "
                       "join plan_keys k using (plan_id) group by 1 order by count(*) desc, 1 limit 1").fetchone()
    if muni:
        out.append((f"municipality={muni[1]}", {**empty, "municipalities": [muni[0]]}))
    years = [y for (y,) in con.execute("select distinct year from plans order by year desc limit 3").fetchall()]
    if years:
        years.sort()
        out.append((f"year={years[0]}-{years[-1]}", {**empty, "years": years}))
    plan = con.execute("select plan_id from plan_keys where municipality_value = ? order by year desc limit 1",
                       [muni[0] if muni else ""]).fetchone() or con.execute(
        "select plan_id from plans order by plan_id limit 1").fetchone()
    return out, plan[0] if plan else None


URL_KEYS = {"oblasts": "oblast", "municipalities": "municipality", "years": "year"}


def url_cases(db: Path) -> list[tuple[str, str]]:
    """The filter scenarios as the pages' query strings (the URL state the filters restore from)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True, config=CONNECTION_CONFIG)
    try:
        cases, _ = filter_scenarios(con)
    finally:
        con.close()
    out = []
    for label, params in cases:
        pairs = [(URL_KEYS[k], ",".join(map(str, v))) for k, v in params.items() if v and k in URL_KEYS]
        out.append((label, "?" + urlencode(pairs, safe=",") if pairs else ""))
    return out


RUNNERS = re.compile(r'(?:run_query|run_records|run_arrow)\(\s*"(\w+)"')


def query_uses() -> dict[str, str]:
    """query name -> what runs it: 'page' (a page, a callback or an /admin view), 'download' (only a CSV download:
    a whole-selection file, timed in the downloads part), 'command' (only python -m etl: export, report, build)."""
    from dashboard.downloads import DOWNLOADS

    uses = {}
    for path in (REPO / "dashboard").rglob("*.py"):
        uses.update(dict.fromkeys(RUNNERS.findall(path.read_text(encoding="utf-8")), "page"))
    for spec in DOWNLOADS.values():
        uses.setdefault(spec.query, "download")
    return uses


def bench_queries(db: Path, repeat: int = 30, budget: float = 10) -> list[dict]:
    """Every query with the parameters the dashboard itself passes in each filter case (captured while
    its pages' callbacks run, downloads included); queries it never runs (export, report) with the
    filter cases' lists. Timed on a separate read-only connection; each result fetched as the dashboard
    fetched it there (a DataFrame, plain records or an Arrow table), the others as a DataFrame."""
    import duckdb

    captured = dashboard_parameters(db)
    uses = query_uses()
    con = duckdb.connect(str(db), read_only=True, config=CONNECTION_CONFIG)
    try:
        cases, plan_id = filter_scenarios(con)
        rows = []
        for path in sorted(QUERIES.glob("*.sql")):
            if path.stem in ("schema", "derived"):
                continue
            sql = path.read_text(encoding="utf-8")
            wanted = list(dict.fromkeys(PARAM.findall(sql)))
            runs = captured.get(path.stem) or same_parameters(path.stem, captured)
            if not runs:
                runs = []
                for label, params in cases:
                    bound = {p: plan_id if p == "plan_id" else params.get(p, [] if p in LIST_PARAMS else None)
                             for p in wanted}
                    runs.append((label if any(p in LIST_PARAMS for p in wanted) else "—", bound))
            seen = set()
            slotted = "{{" in sql  # a statement written for the state it serves (data_grid.sql)
            for label, params in runs:
                if slotted:  # filled as the dashboard fills it
                    run_sql, bound = bound_query(path.stem, params)
                else:
                    run_sql, bound = sql, {p: params.get(p) for p in wanted}
                fetch = params.get(FETCH_KEY, "frame")
                key = json.dumps({**bound, FETCH_KEY: fetch, "sql": run_sql}, sort_keys=True, ensure_ascii=False,
                                 default=str)
                if key in seen:
                    continue  # the query does not use the filter this case sets
                seen.add(key)
                state = grid_state(params) if slotted else ""
                shown = case_text(label, bound, fetch, state)
                result = {"query": path.stem, "case": shown, "fetch": fetch, "state": state,
                          "use": "page" if path.stem in captured else uses.get(path.stem, "command"),
                          "params": json.loads(json.dumps(bound, ensure_ascii=False, default=str))}
                try:
                    n = [0]
                    fetch_result = fetcher(fetch)

                    def run(bound=bound, n=n, sql=run_sql, fetch=fetch_result):
                        n[0] = len(fetch(con, sql, bound))

                    result.update(summary(timed_runs(run, repeat, budget)), rows=n[0])
                except Exception as exc:  # noqa: BLE001 — a failing query is a result too
                    result["error"] = f"{type(exc).__name__}: {exc}"[:300]
                rows.append(result)
                print(f"[queries] {path.stem:28} {shown:40} {fmt_ms(result.get('p95_ms'))} ms p95"
                      f"{' ' + result['error'] if 'error' in result else ''}", flush=True)
        return rows
    finally:
        con.close()


# data_grid serves the /data grid once it is sorted or filtered (data_page the grid as it opens, which the page
# visits capture): measured with the captured data_page states and the parameters the page makes
# (dashboard/pages/data.py grid_params) for these grid requests: a sort by a short and by the longest text column
# (ranked when built) both ways, a text and a number filter; three, four, five and seven filters
THREE_FILTERS = {"name": {"filterType": "text", "type": "contains", "filter": "център"},
                 "capacity": {"filterType": "number", "type": "greaterThan", "filter": 5},
                 "source_text": {"filterType": "text", "type": "notBlank"}}
FOUR_FILTERS = {**THREE_FILTERS, "settlements": {"filterType": "text", "type": "contains", "filter": "а"}}
FIVE_FILTERS = {**FOUR_FILTERS, "funding_raw": {"filterType": "text", "type": "notBlank"}}
SEVEN_FILTERS = {**FIVE_FILTERS, "type_name": {"filterType": "text", "type": "contains", "filter": "за"},
                 "year": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 2015}}
GRID_REQUESTS = {
    "data_grid": [
        {"sortModel": [{"colId": "name", "sort": "desc"}]},
        {"sortModel": [{"colId": "source_text", "sort": "asc"}]},
        {"sortModel": [{"colId": "source_text", "sort": "desc"}]},
        {"filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "център"}}},
        {"filterModel": {"capacity": {"filterType": "number", "type": "greaterThan", "filter": 10}}},
        {"filterModel": THREE_FILTERS},
        {"filterModel": FOUR_FILTERS},
        {"filterModel": FIVE_FILTERS},
        {"filterModel": SEVEN_FILTERS, "sortModel": [{"colId": "capacity", "sort": "desc"}]},
    ],
}


def grid_state(params: dict) -> str:
    """The grid state a data_grid statement was written for: its sort and filters (the first, and how many more)."""
    parts = []
    if params.get("sort_col"):
        parts.append(f"sort {params['sort_col']} {params.get('sort_dir', 'asc')}")
    filters = params.get("grid_filters") or []
    if filters:
        more = f" +{len(filters) - 1}" if len(filters) > 1 else ""
        parts.append(f"filter {filters[0].get('col')} {filters[0].get('op')}{more}")
    return ", ".join(parts)


def same_parameters(name: str, captured: dict) -> list[tuple[str, dict]]:
    """Parameters for a query the page visits do not run: the captured grid states, with the grid requests
    of GRID_REQUESTS turned into parameters as the page does it."""
    from dashboard.grid import grid_params

    return [(label, {**params, **grid_params(request, "bg", params["limit"], params["offset"])})
            for request in GRID_REQUESTS.get(name, []) for label, params in captured.get("data_page", [])]


def filter_label(bound: dict) -> str:
    """'all', 'oblast=…', 'municipality=…', 'year=first-last' from bound list parameters."""
    parts = []
    for key, name in (("oblasts", "oblast"), ("municipalities", "municipality")):
        if bound.get(key):
            parts.append(f"{name}={','.join(map(str, bound[key]))}")
    if bound.get("years"):
        years = sorted(bound["years"])
        parts.append(f"year={years[0]}-{years[-1]}" if len(years) > 1 else f"year={years[0]}")
    for key in ("target_groups", "service_types"):
        if bound.get(key):
            parts.append(f"{key}={','.join(bound[key])}")
    return ", ".join(parts) or "all"


SHOWN_PARAMS = ("limit", "offset", "max_series")


def case_text(label: str, bound: dict, fetch: str = "frame", state: str = "") -> str:
    """The filter case plus the other parameters that matter (plan, limit/no limit, the grid's sort and filters, …),
    briefly, and how the result is fetched when not as a DataFrame."""
    text = _case_text(label, bound)
    if state:
        text = state if text == "—" else f"{text}, {state}"
    return text + ("" if fetch == "frame" else f" (as {fetch})")


def _case_text(label: str, bound: dict) -> str:
    if not bound:
        return "—"
    extras = []
    if bound.get("plan_id"):
        extras.append(f"plan={bound['plan_id']}")
    for k in SHOWN_PARAMS:
        if k not in bound:
            continue
        v = bound[k]
        if k == "limit" and v is None:
            extras.append("no limit")
        elif v not in (None, 0, "", [], {}, "no_column"):
            extras.append(f"{k}={v}")
    head = label if any(k in LIST_PARAMS for k in bound) else ""
    if head == "all" and bound.get("plan_id"):
        head = ""
    return ", ".join(x for x in [head, *extras] if x) or "—"


FETCH_KEY = "(fetch)"  # kept with the captured parameters: how the dashboard fetched that result


def dashboard_parameters(db: Path) -> dict[str, list[tuple[str, dict]]]:
    """query name -> [(filter case, parameters)] as the dashboard's callbacks pass them: every page
    visited in every filter case, every callback run once (CSV downloads too); each with FETCH_KEY."""
    site, transport = dashboard_site(db)
    captured: dict[str, list[tuple[str, dict]]] = {}
    for label, search in url_cases(db):
        for page in PAGES:
            TAP.calls = []
            try:
                site.visit(page, search, label, execute="all", downloads=True)
            except Exception as exc:  # noqa: BLE001 — the callback bench reports failures
                print(f"[queries] {page} {label}: a callback failed ({exc}); its queries use the filter lists",
                      flush=True)
            for name, params, fetch in TAP.calls:
                captured.setdefault(name, []).append((label, {**params, FETCH_KEY: fetch}))
    TAP.calls = None
    return captured


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


# ----------------------------------------------------------------------------------------- callbacks


# how each dashboard runner fetches a result (dashboard/db.py); the query bench fetches a query the same way
FETCHES = {"run_query": "frame", "run_records": "records", "run_arrow": "arrow"}


def fetcher(kind: str):
    from dashboard import db

    return {"frame": db.fetch_frame, "records": db.fetch_records, "arrow": db.fetch_arrow}[kind]


class QueryTap:
    """Wraps dashboard.db.run_query, run_records and run_arrow (in every module that imported them): seconds
    spent in them since reset(), the names of the queries run and, while `calls` is a list, their parameters."""

    def __init__(self):
        self.seconds = 0.0
        self.names: set[str] = set()
        self.calls: list | None = None
        self.installed = False

    def reset(self) -> None:
        self.seconds, self.names = 0.0, set()

    def install(self) -> None:
        """Once per process, after the app is imported."""
        from dashboard import db

        if self.installed:
            return
        self.installed = True
        for runner in ("run_query", "run_records", "run_arrow"):
            original = getattr(db, runner)
            tapped = self._tapped(original)
            for module in list(sys.modules.values()):  # every `from dashboard.db import run_…`, and db itself
                if getattr(module, runner, None) is original:
                    setattr(module, runner, tapped)

    def _tapped(self, original):
        fetch = FETCHES[original.__name__]

        def run(name, **params):
            if self.calls is not None:
                self.calls.append((name, dict(params), fetch))
            start = time.perf_counter()
            try:
                return original(name, **params)
            finally:
                self.seconds += time.perf_counter() - start
                self.names.add(name)

        return run


TAP = QueryTap()


def dashboard_site(db: Path) -> tuple[DashSite, FlaskTransport]:
    """The app in this process on database db, its run_query tapped; a DashSite over the Flask test client."""
    os.environ["SSP_DB"] = str(db)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import app  # noqa: PLC0415  (registers the pages)
    from dashboard import db as dashboard_db

    dashboard_db.set_database(db)
    app.server.logger.setLevel(logging.CRITICAL)  # a failing callback is reported in the table, once
    TAP.install()
    transport = FlaskTransport(app.server)
    return DashSite(transport, app.app), transport


def bench_callbacks(db: Path, repeat: int = 30, budget: float = 5, pages=PAGES) -> list[dict]:
    """Every callback a page fires on load (and its CSV downloads), in every filter scenario, dispatched
    in process. Rows: callback, case, p50/p95 of the whole dispatch, p50/p95 of its SQL, queries run."""
    site, transport = dashboard_site(db)
    clock = TAP
    cases = url_cases(db)
    rows = []
    seen = set()
    for label, search in cases:
        for page in pages:
            visit = site.visit(page, search, label, execute="chained", downloads=True)
            for request in visit.requests:
                if request.kind == "page":
                    continue
                name = f"pages.router {page}" if request.kind == "router" else request.name
                if (name, label) in seen:
                    continue
                seen.add((name, label))
                rows.append(measure_callback(transport, request, name, label, clock, repeat, budget))
    return rows


def measure_callback(transport, request, name: str, label: str, clock: QueryTap, repeat: int,
                     budget: float) -> dict:
    sql_times: list[float] = []
    result = {"callback": name, "case": label}

    def run():
        clock.reset()
        status, body = transport.post(request.path, request.body)
        problem = response_ok(status, body, request.kind, full=False)
        if problem:
            raise RuntimeError(f"{problem}: {body[:200]!r}")
        sql_times.append(clock.seconds)
        result["bytes"] = len(body)

    try:
        times = timed_runs(run, repeat, budget)
        sql_times[:] = sql_times[1:]  # the warm-up
        result.update(summary(times))
        sql = summary(sql_times)
        result.update(sql_p50_ms=sql["p50_ms"], sql_p95_ms=sql["p95_ms"], queries=sorted(clock.names))
        # no ratio for a callback that runs no SQL to speak of (none, or only cached results)
        result["ratio"] = result["p95_ms"] / result["sql_p95_ms"] if result["sql_p95_ms"] >= 1 else None
    except Exception as exc:  # noqa: BLE001 — a failing callback is a result too
        result["error"] = f"{type(exc).__name__}: {exc}"[:300]
    print(f"[callbacks] {name:28} {label:32} {fmt_ms(result.get('p95_ms'))} ms p95", flush=True)
    return result
