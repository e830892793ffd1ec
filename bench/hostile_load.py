"""Hostile traffic against gunicorn on loopback, while light page requests are timed:

    python -m bench.hostile_load [--db DB] [--duration 60] [--grid 8] [--downloads 6] [--slow 6] [--light 2]

The server is started exactly as in production (`gunicorn -c gunicorn.conf.py`, on a free loopback port), on
the national synthetic database the benchmark suite uses (data/build/bench/national/plans.duckdb, generated and
built once when missing; or --db). Then, for --duration seconds:

  grid       clients each sending /data grid requests (the Dash callback the grid calls for a block of rows)
             with a filter on each of the 19 columns, a sort on the original text and a deep block; every
             request has new filter texts, so no cache answers it
  downloads  clients each downloading the whole national /download/data.csv, read as fast as loopback allows
  slow       clients each downloading /download/data.csv at SLOW_RATE bytes a second (a reader that keeps a
             connection, and a server thread, as long as it can)
  light      clients replaying page visits (the page, the Pages router, the callbacks a page fires on load)
             recorded before the load starts; each request is timed and checked (200 and a Dash answer)

Printed: the light requests' p50/p95/max and errors, what the hostile clients got (status counts), and the peak
resident memory of each worker process. Only 127.0.0.1 is contacted; every request has a timeout and the run
stops issuing requests at the deadline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import etl_bench
from bench.load import (
    REPO,
    HTTPTransport,
    Sample,
    Server,
    descendants,
    free_port,
    percentile,
    record_visits,
    replay_visits,
)

NATIONAL_DB = etl_bench.WORK / "national" / "plans.duckdb"
SLOW_RATE = 16 * 1024  # bytes a second a slow reader takes
SLOW_CHUNK = 4096
LIGHT_PAGES = ["/", "/capacity", "/funding", "/coverage", "/changes", "/data"]
MB = 1024 * 1024
# the grid's columns: (field, number column?) as dashboard/grid.py COLUMNS has them (19)
GRID_COLUMNS = [
    ("municipality", False), ("year", True), ("item_no", False), ("section_text", False), ("name", False),
    ("type_name", False), ("target_group_text", False), ("setting_text", False), ("settlements", False),
    ("funding_raw", False), ("amount_bgn", True), ("capacity", True), ("capacity_before", True),
    ("status_text", False), ("provider", False), ("source_file", False), ("source_line", True),
    ("source_ref", False), ("source_text", False),
]


def national_db() -> Path:
    """The benchmark suite's national database, generated and built when missing (incremental otherwise)."""
    if not NATIONAL_DB.exists():
        corpus = etl_bench.synthetic_corpus(etl_bench.WORK, **etl_bench.NATIONAL)
        NATIONAL_DB.parent.mkdir(parents=True, exist_ok=True)
        etl_bench.run_build(corpus, NATIONAL_DB, quiet=True)
    return NATIONAL_DB


def grid_request_template(port: int) -> dict:
    """The /data grid's row callback as the browser sends it when the page opens (from the recorded visit)."""
    visit = record_visits(port, pages=["/data"])[0]
    for request in visit.requests:
        if request.kind == "callback" and b"getRowsRequest" in (request.body or b""):
            return json.loads(request.body)
    raise RuntimeError("no grid callback in the /data visit")


def hostile_grid_body(template: dict, rng: random.Random) -> bytes:
    """A grid request with a filter on every column (new texts each time: never cached), sorted by the original
    text, for a block deep in the result."""
    model = {}
    for field, number in GRID_COLUMNS:
        if number:
            model[field] = {"filterType": "number", "type": "notEqual", "filter": -rng.randint(1, 10**9)}
        else:
            model[field] = {"filterType": "text", "type": "notContains", "filter": f"zq{rng.getrandbits(40):x}"}
    start = rng.randrange(0, 100_000, 100)
    value = {"startRow": start, "endRow": start + 100, "filterModel": model,
             "sortModel": [{"colId": "source_text", "sort": rng.choice(["asc", "desc"])}]}
    body = json.loads(json.dumps(template))
    for entry in body["inputs"]:
        if entry.get("property") == "getRowsRequest":
            entry["value"] = value
    return json.dumps(body).encode()


class Run:
    def __init__(self, port: int, deadline: float, began: float):
        self.port, self.deadline, self.began = port, deadline, began
        self.lock = threading.Lock()
        self.light: list[Sample] = []  # the light clients' requests
        self.hostile: Counter = Counter()  # (kind, outcome) -> count
        self.hostile_seconds: dict[str, list[float]] = {}
        self.bytes: Counter = Counter()

    def note(self, kind: str, outcome: str, seconds: float, size: int = 0) -> None:
        with self.lock:
            self.hostile[(kind, outcome)] += 1
            self.hostile_seconds.setdefault(kind, []).append(seconds)
            self.bytes[kind] += size


def grid_client(run: Run, template: dict, seed: int, timeout: float) -> None:
    rng = random.Random(seed)
    transport = HTTPTransport(run.port, timeout=timeout)
    try:
        while time.monotonic() < run.deadline:
            start = time.monotonic()
            try:
                status, body = transport.post("/_dash-update-component", hostile_grid_body(template, rng))
                # 200 with the grid's notice (busy, past the deadline) instead of rows
                outcome = f"{status} notice" if status == 200 and b"data-grid-error" in body else str(status)
            except (OSError, http.client.HTTPException) as exc:
                outcome, body = type(exc).__name__, b""
            run.note("grid", outcome, time.monotonic() - start, len(body))
            if outcome != "200":
                time.sleep(0.2)  # as a client told "busy" would; still far above a person's rate
    finally:
        transport.close()


def download_client(run: Run, seed: int, timeout: float) -> None:
    rng = random.Random(seed)
    while time.monotonic() < run.deadline:
        conn = http.client.HTTPConnection("127.0.0.1", run.port, timeout=timeout)
        start = time.monotonic()
        size = 0
        try:
            conn.request("GET", f"/download/data.csv?lang={rng.choice(['bg', 'en'])}")
            response = conn.getresponse()
            while chunk := response.read(1 << 20):
                size += len(chunk)
            outcome = str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            outcome = type(exc).__name__
        finally:
            conn.close()
        run.note("download", outcome, time.monotonic() - start, size)
        if outcome == "503":
            time.sleep(0.2)


def slow_client(run: Run, timeout: float) -> None:
    """Reads /download/data.csv at SLOW_RATE until the deadline (then drops the connection), and again."""
    while time.monotonic() < run.deadline:
        start = time.monotonic()
        size, outcome = 0, "incomplete at the deadline"
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
                sock.settimeout(timeout)
                sock.connect(("127.0.0.1", run.port))
                sock.sendall(b"GET /download/data.csv HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                head = b""
                while time.monotonic() < run.deadline:
                    chunk = sock.recv(SLOW_CHUNK)
                    if not chunk:
                        outcome = "closed by the server"
                        break
                    if not head:
                        head = chunk[:12]
                        outcome = f"{head[9:12].decode(errors='replace')} (incomplete at the deadline)"
                    size += len(chunk)
                    time.sleep(SLOW_CHUNK / SLOW_RATE)
                if head and outcome == "closed by the server":
                    outcome = f"{head[9:12].decode(errors='replace')} closed by the server"
        except OSError as exc:
            outcome = type(exc).__name__
        run.note("slow", outcome, time.monotonic() - start, size)


def light_client(run: Run, visits, seed: int, timeout: float) -> None:
    mine = replay_visits(run.port, visits, random.Random(seed), run.began, run.deadline, timeout, full_check=True)
    with run.lock:
        run.light.extend(mine)


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def hostile_load(db: Path, duration: float = 60, grid: int = 8, downloads: int = 6, slow: int = 6, light: int = 2,
                 timeout: float = 60, log: str | None = None, env: dict | None = None) -> dict:
    server = Server(db, port=free_port(), log=log, env=env)
    try:
        server.start()
        visits = record_visits(server.port, pages=LIGHT_PAGES, variety=1)  # also fills the light views' caches
        template = grid_request_template(server.port)
        began = time.monotonic()
        run = Run(server.port, began + duration, began)
        peaks: dict[int, int] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for pid in descendants(server.proc.pid):
                    if pid != server.proc.pid:
                        peaks[pid] = max(peaks.get(pid, 0), rss_kb(pid))
                stop.wait(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=grid_client, args=(run, template, i, timeout), daemon=True)
                   for i in range(grid)]
        threads += [threading.Thread(target=download_client, args=(run, 100 + i, timeout), daemon=True)
                    for i in range(downloads)]
        threads += [threading.Thread(target=slow_client, args=(run, timeout), daemon=True) for _ in range(slow)]
        lights = [threading.Thread(target=light_client, args=(run, visits, 200 + i, timeout), daemon=True)
                  for i in range(light)]
        for t in threads + lights:
            t.start()
        for t in threads + lights:
            t.join(max(0.1, run.deadline + timeout + 5 - time.monotonic()))
        stuck = sum(t.is_alive() for t in threads + lights)
        elapsed = time.monotonic() - began
        stop.set()
        sampler.join(5)
    finally:
        server.stop()
    times = [s.seconds * 1000 for s in run.light]
    errors = Counter(f"{s.name}: {s.error}" for s in run.light if s.error)
    return {
        "duration_s": duration, "elapsed_s": round(elapsed, 1), "clients": {"grid": grid, "downloads": downloads,
                                                                           "slow": slow, "light": light},
        "light_requests": len(times), "light_p50_ms": percentile(times, 50), "light_p95_ms": percentile(times, 95),
        "light_max_ms": max(times, default=None), "light_errors": sum(errors.values()) + stuck,
        "light_error_messages": dict(errors.most_common(8)), "stuck_clients": stuck,
        "hostile": {f"{kind} {outcome}": n for (kind, outcome), n in sorted(run.hostile.items())},
        "hostile_p50_s": {k: percentile(v, 50) for k, v in run.hostile_seconds.items()},
        "hostile_mb": {k: round(v / MB, 1) for k, v in run.bytes.items()},
        "worker_rss_peak_mb": sorted((round(kb / 1024) for kb in peaks.values()), reverse=True),
        "server_stopped": server.proc is not None and server.proc.poll() is not None,
    }


def report(result: dict) -> str:
    c = result["clients"]
    lines = [
        f"hostile load for {result['duration_s']:.0f} s ({result['elapsed_s']} s with the last answers): "
        f"{c['grid']} grid clients (19 filters, uncached), {c['downloads']} full CSV downloads, {c['slow']} slow "
        f"readers ({SLOW_RATE // 1024} KB/s), {c['light']} light clients",
        f"light requests: {result['light_requests']}, p50 {result['light_p50_ms'] or 0:.0f} ms, "
        f"p95 {result['light_p95_ms'] or 0:.0f} ms, max {result['light_max_ms'] or 0:.0f} ms, "
        f"errors {result['light_errors']}",
    ]
    lines += [f"  {n} × {m}" for m, n in result["light_error_messages"].items()]
    lines.append("hostile answers: " + ", ".join(f"{k}: {n}" for k, n in result["hostile"].items()))
    lines.append("hostile median seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result["hostile_p50_s"].items()
                                                       if v is not None))
    lines.append("hostile MB received: " + ", ".join(f"{k} {v}" for k, v in result["hostile_mb"].items()))
    lines.append("worker RSS peaks (MB, every process the master started): "
                 + ", ".join(str(x) for x in result["worker_rss_peak_mb"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.hostile_load", description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, help="database (default: the benchmark suite's national one)")
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--grid", type=int, default=8)
    p.add_argument("--downloads", type=int, default=6)
    p.add_argument("--slow", type=int, default=6)
    p.add_argument("--light", type=int, default=2)
    p.add_argument("--timeout", type=float, default=60, help="seconds a client waits for an answer")
    p.add_argument("--log", help="gunicorn's log file")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    os.environ.setdefault("SSP_REFERENCE_DIR", str(REPO.parent / "shared" / "reference"))
    db = args.db or national_db()
    result = hostile_load(db, args.duration, args.grid, args.downloads, args.slow, args.light, args.timeout,
                          args.log)
    print(report(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
