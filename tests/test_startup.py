"""Starting the dashboard: `python app.py` and `gunicorn -c gunicorn.conf.py app:server` print which database they
serve, when it was built, what it holds, whether it is synthetic, and the address, then answer `GET /`; a missing
database is said in a line with the command that builds it, not a traceback. (How fast: bench/startup.py.)"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard import startup
from tests.fixtures.make_tiny_db import make_tiny_db

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def tiny(tmp_path) -> Path:
    return make_tiny_db(tmp_path / "plans.duckdb")


@pytest.fixture()
def synthetic(tmp_path) -> Path:
    path = make_tiny_db(tmp_path / "synthetic.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("insert into build_info values ('synthetic', 'true')")
    return path


# ------------------------------------------------------------------------------------ the banner itself


def test_the_banner_says_what_is_served(tiny):
    lines = startup.banner(tiny, ["http://127.0.0.1:8050/"])
    assert lines[1] == f"  database:  {tiny}"
    assert lines[2].startswith("  built:     2024-01-01 00:00 UTC (")
    assert lines[3] == "  holds:     3 plans of 2 municipalities"
    assert lines[4] == "  data:      real plans"
    assert lines[5] == "  serving:   http://127.0.0.1:8050/"


def test_the_banner_says_when_the_data_is_synthetic(synthetic):
    assert any("SYNTHETIC" in line for line in startup.banner(synthetic, []))


def test_a_missing_or_unreadable_database_is_one_line_with_the_command_that_builds_it(tmp_path):
    missing = startup.banner(tmp_path / "nowhere.duckdb", ["http://127.0.0.1:8050/"])
    assert any("NO DATABASE" in line and "python -m etl build" in line for line in missing)
    assert missing[-1] == "  serving:   http://127.0.0.1:8050/"
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a database" * 100)
    unreadable = startup.banner(garbage, [])
    assert any("CANNOT READ" in line and "python -m etl build" in line for line in unreadable)


def test_the_default_database_is_the_dashboards():
    from dashboard import db

    assert startup.DEFAULT_DB == db.DEFAULT_DB


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", 8050, "http://127.0.0.1:8050/"), ("0.0.0.0", 80, "http://127.0.0.1:80/"),
    ("::1", 8050, "http://[::1]:8050/"), ("localhost", 5000, "http://localhost:5000/"),
])
def test_the_address_to_open(host, port, url):
    assert startup.url(host, port) == url


def test_importing_the_app_does_no_work(tiny):
    """`import app` (what each server does before it can answer) opens no database and starts no thread: the
    default views are drawn only once the server answers (app.start_warming)."""
    code = ("import threading, app; from dashboard import db; "
            "print(sorted(t.name for t in threading.enumerate()), db.DB._con is None, app._answered.is_set())")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "SSP_DB": str(tiny)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "['MainThread'] True False"


# --------------------------------------------------------------------------------- the two ways to start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Started:
    """A server started as a subprocess from the repository root; collects its output; stop() ends it."""

    def __init__(self, cmd: list[str], env: dict):
        self.proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def first_get(self, port: int, timeout: float = 60) -> int:
        """The status of the first `GET /` that is answered (asked every 0.1 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the server exited with {self.proc.returncode}:\n{self.output()}"
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            try:
                conn.request("GET", "/")
                response = conn.getresponse()
                response.read()
                return response.status
            except OSError:
                time.sleep(0.1)
            finally:
                conn.close()
        raise AssertionError(f"no answer within {timeout} s:\n{self.output()}")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"{text!r} not printed:\n{self.output()}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session started for this server only
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait(5)


def start(route: str, port: int, db: Path) -> Started:
    if route == "app.py":
        return Started([sys.executable, "app.py", "--port", str(port), "--db", str(db)], {})
    return Started([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "app:server"],
                   {"SSP_DB": str(db)})


@pytest.mark.slow
@pytest.mark.parametrize("route", ["app.py", "gunicorn"])
def test_the_server_says_what_it_serves_and_answers(route, synthetic):
    port = free_port()
    server = start(route, port, synthetic)
    try:
        assert server.first_get(port) == 200
        server.wait_for("  serving:")
        out = server.output()
        assert f"  database:  {synthetic}" in out
        assert "  built:     2024-01-01 00:00 UTC" in out
        assert "  holds:     3 plans of 2 municipalities" in out
        assert "  data:      SYNTHETIC" in out
        assert f"  serving:   http://127.0.0.1:{port}/" in out
        assert "Traceback" not in out
    finally:
        server.stop()
    if route == "gunicorn":
        assert "gthread" in server.output()  # the worker model gunicorn.conf.py asks for


@pytest.mark.slow
@pytest.mark.parametrize("route", ["app.py", "gunicorn"])
def test_a_missing_database_is_said_not_a_traceback(route, tmp_path):
    port = free_port()
    missing = tmp_path / "not-built.duckdb"
    server = start(route, port, missing)
    try:
        assert server.first_get(port) == 200  # the pages say the database is missing
        server.wait_for("  serving:")
        out = server.output()
        assert f"NO DATABASE at {missing}: build it with `python -m etl build`" in out
        assert "Traceback" not in out
    finally:
        server.stop()
