"""Load stage: normalised plans → DuckDB, written to a temporary file and swapped in atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import gc
import hashlib
import json
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from . import __version__
from .extract import MAX_FILE_BYTES, ExtractError, read_document
from .normalise import NormalisedPlan, PlanError, PlanRecord, Record, normalise_plan, service_types
from .parse import parse_document
from .reference import Reference, load_reference
from .synth import MARKER

if TYPE_CHECKING:
    import pyarrow as pa
# pyarrow (and the pandas it imports) is imported only where Arrow is used: a rebuild that reads a plan or
# two passes its rows to DuckDB as Python values and starts faster without it.

SCHEMA = Path(__file__).resolve().parents[1] / "queries" / "schema.sql"
# summary tables the dashboard reads, computed from the loaded tables at the end of every build
DERIVED = SCHEMA.with_name("derived.sql")


class BuildError(Exception):
    """The build itself failed (nothing was replaced)."""


@dataclass
class FileProblem:
    source_file: str
    severity: str
    category: str
    message: str
    line: int | None = None


@dataclass
class BuildResult:
    db_path: Path
    plans: list[LoadedPlan] = field(default_factory=list)  # read in this build
    kept: list[KeptPlan] = field(default_factory=list)  # unchanged since the previous build, rows kept as they were
    problems: list[FileProblem] = field(default_factory=list)  # files not loaded, build-wide notices
    files_seen: int = 0
    cache_hits: int = 0
    synthetic: bool = False  # built from a synthetic corpus (the dashboard shows a banner)
    salt: str = ""
    reference: Reference | None = None

    @property
    def plan_count(self) -> int:
        return len(self.plans) + len(self.kept)

    @property
    def records(self) -> int:
        return sum(p.record_count for p in self.plans) + sum(k.record_count for k in self.kept)

    def count(self, severity: str) -> int:
        per_plan = sum(1 for p in self.plans for i in p.issues if i.severity == severity)
        kept = sum(k.issue_counts.get(severity, 0) for k in self.kept)
        return per_plan + kept + sum(1 for p in self.problems if p.severity == severity)


@dataclass
class KeptPlan:
    """A plan of the previous database whose document has not changed: its rows are carried over."""

    plan_id: str
    municipality: str
    year: int
    source_file: str
    source_sha256: str
    record_count: int
    issue_counts: dict[str, int]


def plan_files(plans_dir: Path) -> list[Path]:
    if not plans_dir.is_dir():
        raise BuildError(f"plans directory not found: {plans_dir}")
    return sorted(p for p in plans_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def read_plan(path: Path, reference: Reference, data: bytes | None = None) -> NormalisedPlan:
    """One file through extract → parse → normalise. Raises ExtractError / PlanError with a clear message."""
    document = read_document(path, data)
    return normalise_plan(parse_document(document), reference)


@dataclass
class LoadedPlan:
    """A plan ready to load: its `plans` row, the rows of its other tables as columns (lists in the
    order of ROW_COLUMNS: cheap to pickle into the parse cache and to hand to Arrow for many plans at
    once) or, when read in a worker, as Arrow slices of the worker's batch, and its issues."""

    plan: PlanRecord
    rows: dict[str, list[list] | pa.Table]  # a table from a worker's batch: that plan's slice of it
    issues: list
    batches: dict[str, tuple[pa.Table, int]] | None = None  # the batch tables and where the slices start

    @property
    def record_count(self) -> int:
        items = self.rows["items"]
        return len(items[0]) if isinstance(items, list) else items.num_rows


def flatten(normalised: NormalisedPlan) -> LoadedPlan:
    records = normalised.records
    source_file, plan_id, refs = normalised.plan.source_file, normalised.plan.plan_id, normalised.line_refs
    rows = {
        "items": [item_row(r) for r in records],
        "item_settlements": [(r.item_id, r.plan_id, i + 1, s.name, s.raw, s.ekatte, s.match)
                             for r in records for i, s in enumerate(r.settlements)],
        "item_funding": [(r.item_id, r.plan_id, c, phrase) for r in records for c, phrase in r.funding],
        "line_dispositions": [(source_file, plan_id, line, disp, item, text, refs.get(line))
                              for line, disp, item, text in normalised.dispositions],
    }
    return LoadedPlan(normalised.plan, {t: columns(r, len(ROW_COLUMNS[t])) for t, r in rows.items()},
                      normalised.issues)


def columns(rows: list[tuple], width: int) -> list[list]:
    """Rows → columns."""
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


Outcome = tuple[LoadedPlan | None, FileProblem | None]


def read_one(path: Path, reference: Reference, data: bytes | None = None) -> Outcome:
    try:
        return flatten(read_plan(path, reference, data)), None
    except (ExtractError, PlanError) as exc:
        message = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
        return None, FileProblem(path.name, "error", type(exc).__name__, message)


def build(plans_dir: Path, db_path: Path, reference: Reference,
          on_file: Callable[[Path], None] | None = None, workers: int | None = None,
          use_cache: bool = True) -> BuildResult:
    """Read every plan in plans_dir and replace db_path with a database of them, atomically.
    Documents unchanged since the previous build (same name, content, code and reference) are not read
    again: their rows are carried over from the previous database, or taken from the parse cache."""
    files = [f for f in plan_files(plans_dir) if f.name != MARKER]
    salt = build_salt(reference)
    result = BuildResult(db_path, files_seen=len(files), synthetic=(plans_dir / MARKER).exists(), salt=salt.hex(),
                         reference=reference)
    if not reference.available:
        result.problems.append(FileProblem("", "notice", "reference_missing", reference.notice or "no EKATTE reference"))
    with build_lock(db_path), gc_paused():
        remove_stale_temporaries(db_path)
        previous = previous_plans(db_path, salt.hex()) if use_cache else None
        hashes = FileHashes(index_path(db_path))
        unchanged = {}
        for path in files:
            known = (previous or {}).get(path.name)
            if known and known.source_sha256 == hashes.sha256(path):
                unchanged[path] = known
        to_read = [f for f in files if f not in unchanged]
        cache = PlanCache(db_path.parent / "cache", salt) if use_cache else None
        if not unchanged:
            # nothing to carry over: a new database, worker batches inserted as they arrive
            chunks = select_stream(read_stream(to_read, reference, cache, workers, on_file, hashes), result)
            first = next(chunks, [])  # the workers are forked before the new database is opened
            write_database(result, reference, chain([first], chunks), expected=len(to_read))
        else:
            outcomes = {path: outcome for chunk in read_stream(to_read, reference, cache, workers, on_file, hashes)
                        for path, outcome in chunk}
            select_plans(files, unchanged, outcomes, result)
            if previous is not None and result.kept:
                write_incremental(result)
            else:
                write_database(result, reference, [result.plans])
        result.cache_hits = cache.hits if cache else 0
        hashes.save(files)
        if cache:
            cache.prune(keep={cache.key(k.source_file, bytes.fromhex(k.source_sha256), hashed=True) for k in result.kept})
    return result


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the build gathers the plans' rows: the collector would walk
    the millions of objects received again and again (the rows hold no reference cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class PlanChooser:
    """Plans in file order: the first for a municipality and year is taken, a later one reported as a
    duplicate, a file that could not be read reported with its problem."""

    def __init__(self, result: BuildResult):
        self.result = result
        self.seen: dict[tuple[str, int], str] = {}

    def take(self, path: Path, key: tuple[str, int] | None, problem: FileProblem | None) -> bool:
        if problem:
            self.result.problems.append(problem)
            return False
        if key in self.seen:
            self.result.problems.append(FileProblem(
                path.name, "error", "duplicate_plan",
                f"{path.name}: a second plan for {key[0]} {key[1]} (already loaded from {self.seen[key]}); not loaded"))
            return False
        self.seen[key] = path.name
        return True


def select_plans(files: list[Path], unchanged: dict[Path, KeptPlan], outcomes: dict[Path, Outcome],
                 result: BuildResult) -> None:
    """Plans carried over and plans read, chosen in file order (PlanChooser)."""
    chooser = PlanChooser(result)
    for path in files:
        kept = unchanged.get(path)
        plan, problem = (None, None) if kept else outcomes[path]
        key = None if problem else (kept.municipality, kept.year) if kept else (plan.plan.municipality, plan.plan.year)
        if chooser.take(path, key, problem):
            if kept:
                result.kept.append(kept)
            else:
                result.plans.append(plan)


def select_stream(chunks: Iterator[list[tuple[Path, Outcome]]], result: BuildResult) -> Iterator[list[LoadedPlan]]:
    """select_plans for outcomes arriving in file order, chunk by chunk (nothing carried over): per chunk,
    the plans it adds to result.plans."""
    chooser = PlanChooser(result)
    for chunk in chunks:
        chosen = [plan for path, (plan, problem) in chunk
                  if chooser.take(path, None if problem else (plan.plan.municipality, plan.plan.year), problem)]
        result.plans += chosen
        yield chosen


def remove_stale_temporaries(db_path: Path) -> None:
    """Temporary files of builds that were killed: only a lock holder writes them, so under the lock any
    that exist are left over."""
    for stale in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        stale.unlink(missing_ok=True)


def index_path(db_path: Path) -> Path:
    """Where a build keeps the content hashes of the files it saw, by their stat (FileHashes)."""
    return db_path.with_name(f"{db_path.name}.files")


class FileHashes:
    """SHA-256 of the plan files, taken from the previous build's record when a file's stat is the same as
    then, so that a rebuild does not read every file to find the one that changed.

    A file is trusted unread only when its size, modification and status-change times (nanoseconds), inode
    and device are those recorded, and both times were more than RACY_NS older than the moment of that
    record: a write changes the status-change time (which tools that restore modification times cannot set
    back), and a write in the same clock tick as the record ("racily clean", as git calls it) is excluded by
    the margin. Anything else is read and hashed, and any error means reading the file."""

    VERSION = 1
    RACY_NS = 2_000_000_000

    def __init__(self, path: Path):
        self.path = path
        self.known: dict[str, list] = {}
        self.seen: dict[str, list] = {}  # name → [stat, sha256 hex, when the stat was taken]
        try:
            data = json.loads(path.read_bytes())
            if isinstance(data, dict) and data.get("version") == self.VERSION and isinstance(data.get("files"), dict):
                self.known = data["files"]
        except (OSError, ValueError):
            pass

    @staticmethod
    def stat(path: Path) -> tuple[list[int], int]:
        """The stat a hash is recorded under, and when it was taken (before the file is read)."""
        taken = time.time_ns()
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev], taken

    def sha256(self, path: Path) -> str:
        """The content hash of path ('' when it cannot be read)."""
        try:
            stat, taken = self.stat(path)
            entry = self.known.get(path.name)
            if self.trusted(entry, stat):
                self.seen[path.name] = entry
                return entry[1]
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return ""
        self.note(path.name, stat, taken, digest)
        return digest

    def trusted(self, entry: object, stat: list[int]) -> bool:
        try:
            recorded, digest, taken = entry  # type: ignore[misc]
            return (recorded == stat and isinstance(digest, str) and len(digest) == 64
                    and max(stat[1], stat[2]) + self.RACY_NS < taken)
        except (TypeError, ValueError, IndexError):
            return False

    def note(self, name: str, stat: list[int], taken: int, digest: str) -> None:
        self.seen[name] = [stat, digest, taken]

    def save(self, files: list[Path]) -> None:
        """Record the hashes of this build's files (atomically; a failure only means hashing next time)."""
        entries = {p.name: self.seen[p.name] for p in files if p.name in self.seen}
        tmp = self.path.with_name(f"{self.path.name.removesuffix('.files')}.tmp-files-{os.getpid()}")
        try:
            tmp.write_text(json.dumps({"version": self.VERSION, "files": entries}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def build_salt(reference: Reference) -> bytes:
    """What a parse depends on besides the document: the ETL code, its phrase tables, the schema and the
    reference data in use. A change to any of them makes every document be read again."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for source in sorted(here.glob("*.py")) + sorted((here / "data").glob("*.csv")) + [SCHEMA]:
        digest.update(source.read_bytes())
    digest.update(f"{reference.directory}|{reference.available}|{len(reference.settlements)}".encode())
    return digest.digest()


def previous_plans(db_path: Path, salt: str) -> dict[str, KeptPlan] | None:
    """Plans of the previous database by source file, when it was built with the same salt."""
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            if con.execute("select value from build_info where key = 'build_salt'").fetchone() != (salt,):
                return None
            counts: dict[str, dict[str, int]] = {}
            for plan_id, severity, n in con.execute(
                    "select plan_id, severity, count(*) from build_report where plan_id is not null group by all"
            ).fetchall():
                counts.setdefault(plan_id, {})[severity] = n
            rows = con.execute("select plan_id, municipality, year, source_file, source_sha256, items from plans")
            return {r[3]: KeptPlan(*r, counts.get(r[0], {})) for r in rows.fetchall()}
        finally:
            con.close()
    except duckdb.Error:
        return None  # an unreadable previous database is simply rebuilt in full


def read_stream(files: list[Path], reference: Reference, cache: PlanCache | None, workers: int | None,
                on_file: Callable[[Path], None] | None,
                hashes: FileHashes | None = None) -> Iterator[list[tuple[Path, Outcome]]]:
    """The outcomes of files in file order, a chunk at a time as they become known: cached ones as they
    are, the rest parsed in worker processes (batches of BATCH files) once BATCH of them are waiting, else
    here. Batches are sent while the files are still being read, and a chunk is handed on as soon as the
    batches before it are back, so the caller can insert while the workers parse. When the parse cache
    holds nothing to look up (a first build), the workers read and hash the files themselves: the bytes
    are not sent to them."""
    workers = workers or os.cpu_count() or 1
    unread = workers > 1 and (cache is None or cache.empty())
    slots: list[list] = []  # per file: [path, outcome or None]
    pending: list[tuple[int, tuple[Path, bytes, str | None]]] = []  # files to parse, not yet sent
    sent: list[tuple[object, list[int]]] = []  # (future, slot of each file of its batch), in order
    head = 0  # slots before it have been handed on
    pool = None

    def ready(block: bool) -> list[tuple[Path, Outcome]]:
        """The outcomes now known from the first not handed on, in file order; with block, at least one."""
        nonlocal head
        while sent and (sent[0][0].done() or (block and slots[head][1] is None)):
            future, where = sent.pop(0)
            outcomes, ipc, noted = future.result()
            for i, outcome in zip(where, unbatch(outcomes, ipc), strict=True):
                slots[i][1] = outcome
            for name, stat, taken, digest in noted:  # files the workers read themselves
                if hashes is not None:
                    hashes.note(name, stat, taken, digest)
                if cache is not None:  # kept when the cache is pruned, like the plans looked up here
                    cache.used.add(cache.key(name, bytes.fromhex(digest), hashed=True))
        chunk = []
        while head < len(slots) and slots[head] is not None and slots[head][1] is not None:
            path, outcome = slots[head]
            slots[head] = None  # handed on: not kept here
            head += 1
            if on_file:
                on_file(path)
            chunk.append((path, outcome))
        return chunk

    try:
        for path in files:
            slots.append([path, None])
            job = (path, None, None) if unread else prepare(path, reference, cache, hashes)
            if isinstance(job, tuple) and len(job) == 3:
                pending.append((len(slots) - 1, job))
            else:
                slots[-1][1] = job
            if workers > 1 and len(pending) == BATCH:
                if pool is None:
                    pool = _pool(workers, reference, cache)
                sent.append((pool.submit(_work, [j for _, j in pending]), [i for i, _ in pending]))
                pending = []
            chunk = ready(block=False)
            if chunk:
                yield chunk
        if pending and pool is not None:
            sent.append((pool.submit(_work, [j for _, j in pending]), [i for i, _ in pending]))
        elif pending:
            for i, job in pending:
                if job[1] is None:  # not read yet
                    job = prepare(job[0], reference, cache, hashes)
                    if len(job) != 3:
                        slots[i][1] = job
                        continue
                path, data, key = job
                slots[i][1] = read_one(path, reference, data)
                if cache and slots[i][1][0] is not None:
                    cache.store(key, slots[i][1][0])
        pending = []
        while head < len(slots):
            chunk = ready(block=True)
            if not chunk:
                raise RuntimeError("internal error: the outcome of a file went missing")
            yield chunk
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def prepare(path: Path, reference: Reference, cache: PlanCache | None, hashes: FileHashes | Noted | None,
            lookup: bool = True) -> Outcome | tuple[Path, bytes, str | None]:
    """A file's outcome when it is known without parsing (cached, unreadable, too large), else the job of
    parsing it: (path, its bytes, its parse-cache key). Without lookup, the cache only gives the key."""
    try:
        stat, taken = FileHashes.stat(path)
        if stat[0] > MAX_FILE_BYTES:  # refused by extract; never read a huge file into memory
            return read_one(path, reference)
        data = path.read_bytes()
    except OSError as exc:
        return None, FileProblem(path.name, "error", "ExtractError", f"{path.name}: cannot be read ({exc})")
    digest = hashlib.sha256(data).digest()
    if hashes is not None:
        hashes.note(path.name, stat, taken, digest.hex())
    key = cache.key(path.name, digest, hashed=True) if cache else None
    cached = cache.load(key) if cache and lookup else None
    if cached is not None:
        return cached, None
    return path, data, key


class Noted(list):
    """What a worker read and hashed itself, noted as FileHashes.note takes it (sent back to the build)."""

    def note(self, name: str, stat: list[int], taken: int, digest: str) -> None:
        self.append((name, stat, taken, digest))


def _pool(workers: int, reference: Reference, cache: PlanCache | None):
    """Worker processes: each reads its batches of files, writes the parse cache and sends back the plans
    with the batch's rows as Arrow tables, so the build process only slices them."""
    from concurrent.futures import ProcessPoolExecutor

    import pyarrow as pa

    pa.array([0])  # pyarrow imports pandas on its first array (≈0.4 s): done once here, inherited by the workers
    folder, salt = (cache.folder, cache.salt) if cache else (None, b"")
    return ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(reference.directory, folder, salt))


_worker_reference: Reference | None = None
_worker_cache: PlanCache | None = None


def _init_worker(directory: Path | None, cache_folder: Path | None, salt: bytes) -> None:
    global _worker_reference, _worker_cache
    _worker_reference = load_reference(directory)
    _worker_cache = PlanCache(cache_folder, salt) if cache_folder is not None else None


BATCH = 16  # files per worker task


def _work(jobs: list[tuple[Path, bytes | None, str | None]]) -> tuple[list, dict[str, bytes], Noted]:
    """A batch of files in a worker (a file sent without its bytes is read and hashed here). Each plan read
    is written to the parse cache; returned are, per file, (plan row, issues, number of rows per table) or
    the problem, the rows of all the batch's plans as Arrow tables (Arrow IPC), and the hashes of the
    files read here."""
    outcomes, plans, noted = [], [], Noted()
    for job in jobs:
        if job[1] is None:
            job = prepare(job[0], _worker_reference, _worker_cache, noted, lookup=False)
        if len(job) == 3:
            path, data, key = job
            plan, problem = read_one(path, _worker_reference, data)
        else:  # known without parsing (unreadable, too large)
            (plan, problem), key = job, None
        if plan is None:
            outcomes.append((None, problem))
            continue
        if _worker_cache is not None and key is not None:
            _worker_cache.store(key, plan)
        plans.append(plan)
        outcomes.append(((plan.plan, plan.issues, {t: len(c[0]) for t, c in plan.rows.items()}), None))
    return outcomes, {t: to_ipc(arrow_rows(t, plans)) for t in ROW_COLUMNS}, noted


def unbatch(outcomes: list, ipc: dict[str, bytes]) -> Iterator[Outcome]:
    """The outcomes of a worker's batch, each plan with its slices of the batch's Arrow tables."""
    tables = {t: from_ipc(blob) for t, blob in ipc.items()}
    offsets = dict.fromkeys(tables, 0)
    for head, problem in outcomes:
        if head is None:
            yield None, problem
            continue
        plan, issues, counts = head
        rows, batches = {}, {}
        for t, n in counts.items():
            rows[t] = tables[t].slice(offsets[t], n)
            batches[t] = (tables[t], offsets[t])
            offsets[t] += n
        yield LoadedPlan(plan, rows, issues, batches), None


def arrow_rows(table: str, plans: list[LoadedPlan]) -> pa.Table:
    """One table of several plans held as columns, as Arrow of the types in row_schemas() (the database
    casts them to its own, as it would values of Python's int, float and str)."""
    import pyarrow as pa

    schema = row_schemas()[table]
    return pa.Table.from_arrays(
        [pa.array(list(chain.from_iterable(p.rows[table][j] for p in plans)), type=f.type)
         for j, f in enumerate(schema)], schema=schema)


def to_ipc(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_ipc(blob: bytes) -> pa.Table:
    import pyarrow as pa

    return pa.ipc.open_stream(blob).read_all()


class PlanCache:
    """Parsed plans pickled under a key of (build salt, file name, content), so a document read once is
    not parsed again while code, phrase tables and reference stay the same."""

    def __init__(self, folder: Path, salt: bytes):
        self.folder = folder
        self.salt = salt
        self.hits = 0
        self.used: set[str] = set()
        self._made = False

    def key(self, name: str, data: bytes, hashed: bool = False) -> str:
        content = data if hashed else hashlib.sha256(data).digest()
        return hashlib.sha256(self.salt + name.encode() + b"\0" + content).hexdigest()

    def empty(self) -> bool:
        """Nothing to look up: no plan stored yet."""
        try:
            return not any(e.suffix == ".pickle" for e in self.folder.iterdir())
        except OSError:
            return True

    def load(self, key: str) -> LoadedPlan | None:
        self.used.add(key)
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                plan = pickle.load(f)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        if not isinstance(plan, LoadedPlan):
            return None
        self.hits += 1
        return plan

    def store(self, key: str, plan: LoadedPlan) -> None:
        """Write the plan, pickled, under key (atomically: a temporary file renamed into place)."""
        blob = pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL)
        if not self._made:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._made = True
        tmp = self.folder / f"{key}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(blob)
        os.replace(tmp, self.folder / f"{key}.pickle")

    def prune(self, keep: set[str]) -> None:
        """Forget plans no longer in the folder (and stale temp files)."""
        if not self.folder.is_dir():
            return
        keep = keep | self.used
        for entry in self.folder.iterdir():
            if entry.stem not in keep or entry.suffix != ".pickle":
                entry.unlink(missing_ok=True)


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One writer at a time: a second build refuses at once instead of racing for the file."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(f"another build is writing {db_path}; wait for it to finish and try again") from exc
        yield


@contextlib.contextmanager
def new_database(db_path: Path, copy_previous: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a temporary file beside db_path (a copy of it, or empty) that replaces db_path
    atomically when the block ends without error; on any error the temporary file goes and db_path stays."""
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    for stale in (tmp, Path(f"{tmp}.wal")):
        stale.unlink(missing_ok=True)
    try:
        if copy_previous:
            shutil.copyfile(db_path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        swap(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_database(result: BuildResult, reference: Reference, chunks: Iterable[list[LoadedPlan]],
                   expected: int = 0) -> None:
    """A new database of the reference tables and the plans of chunks (inserted chunk by chunk, in order:
    each table's rows are stored in plan order), then result's report and the derived tables.

    A commit writes (and compresses) the rows of its transaction, which takes longer than inserting them.
    When many plans are expected, the rows so far are committed while the workers still parse the last
    plans (early_commits), so that only the last few wait for the final commit, which also holds the
    report and the derived tables (the derived tables are computed faster from committed rows)."""
    with new_database(result.db_path) as con:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        con.execute("begin")  # few transactions: a commit per insert statement would cost more than the rows
        types: dict[str, dict[str, str]] = {}
        insert(con, reference_tables(reference), types)
        group: list[LoadedPlan] = []
        inserted, committed = 0, 0
        for plans in chunks:
            group += plans
            if len(group) >= INSERT_GROUP:  # inserted in groups: each statement has a fixed cost
                insert(con, plan_tables(group), types)
                inserted += len(group)
                group = []
                due = early_commits(expected, inserted)
                if due > committed:
                    con.execute("commit")
                    con.execute("begin")
                    committed = due
        insert(con, plan_tables(group), types)
        insert(con, result_tables(result), types)
        if not committed:
            con.execute("commit")
            con.execute("begin")
        derive(con)  # in a transaction: its statements committed one by one would cost more
        con.execute("commit")


INSERT_GROUP = 256  # plans per insert statement while the workers go on parsing
# plans still to come when the rows so far are committed: a first commit well ahead (it must end before the
# workers do, even on a busy machine), a second one that leaves the final commit only the last few plans
COMMIT_AHEAD = (6 * INSERT_GROUP, 2 * INSERT_GROUP)
EARLY_COMMIT_MIN = 8 * INSERT_GROUP  # fewer expected plans are committed once, at the end


def early_commits(expected: int, inserted: int) -> int:
    """How many early commits are due once `inserted` of `expected` plans are in (write_database)."""
    if expected < EARLY_COMMIT_MIN:
        return 0
    return sum(expected - inserted <= ahead for ahead in COMMIT_AHEAD)


NEW_ROW_TABLES = ["items", "item_settlements", "item_funding", "line_dispositions"]


def write_incremental(result: BuildResult) -> None:
    """Copy the previous database, drop the rows of plans that changed or went, add the new ones, swap."""
    with new_database(result.db_path, copy_previous=True) as con:
        keep = [k.plan_id for k in result.kept]
        for table in [*NEW_ROW_TABLES, "plans"]:  # children first: items reference plans
            con.execute(f"delete from {table} where plan_id not in (select unnest(?::varchar[]))", [keep])  # our names
        con.execute("delete from build_report where plan_id is null or plan_id not in (select unnest(?::varchar[]))",
                    [keep])
        con.execute("delete from build_info")
        # the deletes commit one by one (DuckDB refuses to delete a referenced plan in the transaction that
        # deletes its items); the rest in one transaction: each statement committed on its own costs more
        con.execute("begin")
        types: dict[str, dict[str, str]] = {}
        insert(con, plan_tables(result.plans), types)
        insert(con, result_tables(result), types)
        derive(con)
        con.execute("commit")


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)compute the summary tables and macros of queries/derived.sql from the tables just written, and
    record which derived.sql made them (build_info derived_sha256): a dashboard whose queries expect
    another one says that the database must be rebuilt (dashboard.db.derived_outdated)."""
    text = DERIVED.read_bytes()
    con.execute(text.decode("utf-8"))
    con.execute("delete from build_info where key = 'derived_sha256'")
    con.execute("insert into build_info values ('derived_sha256', ?)", [hashlib.sha256(text).hexdigest()])


class Columns(list):
    """A table's rows given as its columns (lists of equal length)."""


SMALL_INSERT = 20_000  # values: fewer go to DuckDB as lists of Python values, more as Arrow


def insert(con: duckdb.DuckDBPyConnection, data: dict[str, tuple[list[str], list[tuple] | Columns | pa.Table]],
           types: dict[str, dict[str, str]] | None = None) -> None:
    """Each table's rows in one statement: Python tuples or columns, or an Arrow table. Python values
    are passed as one list per column (unnested by DuckDB, cast to the column's type), or, when there are
    many, converted to Arrow (no pyarrow import for a small rebuild)."""
    types = {} if types is None else types
    for table, (names, rows) in data.items():
        if isinstance(rows, list):
            cols = rows if isinstance(rows, Columns) else [list(c) for c in zip(*rows, strict=True)]
            count = len(cols[0]) if cols else 0
            if not count:
                continue
            if count * len(cols) <= SMALL_INSERT:
                if table not in types:
                    types[table] = dict(con.execute("select column_name, data_type from duckdb_columns() "
                                                    "where table_name = ? and schema_name = 'main'", [table]).fetchall())
                unnested = ", ".join(f'unnest(?::{types[table][n]}[]) as "{n}"' for n in names)
                con.execute(f"insert into {table} by name select {unnested}", cols)  # table names are ours
                continue
            import pyarrow as pa

            rows = pa.Table.from_arrays([pa.array(c) for c in cols], names=names)
        if rows.num_rows:
            con.register("frame", rows)
            con.execute(f"insert into {table} by name select * from frame")  # table names are ours
            con.unregister("frame")


def swap(tmp: Path, db_path: Path) -> None:
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    Path(f"{db_path}.wal").unlink(missing_ok=True)  # a stale log must not be replayed onto the new file
    os.replace(tmp, db_path)


def reference_tables(reference: Reference) -> dict[str, tuple[list[str], list[tuple]]]:
    return {
        "service_types": (["code", "name_bg", "name_en", "target_group", "setting"],
                          [(t["code"], t["name_bg"], t["name_en"], t["target_group"], t["setting"])
                           for t in service_types().values()]),
        "oblasts": (["oblast_code", "name", "name_en"], [(o.code, o.name, o.name_en) for o in reference.oblasts.values()]),
        "municipalities": (["municipality_code", "name", "name_en", "oblast_code", "centre_ekatte"],
                           [(m.code, m.name, m.name_en, m.oblast_code, m.centre_ekatte)
                            for m in reference.municipalities.values()]),
        "settlements": (["ekatte", "kind", "name", "name_en", "municipality_code", "oblast_code"],
                        [(s.ekatte, s.kind, s.name, s.name_en, s.municipality_code, s.oblast_code)
                         for s in reference.settlements.values()]),
    }


def plan_tables(plans: list[LoadedPlan]) -> dict[str, tuple[list[str], list[tuple] | Columns | pa.Table]]:
    """The rows of plans, table by table, in plan order (the `plans` table first: items reference it)."""
    out: dict[str, tuple[list[str], list[tuple] | Columns | pa.Table]] = {
        "plans": (PLAN_COLUMNS, [tuple(getattr(p.plan, c) for c in PLAN_COLUMNS) for p in plans])}
    for table in NEW_ROW_TABLES:
        out[table] = (ROW_COLUMNS[table], gather(table, plans))
    return out


def gather(table: str, plans: list[LoadedPlan]) -> Columns | pa.Table:
    """One table of plans, in plan order: Arrow slices from the workers as they are (consecutive slices of
    one worker batch taken whole), plans held as columns (parse cache, small builds) converted together;
    plans that all hold columns give columns. (An empty list of plans gives empty columns.)"""
    width = len(ROW_COLUMNS[table])
    if all(isinstance(p.rows[table], list) for p in plans):
        return Columns(list(chain.from_iterable(p.rows[table][j] for p in plans)) for j in range(width))
    import pyarrow as pa

    parts: list[pa.Table] = []
    pending: list[LoadedPlan] = []
    run: list = []  # [batch table, offset, length]: consecutive slices of one worker batch, taken whole
    for p in plans:
        rows = p.rows[table]
        if not isinstance(rows, list):
            if pending:
                parts.append(arrow_rows(table, pending))
                pending = []
            base, offset = p.batches[table] if p.batches else (rows, 0)
            if run and run[0] is base and run[1] + run[2] == offset:
                run[2] += rows.num_rows
            else:
                if run:
                    parts.append(run[0].slice(run[1], run[2]))
                run = [base, offset, rows.num_rows]
        else:
            if run:
                parts.append(run[0].slice(run[1], run[2]))
                run = []
            pending.append(p)
    if run:
        parts.append(run[0].slice(run[1], run[2]))
    if pending:
        parts.append(arrow_rows(table, pending))
    # not combined into one chunk (a copy of every text): DuckDB inserts the chunks in their order
    # (preserve_insertion_order, its default), which the equivalence tests and the stored-order comparisons hold
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]


def result_tables(result: BuildResult) -> dict[str, tuple[list[str], list[tuple]]]:
    return {
        "build_report": (["source_file", "plan_id", "line", "severity", "category", "message"], report_rows(result)),
        "build_info": (["key", "value"], list(build_info(result).items())),
    }


PLAN_COLUMNS = ["plan_id", "municipality", "municipality_code", "oblast", "oblast_code", "year", "title",
                "source_file", "source_sha256", "encoding", "layout", "items", "lines_total", "lines_nonempty"]
ITEM_COLUMNS = ["item_id", "plan_id", "municipality", "year", "seq", "item_no", "parent_item_id", "section", "name",
                "description", "service_type", "settlements", "scope", "q1", "q2", "q3", "q4", "funding",
                "funding_raw", "amount_bgn", "capacity", "capacity_before", "capacity_unit", "staff", "units",
                "status", "provider", "place_raw", "term_raw", "layout", "source_file", "source_line",
                "source_lines", "source_text", "source_ref"]


INT_COLUMNS = {"year", "seq", "q1", "q2", "q3", "q4", "capacity", "capacity_before", "staff", "units", "source_line",
               "position", "line"}
ROW_COLUMNS = {  # the per-plan tables, as flatten() builds them
    "items": ITEM_COLUMNS,
    "item_settlements": ["item_id", "plan_id", "position", "name", "raw", "ekatte", "match"],
    "item_funding": ["item_id", "plan_id", "funding_class", "phrase"],
    "line_dispositions": ["source_file", "plan_id", "line", "disposition", "item_id", "text", "source_ref"],
}


@functools.cache
def row_schemas() -> dict[str, pa.Schema]:
    """ROW_COLUMNS as Arrow schemas."""
    import pyarrow as pa

    return {table: pa.schema([(c, pa.float64() if c == "amount_bgn" else pa.int64() if c in INT_COLUMNS
                                  else pa.string()) for c in columns])
            for table, columns in ROW_COLUMNS.items()}


def item_row(r: Record) -> tuple:
    """The `items` row of a record, in the order of ITEM_COLUMNS; empty texts become NULL."""
    q = r.quarters or (None, None, None, None)
    row = (r.item_id, r.plan_id, r.municipality, r.year, r.seq, r.item_no, r.parent_item_id, r.section, r.name,
           r.description, r.service_type, ";".join(s.name for s in r.settlements), r.scope, q[0], q[1], q[2], q[3],
           ";".join(r.funding_classes), r.funding_raw, r.amount_bgn, r.capacity, r.capacity_before, r.capacity_unit,
           r.staff, r.units, r.status, r.provider, r.place_raw, r.term_raw, r.layout, r.source_file, r.source_line,
           ",".join(map(str, r.source_lines)), r.source_text, r.source_ref)
    return tuple([None if v == "" else v for v in row])


def report_rows(result: BuildResult) -> list[tuple]:
    rows = [(p.source_file or None, None, p.line, p.severity, p.category, p.message) for p in result.problems]
    for plan in result.plans:
        rows += [(plan.plan.source_file, plan.plan.plan_id, i.line, i.severity, i.category, i.message)
                 for i in plan.issues]
    return rows


def build_info(result: BuildResult) -> dict[str, str]:
    reference = result.reference
    return {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "etl_version": __version__,
        "build_salt": result.salt,
        "reference_dir": str(reference.directory) if reference and reference.directory else "",
        "reference_available": str(bool(reference and reference.available)).lower(),
        "reference_notice": (reference.notice or "") if reference else "",
        "files_seen": str(result.files_seen),
        "plans_loaded": str(result.plan_count),
        "plans_read": str(len(result.plans)),
        "records": str(result.records),
        "synthetic": str(result.synthetic).lower(),
    }

