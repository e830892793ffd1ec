"""Reading plan files through the stages (lines → rows → records → table rows), in this process or in a
pool of worker processes, outcomes handed on in file order as they become known."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .cache import FileHashes, PlanCache
from .lines import MAX_FILE_BYTES, ExtractError, read_document
from .lines.limits import DocumentBudget, DocumentLimit, OverBudget
from .records import NormalisedPlan, PlanError, normalise_plan
from .reference import Reference, load_reference
from .rows import parse_document
from .tables.rows import ROW_COLUMNS, LoadedPlan, arrow_rows, flatten, from_ipc, to_ipc


@dataclass
class FileProblem:
    source_file: str
    severity: str
    category: str
    message: str
    line: int | None = None


def read_plan(path: Path, reference: Reference, data: bytes | None = None) -> NormalisedPlan:
    """One file through extract → parse → normalise. Raises ExtractError / PlanError with a clear message."""
    document = read_document(path, data)
    return normalise_plan(parse_document(document), reference)


Outcome = tuple[LoadedPlan | None, FileProblem | None]


class ReaderFault(Exception):
    """The reader itself failed on a document (a fault in this program, not in the file): the file is listed in
    the build report with the fault, the other files load."""
    category = "reader_fault"


def read_one(path: Path, reference: Reference, data: bytes | None = None) -> Outcome:
    """One file's plan, or the problem that kept it out: a file that cannot be read, that is no plan, or
    that breaches a limit on documents (etl/lines/limits.py: the whole read runs under a budget of CPU
    time and memory)."""
    try:
        with DocumentBudget(path.name):
            return flatten(read_plan(path, reference, data)), None
    except (ExtractError, PlanError) as exc:
        problem = exc
    except OverBudget as exc:  # the budget's signal came as the read was ending
        problem = exc.limit
    except MemoryError:  # a single allocation the caps did not foresee: this file, not the build, fails
        gc.collect()
        problem = DocumentLimit(path.name, "reading it asked for more memory than could be had", "the memory available")
    except Exception as exc:  # a fault of the reader on this document: this file, not the build, fails
        problem = ReaderFault(f"{path.name}: the reader failed on this document ({type(exc).__name__}: {exc}); "
                              "please report it with the file")
    message = str(problem) if str(problem).startswith(path.name) else f"{path.name}: {problem}"
    return None, FileProblem(path.name, "error", getattr(problem, "category", type(problem).__name__), message)


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
    return ProcessPoolExecutor(workers, initializer=_init_worker,
                               initargs=(reference.directory, folder, salt, os.getpid()))


_worker_reference: Reference | None = None


_worker_cache: PlanCache | None = None


def _init_worker(directory: Path | None, cache_folder: Path | None, salt: bytes, build_pid: int) -> None:
    global _worker_reference, _worker_cache
    die_with_parent(build_pid)
    _worker_reference = load_reference(directory)
    _worker_cache = PlanCache(cache_folder, salt) if cache_folder is not None else None


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """A worker ends when its build's process ends, however it ends (kill -9 too): on Linux the kernel
    sends it SIGKILL then (prctl PR_SET_PDEATHSIG); were the build already gone before that call, the
    worker ends here. Without it, workers of a killed build lived on (parent PID 1), idle for ever.
    (PR_SET_PDEATHSIG fires when the thread that forked the worker ends: ProcessPoolExecutor forks its
    workers from the thread that submits, the build's, which shuts the pool down before it returns.)"""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the check below still catches a build gone
            pass
    if os.getppid() != parent:
        os._exit(1)


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
