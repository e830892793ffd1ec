"""Stage 4a, records → table rows: a normalised plan as the rows of the database's per-plan tables
(held as columns: cheap to pickle into the parse cache and to hand to Arrow for many plans at once)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from ..records import NormalisedPlan, PlanRecord, Record

if TYPE_CHECKING:
    import pyarrow as pa
# pyarrow (and the pandas it imports) is imported only where Arrow is used: a rebuild that reads a plan or
# two passes its rows to DuckDB as Python values and starts faster without it.


PLAN_COLUMNS = ["plan_id", "municipality", "municipality_code", "oblast", "oblast_code", "year", "title",
                "source_file", "source_sha256", "encoding", "layout", "items", "lines_total", "lines_nonempty"]


ITEM_COLUMNS = ["item_id", "plan_id", "municipality", "year", "seq", "item_no", "parent_item_id", "section", "name",
                "description", "service_type", "settlements", "scope", "q1", "q2", "q3", "q4", "funding",
                "funding_raw", "amount_bgn", "capacity", "capacity_before", "capacity_unit", "staff", "units",
                "status", "provider", "place_raw", "term_raw", "layout", "source_file", "source_line",
                "source_lines", "source_text", "source_ref", "review", "corrected"]


INT_COLUMNS = {"year", "seq", "q1", "q2", "q3", "q4", "capacity", "capacity_before", "staff", "units", "source_line",
               "position", "line"}


ROW_COLUMNS = {  # the per-plan tables, as flatten() builds them
    "items": ITEM_COLUMNS,
    "item_settlements": ["item_id", "plan_id", "position", "name", "raw", "ekatte", "match"],
    "item_funding": ["item_id", "plan_id", "funding_class", "phrase"],
    "line_dispositions": ["source_file", "plan_id", "line", "disposition", "item_id", "text", "source_ref"],
}


NEW_ROW_TABLES = ["items", "item_settlements", "item_funding", "line_dispositions"]


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


def item_row(r: Record) -> tuple:
    """The `items` row of a record, in the order of ITEM_COLUMNS; empty texts become NULL."""
    q = r.quarters or (None, None, None, None)
    row = (r.item_id, r.plan_id, r.municipality, r.year, r.seq, r.item_no, r.parent_item_id, r.section, r.name,
           r.description, r.service_type, ";".join(s.name for s in r.settlements), r.scope, q[0], q[1], q[2], q[3],
           ";".join(r.funding_classes), r.funding_raw, r.amount_bgn, r.capacity, r.capacity_before, r.capacity_unit,
           r.staff, r.units, r.status, r.provider, r.place_raw, r.term_raw, r.layout, r.source_file, r.source_line,
           ",".join(map(str, r.source_lines)), r.source_text, r.source_ref, ";".join(r.review), None)
    return tuple([None if v == "" else v for v in row])


@functools.cache
def row_schemas() -> dict[str, pa.Schema]:
    """ROW_COLUMNS as Arrow schemas."""
    import pyarrow as pa

    return {table: pa.schema([(c, pa.float64() if c == "amount_bgn" else pa.int64() if c in INT_COLUMNS
                                  else pa.string()) for c in columns])
            for table, columns in ROW_COLUMNS.items()}


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


class Columns(list):
    """A table's rows given as its columns (lists of equal length)."""


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
