"""The benchmark suite: `python -m bench [--only etl,queries,callbacks,downloads,load,pages] [--quick]`.

Measures, at the five sample plans and at national scale (a synthetic corpus of 265 municipalities ×
2013-2026, ≈ 3,710 plans, generated once into the work folder and reused):

  etl        full build (wall, plans/s, peak memory incl. worker processes) against the floor of just
             reading the files; rebuild after one plan changed / one plan added
  queries    every queries/*.sql but schema.sql and derived.sql with the dashboard's filter states, p50/p95
  callbacks  every dashboard callback in process (the browser's POST, dispatched by the Flask test
             client): p50/p95 and the ratio to the SQL it runs
  downloads  every CSV download (GET /download/<name>.csv, streamed) in process: seconds to the first
             rows and to the whole file, its size
  load       gunicorn on 127.0.0.1 with the national database, N concurrent clients replaying page
             visits (page GETs, the Pages router, the page's callbacks) for D seconds
  pages      first load of each page in headless Chromium until its charts/tables are drawn

Plain tables with the targets of issue #4 (✓/✗) are printed at the end; the figures are also written
as JSON to <work>/results.json (parts not run this time are kept from the previous file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from bench import etl_bench
from bench.load import PAGES, REPO, Server, record_visits, run_load

PARTS = ["etl", "queries", "callbacks", "downloads", "load", "pages"]
MB = 1024 * 1024
GB = 1024 * MB
TARGETS = {
    "build_s": 20, "build_bytes": 2 * GB, "changed_s": 2, "query_p95_ms": 30, "callback_p95_ms": 100,
    "callback_sql_ratio": 2, "load_p95_ms": 300, "page_s": 2,
}


def mark(ok: bool | None) -> str:
    return "" if ok is None else ("✓" if ok else "✗")


def num(value, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value:,.{digits}f}{unit}"


def table(title: str, headers: list[str], rows: list[list], notes: list[str] = ()) -> str:
    """A plain text table; columns whose cells look like numbers are right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def numeric(i: int) -> bool:
        values = [r[i] for r in cells if r[i] not in ("", "—")]
        return bool(values) and all(v.replace(",", "").replace(".", "").replace("×", "").replace(" s", "")
                                    .replace(" MB", "").replace("-", "").strip().isdigit() for v in values)

    right = [numeric(i) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(row, widths, right, strict=True)).rstrip()

    out = [title, line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out += list(notes)
    return "\n".join(out)


# -------------------------------------------------------------------------------------------- machine


def machine() -> dict:
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(next(line for line in f if line.startswith("MemTotal")).split()[1]) * 1024
    except (OSError, StopIteration):
        pass
    return {
        "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "memory_bytes": mem,
        "python": platform.python_version(), "platform": platform.platform(),
        "load_average": os.getloadavg(), "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def machine_line(m: dict) -> str:
    load = ", ".join(f"{x:.2f}" for x in m["load_average"])
    return (f"machine: {m['cores']} cores ({m['usable_cores']} usable), {num((m['memory_bytes'] or 0) / GB)} GB RAM, "
            f"Python {m['python']}, {m['platform']}; load average at start {load}; {m['date']}")


# ------------------------------------------------------------------------------------------- reports


def etl_report(results: list[dict]) -> str:
    rows = []
    for r in results:
        national = r["scale"] != "sample"
        full, floor = r["full"], r["floor"]
        peak = max(full["peak_tree_pss"], full["max_process_rss"])
        ok_time = full["wall_s"] <= TARGETS["build_s"] if national else None
        ok_mem = peak <= TARGETS["build_bytes"] if national else None
        rows.append([r["scale"], "full build (fresh cache)", num(full["plans"]), num(full["records"]),
                     num(full["wall_s"], 2), num(r["plans_per_s"], 1), num(peak / MB, 0),
                     num(full["peak_tree_rss"] / MB, 0), num(full["max_process_rss"] / MB, 0),
                     f"{mark(ok_time)}{mark(ok_mem)}"])
        rows.append([r["scale"], f"floor: read+decode+split ({num(floor['lines'])} lines)", num(floor["files"]), "",
                     num(floor["seconds"], 3), num(floor["files"] / floor["seconds"], 0) if floor["seconds"] else "—",
                     "", "", "", f"build = {num(r['floor_ratio'], 0)}× floor"])
        for key, what in (("changed", "rebuild, 1 plan changed"), ("added", "rebuild, 1 plan added")):
            b = r.get(key)
            if not b:
                continue
            ok = b["wall_s"] <= TARGETS["changed_s"] if key == "changed" and national else None
            rows.append([r["scale"], f"{what} ({b['read']} read, {b['unchanged']} unchanged)", num(b["plans"]),
                         num(b["records"]), num(b["wall_s"], 2), "",
                         num(max(b["peak_tree_pss"], b["max_process_rss"]) / MB, 0), num(b["peak_tree_rss"] / MB, 0),
                         num(b["max_process_rss"] / MB, 0), mark(ok)])
    return table(
        "ETL — python -m etl build --quiet (subprocess; wall time incl. interpreter start-up)",
        ["scale", "run", "plans", "records", "seconds", "plans/s", "peak MB", "tree RSS MB", "max proc MB", "target"],
        rows,
        [f"targets (national): full build ≤ {TARGETS['build_s']} s and ≤ {TARGETS['build_bytes'] // GB} GB peak; "
         f"one changed plan ≤ {TARGETS['changed_s']} s.",
         "peak MB: the build and its pool workers together at the same moment (PSS, shared pages split), "
         "or the largest single process (ru_maxrss), whichever is larger; tree RSS counts shared pages per process."])


def query_report(scale: str, rows: list[dict]) -> str:
    from bench.query_bench import case_text, filter_label

    out = []
    for r in rows:
        if r.get("params") is not None:
            r = {**r, "case": case_text(filter_label(r["params"]), r["params"], r.get("fetch", "frame"),
                                        r.get("state", ""))}
        use = r.get("use", "page")
        ok = None if r.get("p95_ms") is None else r["p95_ms"] <= TARGETS["query_p95_ms"]
        target = mark(ok) if use == "page" else f"bulk: {use}"
        out.append([r["query"], r["case"], num(r.get("rows")), num(r.get("runs")), num(r.get("p50_ms")),
                    num(r.get("p95_ms")), target if "error" not in r else "✗ " + r["error"][:60]])
    return table(f"Queries — {scale} (DuckDB read-only; each result fetched as the dashboard fetches it: a DataFrame unless marked; ms)",
                 ["query", "case", "rows", "runs", "p50", "p95", f"≤{TARGETS['query_p95_ms']}ms"], out,
                 [f"the target (p95 ≤ {TARGETS['query_p95_ms']} ms) is for the queries a page, callback or /admin view runs. "
                  "bulk: download — only a CSV download runs it (a whole-selection file; its time is in the CSV "
                  "downloads table); bulk: command — only python -m etl runs it (export, report, build summary)."])


def callback_report(scale: str, rows: list[dict]) -> str:
    out = []
    for r in rows:
        if "error" in r:
            out.append([r["callback"], r["case"], "", "", "", "", "", "", "", "✗ " + r["error"][:70]])
            continue
        ratio = r["p95_ms"] / r["sql_p95_ms"] if (r.get("sql_p95_ms") or 0) >= 1 else None
        ok_time = r["p95_ms"] <= TARGETS["callback_p95_ms"]
        ok_ratio = None if ratio is None else ratio <= TARGETS["callback_sql_ratio"]
        out.append([r["callback"], r["case"], num(r["runs"]), num(r["p50_ms"]), num(r["p95_ms"]),
                    num(r["sql_p50_ms"]), num(r["sql_p95_ms"]), "—" if ratio is None else f"{ratio:.1f}×",
                    num(r.get("bytes", 0) // 1024), f"{mark(ok_time)}{mark(ok_ratio)}"])
    return table(f"Callbacks — {scale}, in process (POST /_dash-update-component via the Flask test client; ms)",
                 ["callback", "case", "runs", "p50", "p95", "SQL p50", "SQL p95", "p95/SQL", "reply kB", "target"],
                 out, [f"target: p95 ≤ {TARGETS['callback_p95_ms']} ms (first mark) and ≤ "
                       f"{TARGETS['callback_sql_ratio']}× the p95 of the SQL it runs (second; none when its SQL p95 < 1 ms: "
                       "no queries, or only cached ones)."])


def download_report(scale: str, rows: list[dict]) -> str:
    out = [[r["download"], r["case"], num(r["runs"]), num(r["rows"]), num(r["bytes"] / MB, 2), num(r["first_p50_s"], 3),
            num(r["p50_s"], 3), num(r["p95_s"], 3), num(r["bytes"] / MB / r["p50_s"] if r["p50_s"] else None, 0)]
           for r in rows]
    return table(f"CSV downloads — {scale}, streamed (GET /download/<name>.csv in process; seconds)",
                 ["download", "case", "runs", "rows", "MB", "first rows p50", "whole p50", "whole p95", "MB/s"], out,
                 ["first rows: the query has run and the header and first batch are written; the file keeps "
                  "streaming after that (no target in the issue; a reader sees the download start)."])


def load_report(r: dict) -> str:
    ok = r["p95_ms"] is not None and r["p95_ms"] <= TARGETS["load_p95_ms"] and r["errors"] == 0
    head = [["all requests", num(r["requests"]), num(r["requests_per_s"]), num(r["p50_ms"]), num(r["p95_ms"]),
             num(r["max_ms"]), num(r["errors"]), mark(ok)]]
    for kind, s in r["by_kind"].items():
        if s["requests"]:
            head.append([f"  {kind}", num(s["requests"]), num(s["requests"] / r["elapsed_s"]), num(s["p50_ms"]),
                         num(s["p95_ms"]), num(s["max_ms"]), num(s["errors"]), ""])
    slow = sorted(r["by_request"].items(), key=lambda kv: -(kv[1]["p95_ms"] or 0))
    for name, s in slow:
        head.append([f"    {name}", num(s["requests"]), "", num(s["p50_ms"]), num(s["p95_ms"]), num(s["max_ms"]),
                     num(s["errors"]), ""])
    growth = (r["rss_end"] - r["rss_start"]) / MB if r["rss_end"] and r["rss_start"] else None
    notes = [
        f"{r['clients']} clients for {r['duration_s']} s (ran {r['elapsed_s']:.1f} s, {r['stuck_clients']} clients "
        f"still waiting at the end) against gunicorn {r['server']} on {r['db']}; {r['visits']} recorded visits "
        f"({r['cases']} filter cases × {len(PAGES)} pages).",
        f"server RSS (master + workers): after boot {num(r['rss_boot'] / MB, 0)} MB, before load "
        f"{num(r['rss_start'] / MB, 0)} MB, end {num(r['rss_end'] / MB, 0)} MB (growth {num(growth, 0)} MB).",
        f"target: p95 ≤ {TARGETS['load_p95_ms']} ms with zero errors.",
    ]
    if r["error_messages"]:
        notes.append("errors: " + "; ".join(f"{n}× {m}" for m, n in r["error_messages"].items()))
    cache = "result cache on (as served)" if r.get("result_cache", True) else "result cache off (SSP_RESULT_CACHE=0)"
    return table(f"Dashboard under load (ms), {cache}", ["requests", "n", "req/s", "p50", "p95", "max", "errors", "target"],
                 head, notes)


def served_threads() -> int:
    """The threads per worker gunicorn.conf.py sets."""
    import runpy  # noqa: PLC0415

    return runpy.run_path(str(REPO / "gunicorn.conf.py"))["threads"]


def threads_report(runs: list[dict], uncached: dict | None) -> str:
    rows = []
    for r in runs:
        ok = r["p95_ms"] is not None and r["p95_ms"] <= TARGETS["load_p95_ms"] and r["errors"] == 0
        kinds = r["by_kind"]
        cpu = f"{r['requests_per_s']:.1f}"
        rows.append([num(r["threads"]), num(r["requests"]), cpu, num(r["p50_ms"]), num(r["p95_ms"]),
                     num(kinds["page"]["p95_ms"]), num(kinds["router"]["p95_ms"]), num(kinds["callback"]["p95_ms"]),
                     num(r["errors"]), mark(ok)])
    served = f" (as served: {uncached['threads']})" if uncached and uncached.get("threads") else ""
    return table(f"Dashboard under load, result cache off, by gunicorn threads per worker{served} (ms; one run each, "
                 "in turn)",
                 ["threads", "n", "req/s", "p50", "p95", "page p95", "router p95", "callback p95", "errors", "target"],
                 rows, ["the same clients, visits and duration as above; 2 workers each; only the thread count differs."])


def page_report(rows: list[dict]) -> str:
    out = []
    for r in rows:
        ok = r["drawn"] and r["seconds"] is not None and r["seconds"] <= TARGETS["page_s"]
        if r["page"].startswith("floor"):
            ok = None  # what the browser needs for plotly.js alone; no target
        spent = r.get("main_thread_ms") or {}
        top = ", ".join(f"{name} {ms:,.0f}" for name, ms in list(spent.items())[:4])
        runs = r.get("runs") or []
        spread = f"{min(runs):.2f}–{max(runs):.2f}" if len(runs) > 1 else ""
        out.append([r["scale"], r["page"], num(r["seconds"], 2), spread, mark(ok) + (f" {r['error']}" if r.get("error") else ""),
                    num(r.get("repeat_seconds"), 2), num(r.get("third_seconds"), 2), top])
    return table("First page load in headless Chromium (fresh profile; until charts/tables are drawn)",
                 ["scale", "page", "seconds", "runs", f"≤{TARGETS['page_s']}s", "2nd", "3rd", "main thread, first load (ms)"], out,
                 ["seconds: the median of the first loads (runs: their range; each in a fresh browser, the pages in "
                  "turn); the main thread of the median one.",
                  "floor: a static page holding only the plotly.js bundle the dashboard serves and one bar chart "
                  "(no Dash, no data): what drawing any chart costs this browser on this machine.",
                  "2nd, 3rd: the same page loaded again in the same browser. Scripts come from the HTTP cache from "
                  "the 2nd visit, V8's compiled code from the 3rd (it is stored on the 2nd).",
                  "main thread: Chromium's sampling profiler, self time per script; (idle) = waiting for the server."])


# ---------------------------------------------------------------------------------------------- main


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {','.join(PARTS)}")
    p.add_argument("--quick", action="store_true",
                   help=f"small corpus ({etl_bench.QUICK['municipalities']} municipalities × "
                        f"{etl_bench.QUICK['years']}), fewer runs, 10 s load")
    p.add_argument("--work", type=Path, default=etl_bench.WORK, help="work folder (default data/build/bench)")
    p.add_argument("--repeat", type=int, help="runs per query/callback (default 30; quick 10)")
    p.add_argument("--budget", type=float, help="seconds per query/callback case before fewer runs are taken")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, help="seconds of load (default 30; quick 10)")
    p.add_argument("--load-threads", default="4,8,16",
                   help="load part: also serve with these gunicorn thread counts per worker, result cache off, one "
                        "run each, side by side (comma-separated; empty: none)")
    p.add_argument("--page-timeout", type=float, default=60)
    p.add_argument("--page-runs", type=int, help="first loads per page, reported by their median (default 3; quick 1)")
    p.add_argument("--json", type=Path, help="results file (default <work>/results.json)")
    p.add_argument("--report", action="store_true", help="only print the tables of the results file")
    p.add_argument("--doc", type=Path, default=REPO / "docs" / "performance.md",
                   help="where the figures are written for readers (default docs/performance.md)")
    args = p.parse_args(argv)
    args.parts = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        p.error(f"unknown part(s) {', '.join(sorted(unknown))}; choose from {', '.join(PARTS)}")
    args.repeat = args.repeat or (10 if args.quick else 30)
    args.budget = args.budget or (2 if args.quick else 5)
    args.duration = args.duration or (10 if args.quick else 30)
    args.page_runs = args.page_runs or (1 if args.quick else 3)
    args.json = args.json or args.work / "results.json"
    args.load_threads = [int(x) for x in args.load_threads.split(",") if x.strip()]
    return args


def render(results: dict, parts=PARTS) -> str:
    """All tables of a results dict (as written to results.json)."""
    out = [machine_line(results["machine"]),
           f"corpus: {results.get('corpus_dir')} ({results['config'].get('corpus')}); "
           f"total {results.get('elapsed_s', 0):.0f} s", ""]
    if "etl" in parts and results.get("etl"):
        out.append(etl_report(results["etl"]))
    for scale, rows in (results.get("queries") or {}).items() if "queries" in parts else ():
        out.append(query_report(scale, rows))
    for scale, rows in (results.get("callbacks") or {}).items() if "callbacks" in parts else ():
        out.append(callback_report(scale, rows))
    for scale, rows in (results.get("downloads") or {}).items() if "downloads" in parts else ():
        out.append(download_report(scale, rows))
    if "load" in parts:
        for key in ("load", "load_uncached"):
            if results.get(key):
                out.append(load_report(results[key]))
        if results.get("load_threads"):
            out.append(threads_report(results["load_threads"], results.get("load_uncached")))
    if "pages" in parts and results.get("pages"):
        out.append(page_report(results["pages"]))
    return "\n\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.report:
        saved = json.loads(args.json.read_text(encoding="utf-8"))
        print(render(saved, [p for p in args.parts if p in saved]))
        write_doc(args.doc, saved)
        return 0
    os.environ.setdefault("SSP_REFERENCE_DIR", str(REPO.parent / "shared" / "reference"))
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(machine_line(info), flush=True)
    corpus_params = etl_bench.QUICK if args.quick else etl_bench.NATIONAL
    big = "quick" if args.quick else "national"
    corpus = etl_bench.synthetic_corpus(work, **corpus_params)
    dbs = {"sample": work / "sample" / "plans.duckdb", big: work / big / "plans.duckdb"}
    sources = {"sample": etl_bench.SAMPLE_PLANS, big: corpus}
    results: dict = {"machine": info, "config": {**vars(args), "corpus": corpus_params, "parts": args.parts}}
    failed: list[str] = []
    started = time.perf_counter()

    def part(name, fn):
        if name not in args.parts:
            return
        print(f"== {name}", flush=True)
        try:
            fn()
        except Exception:  # noqa: BLE001 — report it and go on with the other parts
            failed.append(name)
            results.setdefault("failures", {})[name] = traceback.format_exc()
            print(f"!! part {name} failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)

    def ensure(scale: str) -> Path:
        db = dbs[scale]
        db.parent.mkdir(parents=True, exist_ok=True)
        etl_bench.run_build(sources[scale], db, quiet=True)  # incremental: quick when nothing changed
        return db

    def run_etl():
        out = [etl_bench.bench_scale("sample", etl_bench.sample_copy(work), ensure_dir(dbs["sample"])),
               etl_bench.bench_scale(big, corpus, ensure_dir(dbs[big]))]
        results["etl"] = out

    def run_queries():
        from bench.query_bench import bench_queries

        results["queries"] = {}
        for scale in ("sample", big):
            rows = bench_queries(ensure(scale), args.repeat, args.budget * 2)
            results["queries"][scale] = rows

    def run_callbacks():
        from bench.query_bench import bench_callbacks
        from dashboard import db as dashboard_db

        # the computation itself: repeated calls must not be answered from the result cache
        dashboard_db.RESULT_CACHE_SIZE = 0
        results["callbacks"] = {}
        for scale in ("sample", big):  # one app per process: the database is switched in place
            rows = bench_callbacks(ensure(scale), args.repeat, args.budget)
            results["callbacks"][scale] = rows

    def run_downloads():
        from bench.download_bench import bench_downloads

        results["downloads"] = {}
        for scale in ("sample", big):
            results["downloads"][scale] = bench_downloads(ensure(scale), repeat=max(3, args.repeat // 6),
                                                          budget=args.budget * 2)

    def run_load_part():
        db = ensure(big)

        def serve(key: str, env: dict, threads: int | None = None) -> dict:
            if threads is not None:  # gunicorn reads GUNICORN_CMD_ARGS after its configuration file
                env = {**env, "GUNICORN_CMD_ARGS": f"--threads {threads}"}
            server = Server(db, log=work / "gunicorn-load.log", env=env)
            try:
                server.start()
                boot = server.rss()
                print(f"[load] {key}: recording visits ...", flush=True)
                visits = record_visits(server.port, variety=2)
                print(f"[load] {key}: {args.clients} clients for {args.duration:.0f} s ...", flush=True)
                r = run_load(server.port, visits, clients=args.clients, duration=args.duration, server=server)
            finally:
                server.stop()
            r.update(rss_boot=boot, db=str(db), server="gunicorn -c gunicorn.conf.py",
                     visits=len(visits), cases=len(visits) // len(PAGES), result_cache=env.get("SSP_RESULT_CACHE") != "0",
                     threads=threads or served_threads())
            return r

        # as served (page callbacks' results cached per database file), then with that cache off: what
        # readers who each ask something new would see
        for key, cache in (("load", None), ("load_uncached", "0")):
            results[key] = serve(key, {"SSP_RESULT_CACHE": cache} if cache else {})
        # the same without the cache, with other thread counts per worker: what the threads change
        results["load_threads"] = [
            {k: v for k, v in serve(f"threads={n}", {"SSP_RESULT_CACHE": "0"}, n).items() if k != "rss_timeline"}
            for n in args.load_threads]

    def run_pages():
        from bench.page_bench import bench_pages

        rows = []
        for scale in ("sample", big):
            rows += bench_pages(ensure(scale), scale, timeout=args.page_timeout, log=work / "gunicorn-pages.log",
                                rounds=args.page_runs)
        results["pages"] = rows

    part("etl", run_etl)
    part("queries", run_queries)
    part("callbacks", run_callbacks)
    part("downloads", run_downloads)
    part("load", run_load_part)
    part("pages", run_pages)

    results["elapsed_s"] = time.perf_counter() - started
    results["corpus_dir"] = str(corpus)
    merged = write_json(args.json, results, args.parts)
    write_doc(args.doc, merged)
    print()
    print(render(results, args.parts))
    if failed:
        print(f"parts that failed: {', '.join(failed)} (tracebacks above and in {args.json})")
    print(f"results: {args.json}")
    return 1 if failed else 0


def ensure_dir(db: Path) -> Path:
    db.parent.mkdir(parents=True, exist_ok=True)
    return db


DOC_HEAD = """# Performance

Written by `python -m bench` (`make bench`; parts: `--only etl,queries,callbacks,downloads,load,pages`); do not
edit by hand. The targets: national full build ≤ {build_s} s and ≤ 2 GB; one changed plan ≤ {changed_s} s; each
query p95 ≤ {query_p95_ms} ms; each callback p95 ≤ {callback_p95_ms} ms and ≤ {callback_sql_ratio}× its SQL; under
load p95 ≤ {load_p95_ms} ms with no errors; each page drawn ≤ {page_s} s in headless Chromium. The machine has
2 cores and its speed varies with what else runs on its host: compare figures measured in the same run.

"""


def write_doc(path: Path, results: dict) -> None:
    """docs/performance.md: every part's tables from the results file, with when and where they were measured."""
    parts = [p for p in PARTS if results.get(p) or (p == "load" and results.get("load_uncached"))]
    when = {p: results.get("measured_at", {}).get(p, results.get("started_at", "")) for p in parts}
    lines = [DOC_HEAD.format(**TARGETS), "Measured: " + "; ".join(f"{p} {when[p]}" for p in parts) + ".", "",
             "```", render(results, parts).rstrip().replace(f"{REPO}/", ""), "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_json(path: Path, results: dict, parts: list[str]) -> dict:
    """Write results; parts not run this time are kept from the previous file."""
    previous = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
    part_of = {"load_uncached": "load", "load_threads": "load"}  # result keys that belong to a part of another name
    merged = {k: v for k, v in previous.items() if part_of.get(k, k) in PARTS and part_of.get(k, k) not in parts}
    merged.update(results)
    stamp = dt.datetime.now().isoformat(timespec="minutes")
    merged["measured_at"] = {**previous.get("measured_at", {}), **dict.fromkeys(parts, stamp)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return merged


if __name__ == "__main__":
    sys.exit(main())
