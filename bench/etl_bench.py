"""ETL benchmarks: full build (wall time, plans/s, peak memory of the build and its worker processes)
against the floor of reading the same files, and incremental rebuilds after one plan changed or was added.

Every build runs as `python -m etl build --plans P --db D [--quiet]` in a subprocess, as a user runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.load import REPO, descendants, pss_bytes, rss_bytes
from dashboard.db import CONNECTION_CONFIG

WORK = REPO / "data" / "build" / "bench"
SAMPLE_PLANS = REPO / "data" / "plans"
MARKER = "SYNTHETIC"
NATIONAL = {"municipalities": 265, "years": "2013-2026", "seed": 1}
QUICK = {"municipalities": 20, "years": "2019-2021", "seed": 1}
BUILT = re.compile(r"built .*?: (\d+) plans, (\d+) records from (\d+) files in ([\d.]+) s "
                   r"\((\d+) read, (\d+) unchanged\)")


# ----------------------------------------------------------------------------------------- inputs


def generator_version() -> str:
    """A fingerprint of the code that writes a synthetic corpus (etl/synth.py): a corpus written by another version
    of it (e.g. before the two municipalities named Бяла were told apart) is written again."""
    return hashlib.sha256((REPO / "etl" / "synth.py").read_bytes()).hexdigest()[:16]


def synthetic_corpus(work: Path, municipalities: int, years: str, seed: int) -> Path:
    """The plans folder of a synthetic corpus in work/, generated once per set of parameters and generator version."""
    params = {"municipalities": municipalities, "years": years, "seed": seed, "generator": generator_version()}
    folder = work / f"synth-m{municipalities}-y{years}-s{seed}"
    stamp = folder / "params.json"
    plans = folder / "plans"
    if stamp.exists() and json.loads(stamp.read_text()) == params and (plans / MARKER).exists():
        return plans
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    cmd = [sys.executable, "-m", "etl", "synth", "--out", str(folder), "--municipalities", str(municipalities),
           "--years", years, "--seed", str(seed)]
    print(f"generating the synthetic corpus: {' '.join(cmd[1:])}", flush=True)
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"etl synth failed:\n{done.stdout}\n{done.stderr}")
    stamp.write_text(json.dumps(params))  # last: a half-written corpus is regenerated next time
    return plans


def sample_copy(work: Path) -> Path:
    """A copy of data/plans (never edited in place) for the rebuild measurements."""
    folder = work / "sample-plans"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLE_PLANS, folder)
    return folder


def plan_files(plans: Path) -> list[Path]:
    return sorted(p for p in plans.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != MARKER)


# ----------------------------------------------------------------------------------------- a build


@dataclass
class BuildRun:
    wall_s: float
    returncode: int
    peak_tree_pss: int  # bytes: the build and its workers together, at the same moment (polled)
    peak_tree_rss: int  # bytes: the same with RSS (counts pages shared by forked workers more than once)
    max_process_rss: int  # bytes: ru_maxrss of the build and the children it waited for (the largest one)
    plans: int | None = None
    records: int | None = None
    files: int | None = None
    reported_s: float | None = None  # the build's own figure ("in X s"), without interpreter start-up
    read: int | None = None
    unchanged: int | None = None
    stderr: str = ""


def run_build(plans: Path, db: Path, quiet: bool = True, poll: float = 0.05) -> BuildRun:
    """`python -m etl build` in a subprocess; memory polled from /proc (the build and its pool workers)."""
    cmd = [sys.executable, "-m", "etl", "build", "--plans", str(plans), "--db", str(db)]
    if quiet:
        cmd.append("--quiet")
    out_path = db.with_name(db.name + ".build-output.txt")
    peak = {"pss": 0, "rss": 0}
    with open(out_path, "w+", encoding="utf-8") as out, open(out_path.with_suffix(".err"), "w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err)
        running = threading.Event()
        running.set()

        def watch() -> None:
            while running.is_set():
                pids = descendants(proc.pid)
                peak["pss"] = max(peak["pss"], pss_bytes(pids))
                peak["rss"] = max(peak["rss"], rss_bytes(pids))
                time.sleep(poll)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        running.clear()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    run = BuildRun(wall, proc.returncode, peak["pss"], peak["rss"], usage.ru_maxrss * 1024, stderr=errors[-2000:])
    match = BUILT.search(text)
    if match:
        run.plans, run.records, run.files = (int(match[i]) for i in (1, 2, 3))
        run.reported_s = float(match[4])
        run.read, run.unchanged = int(match[5]), int(match[6])
    if proc.returncode != 0:
        raise RuntimeError(f"etl build failed ({proc.returncode}): {errors[-2000:]}")
    if run.plans is None:  # --quiet prints nothing: the counts are in the database
        info = build_info(db)
        run.plans, run.records = int(info.get("plans_loaded", 0)), int(info.get("records", 0))
        run.files, run.read = int(info.get("files_seen", 0)), int(info.get("plans_read", 0))
        run.unchanged = run.plans - run.read
    return run


def build_info(db: Path) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True, config=CONNECTION_CONFIG)
    try:
        return dict(con.execute("select key, value from build_info").fetchall())
    finally:
        con.close()


def fresh_build(plans: Path, db: Path) -> BuildRun:
    """A full build with nothing to reuse: the database, its parse cache and leftovers removed first."""
    shutil.rmtree(db.parent / "cache", ignore_errors=True)
    for stale in db.parent.glob(db.name + "*"):
        if stale.is_file() and not stale.name.endswith((".build-output.txt", ".build-output.err")):
            stale.unlink()
    return run_build(plans, db, quiet=True)


def ensure_db(plans: Path, db: Path) -> Path:
    """The database of plans, built if it is not there (reused as it is otherwise)."""
    if not db.exists():
        print(f"building {db} from {plans}", flush=True)
        run_build(plans, db, quiet=True)
    return db


# ------------------------------------------------------------------------------------------- floor


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding, as cheaply as a reader can: BOMs, then UTF-8, then cp1251."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def read_floor(plans: Path, repeat: int = 3) -> dict:
    """The least any build must do, in one process: read every file, decode, split into lines and TAB cells.
    Best of `repeat` (files in the page cache, as they are for the build)."""
    files = plan_files(plans)
    best, lines, size = float("inf"), 0, 0
    for _ in range(repeat):
        start = time.perf_counter()
        lines = size = 0
        for path in files:
            data = path.read_bytes()
            size += len(data)
            rows = [line.split("\t") for line in decode(data)[0].splitlines()]
            lines += len(rows)
        best = min(best, time.perf_counter() - start)
    return {"seconds": best, "files": len(files), "lines": lines, "bytes": size}


# ---------------------------------------------------------------------------------------- rebuilds


def change_plan(path: Path) -> bytes:
    """Add a line of prose at the end of a plan (in its own encoding); returns the original bytes."""
    original = path.read_bytes()
    text, encoding = decode(original)
    path.write_bytes((text.rstrip("\n") + "\n\nАктуализирано за сравнителен тест.\n").encode(encoding))
    return original


def add_plan(plans: Path) -> Path:
    """A new plan: the latest plan of the last municipality, one year later (file name and text)."""
    files = plan_files(plans)
    dated = [(int(m[1]), p) for p in files if (m := re.search(r"-(\d{4})\.txt$", p.name))]
    year, source = max(dated, key=lambda yp: (yp[1].name.rsplit("-", 1)[0], yp[0]))
    target = source.with_name(source.name.replace(str(year), str(year + 1)))
    text, encoding = decode(source.read_bytes())
    target.write_bytes(text.replace(str(year), str(year + 1)).encode(encoding))
    return target


def bench_scale(label: str, plans: Path, db: Path) -> dict:
    """Full build from scratch, the floor, one changed plan, one added plan. Leaves plans and db as found
    (the changed file restored, the added one removed, the database rebuilt to match). All with --quiet:
    without it the build prints its report, which at national scale takes far longer than the rebuild;
    plans read / unchanged come from the database's build_info (what the build prints as
    `(K read, M unchanged)`)."""
    print(f"[etl] {label}: full build of {plans} ...", flush=True)
    full = fresh_build(plans, db)
    floor = read_floor(plans)
    result = {"scale": label, "plans_dir": str(plans), "db": str(db), "full": asdict(full), "floor": floor,
              "floor_ratio": full.wall_s / floor["seconds"] if floor["seconds"] else None,
              "plans_per_s": (full.plans or 0) / full.wall_s}
    target = plan_files(plans)[0]
    print(f"[etl] {label}: rebuild after changing {target.name} ...", flush=True)
    original = change_plan(target)
    try:
        result["changed"] = asdict(run_build(plans, db, quiet=True))
        result["changed"]["file"] = target.name
    finally:
        target.write_bytes(original)
    run_build(plans, db, quiet=True)  # back to the corpus as generated
    added = add_plan(plans)
    print(f"[etl] {label}: rebuild after adding {added.name} ...", flush=True)
    try:
        result["added"] = asdict(run_build(plans, db, quiet=True))
        result["added"]["file"] = added.name
    finally:
        added.unlink(missing_ok=True)
    run_build(plans, db, quiet=True)
    return result
