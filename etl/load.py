"""Load stage: normalised plans → DuckDB, written to a temporary file and swapped in atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from . import __version__
from .extract import MAX_FILE_BYTES, ExtractError, read_document
from .normalise import NormalisedPlan, PlanError, PlanRecord, Record, normalise_plan, service_types
from .parse import parse_document
from .reference import Reference, load_reference
from .synth import MARKER

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
    """A plan ready to load: its `plans` row, the rows of its other tables as tuples (cheap to pickle,
    send between processes and hand to Arrow), and its issues."""

    plan: PlanRecord
    rows: dict[str, list[tuple]]
    issues: list

    @property
    def record_count(self) -> int:
        return len(self.rows["items"])


def flatten(normalised: NormalisedPlan) -> LoadedPlan:
    records = normalised.records
    rows = {
        "items": [item_row(r) for r in records],
        "item_settlements": [(r.item_id, r.plan_id, i + 1, s.name, s.raw, s.ekatte, s.match)
                             for r in records for i, s in enumerate(r.settlements)],
        "item_funding": [(r.item_id, r.plan_id, c, phrase) for r in records for c, phrase in r.funding],
        "line_dispositions": [(normalised.plan.source_file, normalised.plan.plan_id, line, disp, item, text,
                               normalised.line_refs.get(line)) for line, disp, item, text in normalised.dispositions],
    }
    return LoadedPlan(normalised.plan, rows, normalised.issues)


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
    with build_lock(db_path):
        remove_stale_temporaries(db_path)
        previous = previous_plans(db_path, salt.hex()) if use_cache else None
        unchanged = {}
        for path in files:
            known = (previous or {}).get(path.name)
            if known and known.source_sha256 == file_sha256(path):
                unchanged[path] = known
        to_read = [f for f in files if f not in unchanged]
        cache = PlanCache(db_path.parent / "cache", salt) if use_cache else None
        outcomes = dict(zip(to_read, read_all(to_read, reference, cache, workers, on_file), strict=True))
        select_plans(files, unchanged, outcomes, result)
        result.cache_hits = cache.hits if cache else 0
        if previous is not None and result.kept:
            write_incremental(result)
        else:
            write_database(result, reference)
        if cache:
            cache.prune(keep={cache.key(k.source_file, bytes.fromhex(k.source_sha256), hashed=True) for k in result.kept})
    return result


def select_plans(files: list[Path], unchanged: dict[Path, KeptPlan], outcomes: dict[Path, Outcome],
                 result: BuildResult) -> None:
    """In file order: the first plan for a municipality and year is loaded, a later one is reported."""
    seen: dict[tuple[str, int], str] = {}
    for path in files:
        kept = unchanged.get(path)
        plan, problem = (None, None) if kept else outcomes[path]
        if problem:
            result.problems.append(problem)
            continue
        key = (kept.municipality, kept.year) if kept else (plan.plan.municipality, plan.plan.year)
        if key in seen:
            result.problems.append(FileProblem(
                path.name, "error", "duplicate_plan",
                f"{path.name}: a second plan for {key[0]} {key[1]} (already loaded from {seen[key]}); not loaded"))
            continue
        seen[key] = path.name
        if kept:
            result.kept.append(kept)
        else:
            result.plans.append(plan)


def remove_stale_temporaries(db_path: Path) -> None:
    """Temporary files of builds that were killed: only a lock holder writes them, so under the lock any
    that exist are left over."""
    for stale in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        stale.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


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


def read_all(files: list[Path], reference: Reference, cache: PlanCache | None, workers: int | None,
             on_file: Callable[[Path], None] | None) -> list[Outcome]:
    """Outcomes in file order: cached ones as they are, the rest parsed (in worker processes when many)."""
    outcomes: list[Outcome | None] = [None] * len(files)
    todo = []
    for i, path in enumerate(files):
        try:
            if path.stat().st_size > MAX_FILE_BYTES:  # refused by extract; never read a huge file into memory
                outcomes[i] = read_one(path, reference)
                continue
            data = path.read_bytes()
        except OSError as exc:
            outcomes[i] = (None, FileProblem(path.name, "error", "ExtractError", f"{path.name}: cannot be read ({exc})"))
            continue
        cached = cache.get(path.name, data) if cache else None
        if cached is not None:
            outcomes[i] = (cached, None)
            if on_file:
                on_file(path)
        else:
            todo.append((i, path, data))
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(todo) >= 16:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(reference.directory,)) as pool:
            done = pool.map(_work, [(p, d) for _, p, d in todo], chunksize=8)
            for (i, path, data), outcome in zip(todo, done, strict=True):
                outcomes[i] = outcome
                finish(cache, path, data, outcome, on_file)
    else:
        for i, path, data in todo:
            outcomes[i] = read_one(path, reference, data)
            finish(cache, path, data, outcomes[i], on_file)
    return outcomes


def finish(cache: PlanCache | None, path: Path, data: bytes, outcome: Outcome, on_file) -> None:
    if cache and outcome[0] is not None:
        cache.put(path.name, data, outcome[0])
    if on_file:
        on_file(path)


_worker_reference: Reference | None = None


def _init_worker(directory: Path | None) -> None:
    global _worker_reference
    _worker_reference = load_reference(directory)


def _work(job: tuple[Path, bytes]) -> Outcome:
    path, data = job
    return read_one(path, _worker_reference, data)


class PlanCache:
    """Parsed plans pickled under a key of (build salt, file name, content), so a document read once is
    not parsed again while code, phrase tables and reference stay the same."""

    def __init__(self, folder: Path, salt: bytes):
        self.folder = folder
        self.salt = salt
        self.hits = 0
        self.used: set[str] = set()

    def key(self, name: str, data: bytes, hashed: bool = False) -> str:
        content = data if hashed else hashlib.sha256(data).digest()
        return hashlib.sha256(self.salt + name.encode() + b"\0" + content).hexdigest()

    def get(self, name: str, data: bytes) -> LoadedPlan | None:
        key = self.key(name, data)
        self.used.add(key)
        try:
            with open(self.folder / f"{key}.pickle", "rb") as f:
                plan = pickle.load(f)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None
        self.hits += 1
        return plan

    def put(self, name: str, data: bytes, plan: LoadedPlan) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        key = self.key(name, data)
        tmp = self.folder / f"{key}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            pickle.dump(plan, f, protocol=pickle.HIGHEST_PROTOCOL)
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


def write_database(result: BuildResult, reference: Reference) -> None:
    with new_database(result.db_path) as con:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        insert(con, tables(result, reference))
        derive(con)


NEW_ROW_TABLES = ["items", "item_settlements", "item_funding", "line_dispositions"]


def write_incremental(result: BuildResult) -> None:
    """Copy the previous database, drop the rows of plans that changed or went, add the new ones, swap."""
    with new_database(result.db_path, copy_previous=True) as con:
        con.register("keep", pa.table({"plan_id": [k.plan_id for k in result.kept]}))
        for table in [*NEW_ROW_TABLES, "plans"]:  # children first: items reference plans
            con.execute(f"delete from {table} where plan_id not in (select plan_id from keep)")  # our names
        con.execute("delete from build_report where plan_id is null or plan_id not in (select plan_id from keep)")
        con.execute("delete from build_info")
        con.unregister("keep")
        fresh = tables(result, None)
        insert(con, {t: fresh[t] for t in ["plans", *NEW_ROW_TABLES, "build_report", "build_info"]})
        derive(con)


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)compute the summary tables of queries/derived.sql from the tables just written."""
    con.execute(DERIVED.read_text(encoding="utf-8"))


def insert(con: duckdb.DuckDBPyConnection, data: dict[str, tuple[list[str], list[tuple]]]) -> None:
    for table, (columns, rows) in data.items():
        if rows:
            frame = pa.Table.from_arrays([pa.array(list(col)) for col in zip(*rows, strict=True)], names=columns)
            con.register("frame", frame)
            con.execute(f"insert into {table} by name select * from frame")  # table names are ours
            con.unregister("frame")


def swap(tmp: Path, db_path: Path) -> None:
    Path(f"{tmp}.wal").unlink(missing_ok=True)
    Path(f"{db_path}.wal").unlink(missing_ok=True)  # a stale log must not be replayed onto the new file
    os.replace(tmp, db_path)


def tables(result: BuildResult, reference: Reference | None) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table as (columns, rows)."""
    plans = result.plans

    def gather(table: str) -> list[tuple]:
        return [row for p in plans for row in p.rows[table]]

    reference_tables = {} if reference is None else {
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
    return reference_tables | {
        "plans": (PLAN_COLUMNS, [tuple(getattr(p.plan, c) for c in PLAN_COLUMNS) for p in plans]),
        "items": (ITEM_COLUMNS, gather("items")),
        "item_settlements": (["item_id", "plan_id", "position", "name", "raw", "ekatte", "match"],
                             gather("item_settlements")),
        "item_funding": (["item_id", "plan_id", "funding_class", "phrase"], gather("item_funding")),
        "line_dispositions": (["source_file", "plan_id", "line", "disposition", "item_id", "text", "source_ref"],
                              gather("line_dispositions")),
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


def item_row(r: Record) -> tuple:
    quarters = r.quarters or [None] * 4
    values = {
        "settlements": ";".join(s.name for s in r.settlements),
        "funding": ";".join(r.funding_classes),
        "q1": quarters[0], "q2": quarters[1], "q3": quarters[2], "q4": quarters[3],
        "source_lines": ",".join(map(str, r.source_lines)),
    }
    row = (values[c] if c in values else getattr(r, c) for c in ITEM_COLUMNS)
    return tuple(None if v == "" else v for v in row)


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

