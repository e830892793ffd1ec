"""Stage 4b, table rows → DuckDB: the database written to a temporary file beside the old one and swapped
in atomically (os.replace) when complete; on any error the old database stays."""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

import queries

from ..records import service_types
from ..reference import Reference
from .rows import NEW_ROW_TABLES, Columns, LoadedPlan, plan_tables

if TYPE_CHECKING:
    import pyarrow as pa

Tables = dict[str, tuple[list[str], "list[tuple] | Columns | pa.Table"]]

SCHEMA = queries.path("schema")


# summary tables the dashboard reads, computed from the loaded tables at the end of every build
DERIVED = queries.path("derived")


class DatabaseWriteError(Exception):
    """The database could not be written (a full disk, an I/O error); nothing was replaced, and the
    temporary files are gone. The message is one line."""


def remove_stale_temporaries(db_path: Path) -> None:
    """Temporary files of builds that were killed: only a lock holder writes them, so under the lock any
    that exist are left over."""
    for stale in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        _remove(stale)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():  # DuckDB's spill folder (<file>.tmp)
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _temporaries(tmp: Path) -> list[Path]:
    """The temporary database and what DuckDB writes beside it: its log (.wal) and spill folder (.tmp)."""
    return [tmp, Path(f"{tmp}.wal"), Path(f"{tmp}.tmp")]


@contextlib.contextmanager
def new_database(db_path: Path, copy_previous: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a temporary file beside db_path (a copy of it, or empty) that replaces db_path
    atomically when the block ends without error; on any error the temporary files go and db_path stays.
    An error writing the files (DuckDB's or the system's: a full disk) is raised as DatabaseWriteError."""
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    for stale in _temporaries(tmp):
        _remove(stale)
    try:
        if copy_previous:
            shutil.copyfile(db_path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            yield con
            con.execute("checkpoint")
        finally:
            with contextlib.suppress(duckdb.Error):  # a connection a fatal error invalidated
                con.close()
        swap(tmp, db_path)
    except BaseException as exc:
        for leftover in _temporaries(tmp):
            _remove(leftover)
        if isinstance(exc, (duckdb.Error, OSError)) and _write_failure(exc):
            raise DatabaseWriteError(write_failure_message(db_path, exc)) from exc
        raise


def _write_failure(exc: BaseException) -> bool:
    """An error of writing files (not of a statement): an OSError, or DuckDB's I/O and fatal errors."""
    return isinstance(exc, (OSError, duckdb.IOException, duckdb.FatalException)) or \
        "No space left on device" in str(exc) or "Could not write file" in str(exc)


def write_failure_message(db_path: Path, exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "No space left" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        try:
            usage = shutil.disk_usage(db_path.parent)
            free = f" ({usage.free / 1e6:.1f} MB free of {usage.total / 1e6:.1f} MB once the partial file is removed)"
        except OSError:
            free = ""
        return (f"cannot write the database {db_path}: no space left on the disk{free}; "
                f"{'the previous database is unchanged' if db_path.exists() else 'nothing was written'}")
    return (f"cannot write the database {db_path}: {text[:200]}; "
            f"{'the previous database is unchanged' if db_path.exists() else 'nothing was written'}")


def write_database(db_path: Path, reference: Reference, chunks: Iterable[list[LoadedPlan]],
                   finish: Callable[[], Tables], expected: int = 0) -> None:
    """A new database of the reference tables and the plans of chunks (inserted chunk by chunk, in order:
    each table's rows are stored in plan order), then the tables finish() gives once every chunk is in (the build report and
    build info) and the derived tables.

    A commit writes (and compresses) the rows of its transaction, which takes longer than inserting them.
    When many plans are expected, the rows so far are committed while the workers still parse the last
    plans (early_commits), so that only the last few wait for the final commit, which also holds the
    report and the derived tables (the derived tables are computed faster from committed rows)."""
    with new_database(db_path) as con:
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
        insert(con, finish(), types)
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


def write_incremental(db_path: Path, keep: list[str], plans: list[LoadedPlan], extra: Tables) -> None:
    """Copy the previous database, drop the rows of plans that changed or went (all but those of keep), add
    the rows of plans and the tables of extra, swap."""
    with new_database(db_path, copy_previous=True) as con:
        for table in [*NEW_ROW_TABLES, "plans"]:  # children first: items reference plans
            con.execute(f"delete from {table} where plan_id not in (select unnest(?::varchar[]))", [keep])  # our names
        con.execute("delete from build_report where plan_id is null or plan_id not in (select unnest(?::varchar[]))",
                    [keep])
        con.execute("delete from corrections where plan_id is null or plan_id not in (select unnest(?::varchar[]))",
                    [keep])
        con.execute("delete from build_info")
        # the deletes commit one by one (DuckDB refuses to delete a referenced plan in the transaction that
        # deletes its items); the rest in one transaction: each statement committed on its own costs more
        con.execute("begin")
        types: dict[str, dict[str, str]] = {}
        insert(con, plan_tables(plans), types)
        insert(con, extra, types)
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


def ssa_kinds() -> dict[str, str]:
    """service type code -> its kind under the Social Services Act (etl/data/ssa_kinds.csv; '' for none)."""
    path = Path(__file__).resolve().parent.parent / "data" / "ssa_kinds.csv"
    with open(path, encoding="utf-8") as f:
        return {r["code"]: r["ssa_kind"] for r in csv.DictReader(line for line in f if not line.startswith("#"))}


def reference_tables(reference: Reference) -> dict[str, tuple[list[str], list[tuple]]]:
    return {
        "service_types": (["code", "name_bg", "name_en", "target_group", "setting", "ssa_kind"],
                          [(t["code"], t["name_bg"], t["name_en"], t["target_group"], t["setting"],
                            ssa_kinds().get(t["code"]) or None)
                           for t in service_types().values()]),
        "oblasts": (["oblast_code", "name", "name_en"], [(o.code, o.name, o.name_en) for o in reference.oblasts.values()]),
        "municipalities": (["municipality_code", "name", "name_en", "oblast_code", "centre_ekatte"],
                           [(m.code, m.name, m.name_en, m.oblast_code, m.centre_ekatte)
                            for m in reference.municipalities.values()]),
        "settlements": (["ekatte", "kind", "name", "name_en", "municipality_code", "oblast_code"],
                        [(s.ekatte, s.kind, s.name, s.name_en, s.municipality_code, s.oblast_code)
                         for s in reference.settlements.values()]),
    }
