"""Load stage: normalised plans → DuckDB, written to a temporary file and swapped in atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from . import __version__
from .extract import ExtractError, read_document
from .normalise import NormalisedPlan, PlanError, normalise_plan, service_types
from .parse import parse_document
from .reference import Reference
from .synth import MARKER

SCHEMA = Path(__file__).resolve().parents[1] / "queries" / "schema.sql"


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
    plans: list[NormalisedPlan] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)  # files not loaded, build-wide notices
    files_seen: int = 0
    synthetic: bool = False  # built from a synthetic corpus (the dashboard shows a banner)

    @property
    def records(self) -> int:
        return sum(len(p.records) for p in self.plans)

    def count(self, severity: str) -> int:
        per_plan = sum(1 for p in self.plans for i in p.issues if i.severity == severity)
        return per_plan + sum(1 for p in self.problems if p.severity == severity)


def plan_files(plans_dir: Path) -> list[Path]:
    if not plans_dir.is_dir():
        raise BuildError(f"plans directory not found: {plans_dir}")
    return sorted(p for p in plans_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def read_plan(path: Path, reference: Reference) -> NormalisedPlan:
    """One file through extract → parse → normalise. Raises ExtractError / PlanError with a clear message."""
    document = read_document(path)
    return normalise_plan(parse_document(document), reference)


def build(plans_dir: Path, db_path: Path, reference: Reference,
          on_file: Callable[[Path], None] | None = None) -> BuildResult:
    """Read every plan in plans_dir and replace db_path with a database of them, atomically."""
    files = [f for f in plan_files(plans_dir) if f.name != MARKER]
    result = BuildResult(db_path, files_seen=len(files), synthetic=(plans_dir / MARKER).exists())
    if not reference.available:
        result.problems.append(FileProblem("", "notice", "reference_missing", reference.notice or "no EKATTE reference"))
    seen: dict[tuple[str, int], str] = {}
    for path in files:
        if on_file:
            on_file(path)
        try:
            plan = read_plan(path, reference)
        except (ExtractError, PlanError) as exc:
            message = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
            result.problems.append(FileProblem(path.name, "error", type(exc).__name__, message))
            continue
        key = (plan.plan.municipality, plan.plan.year)
        if key in seen:
            result.problems.append(FileProblem(
                path.name, "error", "duplicate_plan",
                f"{path.name}: a second plan for {key[0]} {key[1]} (already loaded from {seen[key]}); not loaded"))
            continue
        seen[key] = path.name
        result.plans.append(plan)
    with build_lock(db_path):
        write_database(result, reference)
    return result


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


def write_database(result: BuildResult, reference: Reference) -> None:
    db_path = result.db_path
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    for stale in (tmp, Path(f"{tmp}.wal")):
        stale.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA.read_text(encoding="utf-8"))
            for table, frame in tables(result, reference).items():
                if len(frame):
                    con.register("frame", frame)
                    con.execute(f"insert into {table} by name select * from frame")  # table names are ours
                    con.unregister("frame")
            con.execute("checkpoint")
        finally:
            con.close()
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        Path(f"{db_path}.wal").unlink(missing_ok=True)  # a stale log must not be replayed onto the new file
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def tables(result: BuildResult, reference: Reference) -> dict[str, pd.DataFrame]:
    plans = result.plans
    return {
        "plans": pd.DataFrame([vars(p.plan) for p in plans], columns=PLAN_COLUMNS),
        "items": pd.DataFrame([item_row(r) for p in plans for r in p.records], columns=ITEM_COLUMNS),
        "item_settlements": pd.DataFrame(
            [(r.item_id, r.plan_id, i + 1, s.name, s.raw, s.ekatte, s.match)
             for p in plans for r in p.records for i, s in enumerate(r.settlements)],
            columns=["item_id", "plan_id", "position", "name", "raw", "ekatte", "match"]),
        "item_funding": pd.DataFrame(
            [(r.item_id, r.plan_id, c, phrase) for p in plans for r in p.records for c, phrase in r.funding],
            columns=["item_id", "plan_id", "funding_class", "phrase"]),
        "service_types": pd.DataFrame(
            [{k: v for k, v in t.items() if k in ("code", "name_bg", "name_en", "target_group", "setting")}
             for t in service_types().values()]),
        "oblasts": pd.DataFrame([(o.code, o.name, o.name_en) for o in reference.oblasts.values()],
                                columns=["oblast_code", "name", "name_en"]),
        "municipalities": pd.DataFrame(
            [(m.code, m.name, m.name_en, m.oblast_code, m.centre_ekatte) for m in reference.municipalities.values()],
            columns=["municipality_code", "name", "name_en", "oblast_code", "centre_ekatte"]),
        "settlements": pd.DataFrame(
            [(s.ekatte, s.kind, s.name, s.name_en, s.municipality_code, s.oblast_code)
             for s in reference.settlements.values()],
            columns=["ekatte", "kind", "name", "name_en", "municipality_code", "oblast_code"]),
        "line_dispositions": pd.DataFrame(
            [(p.plan.source_file, p.plan.plan_id, line, disp, item, text)
             for p in plans for line, disp, item, text in p.dispositions],
            columns=["source_file", "plan_id", "line", "disposition", "item_id", "text"]),
        "build_report": pd.DataFrame(report_rows(result),
                                     columns=["source_file", "plan_id", "line", "severity", "category", "message"]),
        "build_info": pd.DataFrame(list(build_info(result, reference).items()), columns=["key", "value"]),
    }


PLAN_COLUMNS = ["plan_id", "municipality", "municipality_code", "oblast", "oblast_code", "year", "title",
                "source_file", "source_sha256", "encoding", "layout", "items", "lines_total", "lines_nonempty"]
ITEM_COLUMNS = ["item_id", "plan_id", "municipality", "year", "seq", "item_no", "parent_item_id", "section", "name",
                "description", "service_type", "settlements", "scope", "q1", "q2", "q3", "q4", "funding",
                "funding_raw", "amount_bgn", "capacity", "capacity_before", "capacity_unit", "staff", "units",
                "status", "provider", "place_raw", "term_raw", "layout", "source_file", "source_line",
                "source_lines", "source_text"]


def item_row(r) -> dict:
    quarters = r.quarters or [None] * 4
    row = {k: getattr(r, k) for k in ITEM_COLUMNS if hasattr(r, k) and k not in ("settlements", "funding")}
    row.update({
        "settlements": ";".join(s.name for s in r.settlements) or None,
        "funding": ";".join(r.funding_classes) or None,
        "q1": quarters[0], "q2": quarters[1], "q3": quarters[2], "q4": quarters[3],
        "source_lines": ",".join(map(str, r.source_lines)),
    })
    return {k: (None if v == "" else v) for k, v in row.items()}


def report_rows(result: BuildResult) -> list[tuple]:
    rows = [(p.source_file or None, None, p.line, p.severity, p.category, p.message) for p in result.problems]
    for plan in result.plans:
        rows += [(plan.plan.source_file, plan.plan.plan_id, i.line, i.severity, i.category, i.message)
                 for i in plan.issues]
    return rows


def build_info(result: BuildResult, reference: Reference) -> dict[str, str]:
    return {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "etl_version": __version__,
        "reference_dir": str(reference.directory) if reference.directory else "",
        "reference_available": str(reference.available).lower(),
        "reference_notice": reference.notice or "",
        "files_seen": str(result.files_seen),
        "plans_loaded": str(len(result.plans)),
        "records": str(result.records),
        "synthetic": str(result.synthetic).lower(),
    }

