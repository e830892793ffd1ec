"""The build: every plan file read (etl/reading.py), the database written (etl/tables/write.py) and swapped
in atomically; documents unchanged since the previous build are not read again (etl/cache.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import duckdb

from . import __version__
from .cache import FileHashes, PlanCache, build_salt, index_path
from .reading import FileProblem, Outcome, read_plan, read_stream
from .reference import Reference
from .rows.model import Issue
from .synth import MARKER
from .tables.corrections import (
    CORRECTION_TABLE_COLUMNS,
    Correction,
    apply_corrections,
    correction_rows,
    digest,
    read_corrections,
)
from .tables.rows import LoadedPlan
from .tables.write import DatabaseWriteError, remove_stale_temporaries, write_database, write_incremental

__all__ = ["BuildError", "BuildResult", "FileProblem", "build", "build_lock", "plan_files", "read_plan"]


class BuildError(Exception):
    """The build itself failed (nothing was replaced)."""


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
    corrections: dict[str, list[Correction]] = field(default_factory=dict)  # by source_sha256

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
    corrections: str = ""  # digest() of the corrections applied to it


def plan_files(plans_dir: Path) -> list[Path]:
    if not plans_dir.is_dir():
        raise BuildError(f"plans directory not found: {plans_dir}")
    return sorted(p for p in plans_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def build(plans_dir: Path, db_path: Path, reference: Reference,
          on_file: Callable[[Path], None] | None = None, workers: int | None = None,
          use_cache: bool = True, corrections_dir: Path | None = None) -> BuildResult:
    """Read every plan in plans_dir and replace db_path with a database of them, atomically, with the
    corrections of corrections_dir applied (etl/tables/corrections.py).
    Documents unchanged since the previous build (same name, content, code, reference and corrections) are not
    read again: their rows are carried over from the previous database, or taken from the parse cache."""
    files = [f for f in plan_files(plans_dir) if f.name != MARKER]
    salt = build_salt(reference)
    result = BuildResult(db_path, files_seen=len(files), synthetic=(plans_dir / MARKER).exists(), salt=salt.hex(),
                         reference=reference)
    if not reference.available:
        result.problems.append(FileProblem("", "notice", "reference_missing", reference.notice or "no EKATTE reference"))
    result.corrections, invalid = read_corrections(corrections_dir)
    result.problems += [FileProblem(p.file, "warning", "correction_invalid", f"{p.message}; not applied", p.row)
                        for p in invalid]
    with build_lock(db_path), gc_paused():
        remove_stale_temporaries(db_path)
        previous = previous_plans(db_path, salt.hex()) if use_cache else None
        hashes = FileHashes(index_path(db_path))
        unchanged = {}
        for path in files:
            known = (previous or {}).get(path.name)
            if known and known.source_sha256 == hashes.sha256(path) and \
                    known.corrections == digest(result.corrections.get(known.source_sha256, [])):
                unchanged[path] = known
        to_read = [f for f in files if f not in unchanged]
        cache = PlanCache(db_path.parent / "cache", salt) if use_cache else None
        try:
            if not unchanged:
                # nothing to carry over: a new database, worker batches inserted as they arrive
                chunks = select_stream(read_stream(to_read, reference, cache, workers, on_file, hashes), result)
                first = next(chunks, [])  # the workers are forked before the new database is opened
                write_database(db_path, reference, chain([first], chunks), lambda: result_tables(result),
                               expected=len(to_read))
            else:
                outcomes = {path: outcome for chunk in read_stream(to_read, reference, cache, workers, on_file,
                                                                   hashes) for path, outcome in chunk}
                select_plans(files, unchanged, outcomes, result)
                if previous is not None and result.kept:
                    write_incremental(db_path, [k.plan_id for k in result.kept], result.plans, result_tables(result))
                else:
                    write_database(db_path, reference, [result.plans], lambda: result_tables(result))
        except DatabaseWriteError as exc:  # a full disk, an I/O error: one line, nothing replaced
            raise BuildError(str(exc)) from None
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
        self.seen: dict[tuple[str, int, str], str] = {}

    def take(self, path: Path, key: tuple[str, int, str] | None, problem: FileProblem | None) -> bool:
        """key: (municipality, year, plan id): the plan id tells apart two municipalities of one name."""
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
    """Plans carried over and plans read (with their corrections applied), chosen in file order (PlanChooser)."""
    chooser = PlanChooser(result)
    for path in files:
        kept = unchanged.get(path)
        plan, problem = (None, None) if kept else outcomes[path]
        key = None if problem else (kept.municipality, kept.year, kept.plan_id) if kept else (
            plan.plan.municipality, plan.plan.year, plan.plan.plan_id)
        if chooser.take(path, key, problem):
            if kept:
                result.kept.append(kept)
            else:
                result.plans.append(corrected(plan, result))


def select_stream(chunks: Iterator[list[tuple[Path, Outcome]]], result: BuildResult) -> Iterator[list[LoadedPlan]]:
    """select_plans for outcomes arriving in file order, chunk by chunk (nothing carried over): per chunk,
    the plans it adds to result.plans."""
    chooser = PlanChooser(result)
    for chunk in chunks:
        chosen = [corrected(plan, result) for path, (plan, problem) in chunk
                  if chooser.take(path, None if problem else (plan.plan.municipality, plan.plan.year, plan.plan.plan_id),
                                  problem)]
        result.plans += chosen
        yield chosen


def corrected(plan: LoadedPlan, result: BuildResult) -> LoadedPlan:
    """plan with the corrections made on its document applied; each one refused is a warning of the plan."""
    corrections = result.corrections.get(plan.plan.source_sha256, [])
    plan = apply_corrections(plan, corrections, result.reference)
    plan.issues = list(plan.issues) + [
        Issue("warning", "correction_refused", f"{c.file} line {c.row}: the correction of {c.field} at line "
              f"{c.ref} is not applied: {c.why}", c.source_line) for c in corrections if c.status == "refused"]
    return plan


def orphan_corrections(result: BuildResult) -> list[Correction]:
    """Corrections made on a document no plan of this build has (it changed, or went): refused, reported."""
    loaded = {p.plan.source_sha256 for p in result.plans} | {k.source_sha256 for k in result.kept}
    orphans = [c for sha, cs in result.corrections.items() if sha not in loaded for c in cs]
    for c in orphans:
        c.refuse("no document of the build has the content it was made on (the document changed or was removed)")
    return orphans


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One writer at a time: a second build refuses at once instead of racing for the file.

    The lock is an flock on `<db>.lock`, which the kernel releases when the last descriptor of it is
    closed — when the build's process ends, however it ends (kill -9 too): a lock is never left by a dead
    build. Only the build's process holds it: a process forked while it is held (the worker processes)
    closes its inherited copy at once (_close_locks_in_child), so workers can never keep a lock their
    build no longer needs; and they die with their build (etl/reading.py, PR_SET_PDEATHSIG). The file
    holds the build's process id, so that a refusal says who holds the lock."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError(lock_busy(db_path, lock_path)) from exc
        with contextlib.suppress(OSError):  # who holds it, for a refused build's message (a full disk: unsaid)
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        _held_locks.add(fd)
        try:
            yield
        finally:
            _held_locks.discard(fd)
    finally:
        os.close(fd)


_held_locks: set[int] = set()  # descriptors of build locks this process holds


def _close_locks_in_child() -> None:
    """In a forked child (a worker): close the inherited build-lock descriptors (closing is not unlocking:
    the build keeps its lock), so that the lock lives exactly as long as the build's process."""
    for fd in _held_locks:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


def lock_busy(db_path: Path, lock_path: Path) -> str:
    """Why a build is refused: who holds the lock, and when that is not a build any more, what to do."""
    try:
        pid = int(lock_path.read_text(encoding="ascii", errors="replace").split()[0])
    except (OSError, ValueError, IndexError):
        pid = None
    said = f" (process {pid})" if pid else ""
    if pid and not _alive(pid):
        holders = _holders(lock_path)
        which = f": process {', '.join(map(str, holders))}" if holders else ""
        return (f"the build that was writing {db_path}{said} has died, but processes it started still hold its "
                f"lock{which}; end them (kill {' '.join(map(str, holders)) or '…'}) and try again")
    return f"another build is writing {db_path}{said}; wait for it to finish and try again"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holders(path: Path) -> list[int]:
    """Processes with the file open (Linux /proc; [] where it cannot be told)."""
    found = []
    try:
        target = os.stat(path)
        for entry in os.scandir("/proc"):
            if not entry.name.isdecimal():
                continue
            with contextlib.suppress(OSError):
                for fd in os.scandir(f"/proc/{entry.name}/fd"):
                    with contextlib.suppress(OSError):
                        st = os.stat(fd.path)
                        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
                            found.append(int(entry.name))
                            break
    except OSError:
        return []
    return sorted(set(found) - {os.getpid()})


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
            made: dict[str, list[Correction]] = {}
            for c in con.execute("select source_sha256, source_line, field, value, reason, author, corrected_at, "
                                 "source_record from corrections where plan_id is not null").fetchall():
                made.setdefault(c[0], []).append(Correction("", 0, *c[:-1], record=c[-1]))
            rows = con.execute("select plan_id, municipality, year, source_file, source_sha256, items from plans")
            return {r[3]: KeptPlan(*r, counts.get(r[0], {}), digest(made.get(r[4], []))) for r in rows.fetchall()}
        finally:
            con.close()
    except duckdb.Error:
        return None  # an unreadable previous database is simply rebuilt in full


def result_tables(result: BuildResult) -> dict[str, tuple[list[str], list[tuple]]]:
    """The tables of the build as a whole; the corrections of plans carried over stay as they were."""
    orphans = orphan_corrections(result)
    result.problems += [FileProblem(c.file, "warning", "correction_refused", f"{c.file} line {c.row}: the correction "
                                    f"of {c.field} is not applied: {c.why}", c.row) for c in orphans]
    read = {p.plan.source_sha256 for p in result.plans}
    made = {sha: cs for sha, cs in result.corrections.items() if sha in read} | {"": orphans}
    return {
        "corrections": (CORRECTION_TABLE_COLUMNS, correction_rows(made)),
        "build_report": (["source_file", "plan_id", "line", "severity", "category", "message"], report_rows(result)),
        "build_info": (["key", "value"], list(build_info(result).items())),
    }


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
