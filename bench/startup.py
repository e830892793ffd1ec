"""Seconds from starting the dashboard to its first answered request, for both ways of serving it.

    python bench/startup.py [--db PATH] [--runs 3] [--route app|gunicorn|both]

  app        `python app.py --port P --db PATH` (development server)
  gunicorn   `gunicorn -c gunicorn.conf.py -b 127.0.0.1:P app:server` with SSP_DB=PATH (production)

Each run starts the server as a subprocess from this repository's root, asks `GET /` every 20 ms until it
answers 200, and stops the server; the time counts from the moment the process is started. Reported: the
median of the runs (and each run), the seconds until the start-up banner's URL line was printed, and the
seconds a second `GET /` and the first page (the Pages router's callback, as a browser asks for it) took
right after the first answer — the latter while the background warm-up of the default views may still run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/startup.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import DashSite, HTTPTransport  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO / "data" / "build" / "plans.duckdb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(route: str, port: int, db: Path) -> tuple[list[str], dict]:
    env = {**os.environ, "SSP_DB": str(db), "PYTHONUNBUFFERED": "1"}
    if route == "app":
        return [sys.executable, "app.py", "--port", str(port), "--db", str(db)], env
    return [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "app:server"], env


def get(port: int, path: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def first_page(port: int, timeout: float = 60) -> None:
    """The Pages router's callback for `/`, as the renderer sends it once the page's scripts are loaded."""
    site = DashSite(HTTPTransport(port, timeout=timeout))
    try:
        site.call(site.router_request("/", ""))
    finally:
        site.transport.close()


def one_run(route: str, db: Path, timeout: float = 60) -> dict:
    port = free_port()
    cmd, env = command(route, port, db)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for raw in proc.stdout:
            lines.append((time.perf_counter() - started, raw.decode("utf-8", "replace").rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result: dict = {"route": route}
    try:
        while True:
            elapsed = time.perf_counter() - started
            if proc.poll() is not None:
                raise RuntimeError(f"{route} exited with {proc.returncode}:\n" + "\n".join(t for _, t in lines))
            if elapsed > timeout:
                raise RuntimeError(f"{route}: no answer within {timeout:.0f} s")
            try:
                status = get(port, "/", timeout=timeout)
            except OSError:
                status = None
            if status == 200:
                result["first_s"] = time.perf_counter() - started
                break
            time.sleep(0.02)
        t = time.perf_counter()
        get(port, "/")
        result["second_get_s"] = time.perf_counter() - t
        t = time.perf_counter()
        first_page(port)
        result["first_page_s"] = time.perf_counter() - t
        url = [s for s, text in lines if "http://" in text]
        result["banner_s"] = url[0] if url else None
        result["output"] = [text for _, text in lines]
        return result
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT if route == "app" else signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the session started for this server only
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", type=Path, default=Path(os.environ.get("SSP_DB", DEFAULT_DB)))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--route", choices=["app", "gunicorn", "both"], default="both")
    p.add_argument("--show-output", action="store_true", help="print the server's output of the first run")
    args = p.parse_args(argv)
    routes = ["app", "gunicorn"] if args.route == "both" else [args.route]
    runs: dict[str, list[dict]] = {route: [] for route in routes}
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; database {args.db}", flush=True)
    for _ in range(args.runs):  # the routes in turn, so a busy moment of the host falls on both
        for route in routes:
            runs[route].append(one_run(route, args.db))
    for route in routes:
        first = [r["first_s"] for r in runs[route]]
        banner = [r["banner_s"] for r in runs[route] if r["banner_s"] is not None]
        page = [r["first_page_s"] for r in runs[route]]
        print(f"{route:9} first GET / answered after {statistics.median(first):.2f} s (median of {len(first)}: "
              f"{' '.join(f'{s:.2f}' for s in first)}); URL printed after "
              f"{statistics.median(banner):.2f} s; first page (router callback) then took {statistics.median(page):.2f} s"
              if banner else
              f"{route:9} first GET / answered after {statistics.median(first):.2f} s (median of {len(first)}: "
              f"{' '.join(f'{s:.2f}' for s in first)}); first page (router callback) then took "
              f"{statistics.median(page):.2f} s", flush=True)
        if args.show_output:
            print("\n".join("    " + line for line in runs[route][0]["output"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
