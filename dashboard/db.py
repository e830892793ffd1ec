"""Query stage: one read-only DuckDB database per process; run_query(name, **params) -> DataFrame.

The ETL replaces the database file atomically (os.replace), so every query checks the file's identity (inode,
mtime, size) and reopens when it changed; a file that is gone is closed (never served from the old handle), and
one that cannot be opened or read is reported as DatabaseMissing (pages show a notice, data requests answer 503)
and retried on the next query.

Bounds (the serving side must not be stalled by a few expensive requests):
- every query runs on a cursor of its own (queries of several request threads run at once) under a deadline,
  QUERY_SECONDS (env SSP_QUERY_TIMEOUT; making a CSV file: DOWNLOAD_SECONDS, SSP_DOWNLOAD_TIMEOUT); past it a
  watchdog thread interrupts it with DuckDB's connection.interrupt() and the caller gets QueryTimeout;
- heavy work (the /data grid's filtered or sorted query, CSV downloads) runs under heavy_job(): at most
  HEAVY_JOBS at once per process (env SSP_HEAVY_JOBS); a request that finds them taken waits HEAVY_WAIT seconds,
  then gets Busy. Light page queries never wait for it.
QueryTimeout, Busy and DatabaseMissing are Unavailable: the app answers them with 503 and a sentence.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

import queries
from etl.reference import reference_dir as chosen_reference_dir

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DB = REPO / "data" / "build" / "plans.duckdb"
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

log = logging.getLogger(__name__)
MEMORY_LIMIT = "512MB"
# a bounded buffer: many worker processes share the machine, and DuckDB would otherwise keep caching up
# to most of its memory under sustained load. Other read-only connections to the same file in this
# process (the benchmarks) must use the same configuration: DuckDB refuses a second one that differs.
CONNECTION_CONFIG = {"memory_limit": MEMORY_LIMIT, "threads": 2}
# Results of @remembered functions (page callbacks, filter choices) kept per process; 0 turns it off
# (the callback benchmark measures the computation itself that way).
RESULT_CACHE_SIZE = int(os.environ.get("SSP_RESULT_CACHE", "256") or 0)
# ... and at most this much of them, counted as their JSON (what the browser receives): a national page's
# results are 0.01-0.25 MB of JSON and 2.5-8× that as Python objects, so 16 MB of JSON is ≤ ~130 MB a worker
RESULT_CACHE_BYTES = 16 * 1024 * 1024


def env_number(name: str, default: float) -> float:
    """A positive number (seconds, places) from the environment variable `name`, else `default`."""
    try:
        value = float(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


# a query of a page, of the grid, or the generation of a CSV file stops after this long
QUERY_SECONDS = env_number("SSP_QUERY_TIMEOUT", 5)
DOWNLOAD_SECONDS = env_number("SSP_DOWNLOAD_TIMEOUT", 20)
HEAVY_JOBS = max(1, int(env_number("SSP_HEAVY_JOBS", 1)))
HEAVY_WAIT = env_number("SSP_HEAVY_WAIT", 1)
RETRY_AFTER = 5  # seconds a refused client is told to wait (Retry-After)


class Unavailable(RuntimeError):
    """A request that cannot be answered now (HTTP 503): `key` names its sentence in dashboard/i18n.py. The
    exception's own text is for the log only (it may name server paths)."""

    key = "unavailable"


class DatabaseMissing(Unavailable):
    """The database file does not exist (the ETL has not been run), is gone, or cannot be opened or read."""

    key = "db_unavailable"


class DatabaseOutdated(Unavailable):
    """The database was built by another version (queries/derived.sql differs) and lacks what a query needs."""

    key = "db_rebuild"


class QueryTimeout(Unavailable):
    """A query ran past its deadline and was interrupted."""

    key = "query_timeout"


class Busy(Unavailable):
    """As many heavy jobs as allowed are running in this process; try again shortly."""

    key = "server_busy"


# errors of DuckDB that say the file cannot be read (damaged, truncated, unreadable), not that a query is wrong
UNREADABLE = (duckdb.IOException, duckdb.FatalException, duckdb.InternalException, duckdb.SerializationException)


class _Watchdog:
    """One thread per process that interrupts each watched cursor at its deadline (DuckDB's documented
    connection.interrupt()). Started on first use in each process (threads do not survive gunicorn's fork)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: dict[int, list] = {}  # token -> [deadline, cursor, fired]
        self._next = 0
        self._pid: int | None = None

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="query-watchdog", daemon=True).start()

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for entry in self._watched.values():
                    if not entry[2] and entry[0] <= now:
                        entry[2] = True
                        try:
                            entry[1].interrupt()
                        except Exception:  # noqa: BLE001 — the watchdog must outlive any one cursor
                            log.warning("could not interrupt a query", exc_info=True)
                pending = [e[0] for e in self._watched.values() if not e[2]]
                self._cond.wait(max(0.0, min(pending) - now) if pending else None)

    def watch(self, cursor, seconds: float) -> int:
        with self._cond:
            self._ensure_thread()
            self._next += 1
            self._watched[self._next] = [time.monotonic() + seconds, cursor, False]
            self._cond.notify()
            return self._next

    def release(self, token: int) -> bool:
        """Stop watching; True when the deadline passed (the cursor was interrupted). The entry leaves under
        the lock, so no interrupt reaches the cursor after this."""
        with self._cond:
            return self._watched.pop(token)[2]


_watchdog = _Watchdog()
_heavy = threading.BoundedSemaphore(HEAVY_JOBS)
_holding = threading.local()


@contextlib.contextmanager
def heavy_job(wait: float | None = None):
    """Hold one of the process's HEAVY_JOBS places for heavy work (reentrant in a thread): Busy when none is
    free within `wait` seconds (default HEAVY_WAIT)."""
    depth = getattr(_holding, "depth", 0)
    if depth == 0 and not _heavy.acquire(timeout=HEAVY_WAIT if wait is None else wait):
        raise Busy(f"{HEAVY_JOBS} heavy job(s) running")
    _holding.depth = depth + 1
    try:
        yield
    finally:
        _holding.depth = depth
        if depth == 0:
            _heavy.release()


class _Database:
    """A lazily opened read-only database that follows atomic replacements of its file; each query runs on a
    cursor of its own under a deadline."""

    def __init__(self) -> None:
        self.path: Path = Path(os.environ.get("SSP_DB", DEFAULT_DB))
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # notified when a query ends
        self._active = 0  # queries running on cursors of self._con
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple | None = None
        self._broken = False  # a query found the open file unreadable: reopen before the next one
        self._cache: dict = {}
        self._results: OrderedDict = OrderedDict()  # full key -> (value, JSON bytes)
        self._results_bytes = 0
        self._results_lock = threading.Lock()  # not the query lock: a hit never waits for a query

    def set_path(self, path: str | os.PathLike) -> None:
        with self._lock:
            self._wait_idle()
            self.path = Path(path)
            self._close()

    def _wait_idle(self) -> None:
        """Wait (lock held) until no query runs on the open connection: each ends by its deadline."""
        if not self._idle.wait_for(lambda: self._active == 0, timeout=DOWNLOAD_SECONDS + 5):
            raise Busy("queries still running on the previous database file")

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
        self._con, self._identity, self._broken = None, None, False
        self._cache = {}
        with self._results_lock:
            self._results.clear()
            self._results_bytes = 0

    def _file_identity(self) -> tuple | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _current(self) -> duckdb.DuckDBPyConnection:
        """The connection to the current file; (re)opened when the file is new, closed when it is gone. Caller
        holds the lock."""
        identity = self._file_identity()
        if identity is None:
            if self._con is not None:  # deleted (or moved away): not served from the old handle
                log.warning("%s is gone: closing it", self.path)
                self._wait_idle()
                self._close()
            raise DatabaseMissing(str(self.path))
        if identity != self._identity or self._broken:
            # DuckDB caches open databases by path, so the old one must be closed before the replacement can be
            # opened: wait for the queries running on it (each ends by its deadline)
            replaced = self._con is not None
            self._wait_idle()
            self._close()
            try:
                self._con = duckdb.connect(str(self.path), read_only=True, config=CONNECTION_CONFIG)
            except duckdb.Error as exc:
                log.warning("could not open %s: %s", self.path, exc)
                raise DatabaseMissing(f"{self.path}: {exc}") from exc
            self._identity = identity
            if replaced:
                for hook in _replaced_hooks:
                    threading.Thread(target=hook, name="database-replaced", daemon=True).start()
        return self._con

    def query(self, sql: str, params: dict, cache_key: str | None = None, fetch: Callable | None = None,
              seconds: float | None = None):
        """The result of `sql` as `fetch(cursor, sql, params)` makes it (default: a DataFrame), interrupted after
        `seconds` (default QUERY_SECONDS: QueryTimeout); with a cache_key, remembered until the file changes (do
        not modify it)."""
        with self._lock:
            con = self._current()
            if cache_key is not None and cache_key in self._cache:
                return self._cache[cache_key]
            identity = self._identity
            self._active += 1
        try:
            cursor = con.cursor()
            token = _watchdog.watch(cursor, seconds or QUERY_SECONDS)
            interrupted = False
            try:
                result = (fetch or fetch_frame)(cursor, sql, params)
            except Exception as exc:
                interrupted = _watchdog.release(token)
                token = None
                if interrupted:
                    raise QueryTimeout(f"interrupted after {seconds or QUERY_SECONDS} s") from exc
                if isinstance(exc, UNREADABLE):
                    with self._lock:
                        if self._identity == identity:
                            self._broken = True
                    log.warning("could not read %s: %s", self.path, exc)
                    raise DatabaseMissing(f"{self.path}: {exc}") from exc
                if isinstance(exc, duckdb.CatalogException) and cache_key != "reference_counts" and derived_outdated():
                    # a table or macro this version's queries expect is not in a database an older version built
                    raise DatabaseOutdated(f"{self.path}: {exc}") from exc
                raise
            finally:
                if token is not None:
                    _watchdog.release(token)
                cursor.close()
        finally:
            with self._lock:
                self._active -= 1
                self._idle.notify_all()
        if cache_key is not None:
            with self._lock:
                if self._identity == identity:
                    self._cache[cache_key] = result
        return result

    def constant(self, key: tuple, compute: Callable):
        """compute(), remembered with the constant queries' results until the file changes. compute runs
        without the lock (it runs queries); a result computed while the file was replaced is not kept."""
        with self._lock:
            self._current()
            if key in self._cache:
                return self._cache[key]
            identity = self._identity
        value = compute()
        with self._lock:
            if self._identity == identity:
                self._cache[key] = value
        return value

    def check(self) -> None:
        with self._lock:
            self._current()

    def recall(self, key: tuple) -> tuple[tuple, object]:
        """(full key, remembered result or _MISSING). The key includes the file's identity now, so a
        result computed from a replaced file is never served for the new one."""
        full = (self._file_identity(), *key)
        with self._results_lock:
            if full in self._results:
                self._results.move_to_end(full)
                return full, self._results[full][0]
        return full, _MISSING

    def keep(self, full: tuple, value: object, count: int, budget: int) -> None:
        """Remember value under full; the least recently used go beyond `count` entries or `budget` bytes."""
        size = json_size(value)
        with self._results_lock:
            if full in self._results:
                self._results_bytes -= self._results.pop(full)[1]
            self._results[full] = (value, size)
            self._results_bytes += size
            while len(self._results) > count or (self._results_bytes > budget and len(self._results) > 1):
                self._results_bytes -= self._results.popitem(last=False)[1][1]

    def remembered_bytes(self) -> tuple[int, int]:
        """(entries, JSON bytes) in the result cache."""
        with self._results_lock:
            return len(self._results), self._results_bytes


def json_size(value: object) -> int:
    """Bytes of value as JSON (as Dash would send it); values that are not JSON (sets) count 1 KB."""
    from plotly.io.json import to_json_plotly  # noqa: PLC0415  (what Dash encodes responses with)

    try:
        return len(to_json_plotly(value))
    except (TypeError, ValueError):
        return 1024


_MISSING = object()
_replaced_hooks: list[Callable[[], None]] = []


def on_replaced(hook: Callable[[], None]) -> None:
    """Run hook (in a thread of its own) each time the dashboard moves to a rebuilt database file; the
    gunicorn workers redraw the default views with it (gunicorn.conf.py)."""
    _replaced_hooks.append(hook)


DB = _Database()


def remembered(fn: Callable) -> Callable:
    """fn's results by argument values, kept until the database file is replaced (least recently used
    dropped beyond RESULT_CACHE_SIZE entries or RESULT_CACHE_BYTES of JSON per process). Only for functions whose result depends on nothing but
    their arguments (JSON values), the database and the reference files; callers must not modify a result.

    Page callbacks use it: many readers open the same views, and a view's figures and tables are the
    same until the next build."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args):
        if RESULT_CACHE_SIZE <= 0:
            return fn(*args)
        arguments = json.dumps(args, sort_keys=True, ensure_ascii=False).encode()
        full, value = DB.recall((name, hashlib.blake2b(arguments, digest_size=20).digest()))
        if value is _MISSING:
            value = fn(*args)
            DB.keep(full, value, RESULT_CACHE_SIZE, RESULT_CACHE_BYTES)
        return value

    return wrapper


def constant(fn: Callable) -> Callable:
    """fn's results by argument values, kept until the database file is replaced, whatever
    RESULT_CACHE_SIZE: for functions of the CONSTANT_QUERIES alone (the filter bar's choices, the
    synthetic flag). Every page load needs them; they are a few kB per database file and language."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args):
        return DB.constant((name, *args), lambda: fn(*args))

    return wrapper


def set_database(path: str | os.PathLike) -> None:
    """Point the dashboard at another database file (the app's --db option, tests)."""
    DB.set_path(path)
    query_text.cache_clear()


def database_path() -> Path:
    return DB.path


def database_available() -> bool:
    try:
        DB.check()
    except DatabaseMissing:
        return False
    return True


@cache
def query_text(name: str) -> str:
    """The SQL of queries/<name>.sql (read once per process)."""
    return queries.text(name)


class SqlText(str):
    """A piece of SQL a caller composed from its own fixed lists (column expressions, filter types), never from a
    request's text: the only values a query's `{{slot}}` takes. Values from a request are `$name` parameters."""


# a slot of a query written for the state it serves (queries/data_grid.sql): `{{name}}`, filled with params[name]
SLOT = re.compile(r"\{\{([a-z_]+)\}\}")
# a string literal (kept) or a comment (dropped)
LITERAL_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


def without_comments(sql: str) -> str:
    """`sql` less its `--` comments (a query's notes name parameters and slots it may not use in every state)."""
    return LITERAL_OR_COMMENT.sub(lambda m: m.group(0) if m.group(0).startswith("'") else "", sql)


def bound(name: str, params: dict) -> tuple[str, dict]:
    """(the SQL of queries/<name>.sql with its `{{slots}}` filled from `params` (SqlText only), the values of its
    `$name` parameters out of `params`)."""
    sql = query_text(name)
    if "{{" in sql:
        sql = without_comments(sql)
        slots = dict.fromkeys(SLOT.findall(sql))
        wrong = [s for s in slots if not isinstance(params.get(s), SqlText)]
        if wrong:
            raise TypeError(f"query {name} needs SQL text (SqlText) for its slots {wrong}")
        sql = SLOT.sub(lambda m: params[m.group(1)], sql)
    wanted = dict.fromkeys(PARAM.findall(sql))
    missing = [p for p in wanted if p not in params]
    if missing:
        raise TypeError(f"query {name} needs parameters {missing}")
    return sql, {p: params[p] for p in wanted}


# Each fetcher runs its SQL text parsed once per process (parsed): DuckDB parses ≈ 2 KB of SQL a millisecond
# on every run of a text (the /data grid's data_grid.sql: 2.3 ms; 0.1-0.9 ms for the other queries). A query with
# slots has a text per state it serves (data_grid: per sort and set of filters): the last PARSED_TEXTS are kept.
_parsed: OrderedDict[str, duckdb.Statement | str] = OrderedDict()
_parsed_lock = threading.Lock()
PARSED_TEXTS = 512


def parsed(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement | str:
    """The statement `sql`, parsed once per process (a text of several statements stays text)."""
    with _parsed_lock:
        statement = _parsed.get(sql)
        if statement is not None:
            _parsed.move_to_end(sql)
            return statement
    statements = con.extract_statements(sql)
    statement = statements[0] if len(statements) == 1 else sql
    with _parsed_lock:
        _parsed[sql] = statement
        while len(_parsed) > PARSED_TEXTS:
            _parsed.popitem(last=False)
    return statement


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    return con.execute(parsed(con, sql), params).df()


def fetch_arrow(con: duckdb.DuckDBPyConnection, sql: str, params: dict):
    return con.sql(parsed(con, sql), params=params).to_arrow_table()


def fetch_records(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict]:
    """[{column: value}] (SQL NULL -> None)."""
    cursor = con.execute(parsed(con, sql), params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# queries that read and sort the whole selection, whatever the request: run as heavy jobs (heavy_job)
HEAVY_QUERIES = {"data_grid"}


def _run(name: str, params: dict, fetch: Callable, seconds: float | None = None):
    sql, values = bound(name, params)
    key = name if name in CONSTANT_QUERIES and fetch is fetch_frame else None
    with heavy_job() if name in HEAVY_QUERIES else contextlib.nullcontext():
        if _observer is None:
            return DB.query(sql, values, key, fetch, seconds)
        start = time.perf_counter()
        try:
            return DB.query(sql, values, key, fetch, seconds)
        finally:
            _observer(name, (time.perf_counter() - start) * 1000)


def run_query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with `params` bound to its `$name` parameters; a DataFrame back.

    Parameters the SQL does not use are ignored, so pages can pass their whole filter state.
    """
    return _run(name, params, fetch_frame)


def run_arrow(name: str, **params):
    """As run_query, but an Arrow table back (whole-selection downloads: no DataFrame conversion)."""
    return _run(name, params, fetch_arrow)


def run_records(name: str, **params) -> list[dict]:
    """As run_query, but plain records back: for a page of many columns shown as they are (the /data
    grid: converting 46 columns to a DataFrame and back cost more than the query's own execution)."""
    return _run(name, params, fetch_records)


def run_batches(name: str, consume: Callable, batch_rows: int = 20_000, **params):
    """consume(reader) with a pyarrow RecordBatchReader over the result of queries/<name>.sql, as a heavy job,
    under the deadline DOWNLOAD_SECONDS for the query and the consumption together: DuckDB hands the rows over
    `batch_rows` at a time, so a consumer that writes each batch away holds one batch in memory. Returns what
    consume returns."""

    def fetch(cursor, sql: str, values: dict):
        return consume(cursor.sql(parsed(cursor, sql), params=values).to_arrow_reader(batch_rows))

    with heavy_job():
        return _run(name, params, fetch, DOWNLOAD_SECONDS)


_observer: Callable[[str, float], None] | None = None


def set_observer(observer: Callable[[str, float], None] | None) -> None:
    """Call observer(query name, milliseconds) after every query (the callback benchmark, bench/query_bench.py); None: off."""
    global _observer
    _observer = observer


def dashboard_queries() -> list[str]:
    """The names of the queries the dashboard runs (every run_query / run_records / run_arrow("...") and
    download (Download("...")) in dashboard/)."""
    found = set()
    for path in (REPO / "dashboard").rglob("*.py"):
        found.update(re.findall(r'(?:run_query|run_records|run_arrow|Download)\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return sorted(found)


# Queries without parameters whose result only changes with the database file (every page load
# runs them): kept per database file, dropped when the file is replaced.
CONSTANT_QUERIES = {"filter_options", "reference_counts"}


@constant
def derived_outdated() -> bool:
    """The database's summary tables and macros were made by another queries/derived.sql than the one
    these queries expect (a database built by an older version): some views may fail until a rebuild.
    Logged once per database file; the pages show a notice (components.outdated_banner)."""
    built = run_query("reference_counts").iloc[0]["derived_sha256"]
    expected = hashlib.sha256(queries.path("derived").read_bytes()).hexdigest()
    if built != expected:
        log.warning("%s was built with another queries/derived.sql (%s, expected %s): rebuild it with "
                    "`python -m etl build`", DB.path, built or "not recorded", expected[:12])
    return built != expected


@constant
def is_synthetic() -> bool:
    """The database was built from a synthetic corpus (build_info key 'synthetic' = 'true')."""
    return bool(run_query("reference_counts").iloc[0]["synthetic"])


def reference_dir() -> Path:
    """The reference directory (EKATTE, boundaries), chosen as the build chooses it."""
    return chosen_reference_dir()


@cache
def _load_geojson(path: Path) -> dict | None:
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def municipalities_geojson_path() -> Path:
    return reference_dir() / "geo" / "municipalities.geojson"


def municipalities_geojson() -> dict | None:
    """Municipality boundaries (LAU_CODE = EKATTE code) from the reference directory, or None."""
    return _load_geojson(municipalities_geojson_path())


@cache
def _codes(path: Path) -> tuple[str, ...]:
    geojson = _load_geojson(path)
    return tuple(f["properties"]["LAU_CODE"] for f in geojson["features"]) if geojson else ()


def municipality_codes() -> list[str]:
    """The LAU codes of all municipality boundaries (empty without the reference files)."""
    return list(_codes(municipalities_geojson_path()))
