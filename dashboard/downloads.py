"""CSV downloads streamed by the server: GET /download/<name>.csv?<the view's query string>.

A "download" button does not go through a Dash callback: a whole national selection would be one JSON response
of up to 106 MB that the browser decodes before saving. When clicked, a clientside callback asks for
`/download/<name>.csv` with the page's query string (the filters, page options and language, as in the address
bar) plus what is not in the address (the /data grid's column filters and sort, the coverage plan).

Making the file is heavy work, bounded (dashboard/db.py): it runs as a heavy job (at most db.HEAVY_JOBS at once
per process, others answered 503 "busy" after a short wait) under the deadline db.DOWNLOAD_SECONDS. DuckDB hands
the rows over BATCH_ROWS at a time and each batch is written as UTF-8 CSV (with a BOM: spreadsheets then read the
Cyrillic) into a temporary file that has no name on disk, so memory holds one batch whatever the file's size. The
file is then sent from there with its Content-Length, without the database: a slow reader holds a request thread
and the file, never a heavy-job place nor the database. At most STREAMS files are being sent at once per process
(a request thread each); more are answered 503. A transfer still running after SEND_SECONDS is cut (the client
sees a file shorter than its Content-Length: a failed download, never a shortened file taken for whole).

Numbers are written as DuckDB computes them (12, not the 12.0 of a pandas float column); text is quoted, and a
text cell a spreadsheet would run as a formula gets a leading apostrophe, as in the open-data export (the
documents are not ours: a cell may hold "=HYPERLINK(...)"). The address is public and bookmarkable: the same
filters give the same file, so a journalist can cite the exact selection behind a number.
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from dash import Input, Output, State, clientside_callback
from flask import Flask, Response, abort, request

from dashboard import db
from dashboard.state import (
    filter_params,
    filter_values,
    json_problem,
    parse_json,
    state_from_query,
    year_problem,
)
from etl.spreadsheet import defuse_table

BATCH_ROWS = 20_000
BOM = "\ufeff".encode()
MIMETYPE = "text/csv; charset=utf-8"
SEND_CHUNK = 256 * 1024
# files sent at once per process (each holds a request thread while the client reads): below gunicorn.conf.py's
# threads, so that page requests always find threads
STREAMS = int(db.env_number("SSP_DOWNLOAD_STREAMS", 4))
SEND_SECONDS = db.env_number("SSP_DOWNLOAD_SEND_TIMEOUT", 600)
_streams = threading.BoundedSemaphore(STREAMS)


@dataclass(frozen=True)
class Download:
    """One downloadable table: `query` run with the view's filters plus `extra(state)`, saved as `filename`
    (`{plan}`: the coverage plan)."""

    query: str
    filename: str
    extra: Callable[[dict], dict] = field(default=lambda state: {})
    # these, in this order, for the view's state (default: the query's, less total_rows)
    columns: Callable[[dict], Sequence[str]] | None = None
    # what the click adds to the page's query string: (request parameter, the Dash value sent under it)
    sends: tuple[str, State] | None = None


def _grid_extra(state: dict) -> dict:
    from dashboard.grid import grid_params  # noqa: PLC0415

    # the records a chart's click narrowed /data to (the address's NARROW_KEYS) are the file's records, too
    return grid_params(state.get("grid"), state["lang"], None, csv=True, narrow=state)


def _csv_columns(state: dict | None = None) -> Sequence[str]:
    from dashboard.grid import CSV_COLUMNS  # noqa: PLC0415

    return CSV_COLUMNS


def _all_rows(state: dict) -> dict:
    return {"limit": None}


def _map_metric(state: dict) -> str:
    from dashboard.municipality_figures import METRICS  # noqa: PLC0415

    return state.get("metric") if state.get("metric") in METRICS else METRICS[0]


def _map_extra(state: dict) -> dict:
    from dashboard.population import population  # noqa: PLC0415

    return population().bound()


# the coverage map's file: each municipality's latest plan in the selection and the metric the map shows, with the
# numbers it is computed from
MAP_COLUMNS = {"services": ["services"], "capacity": ["capacity"], "per_1000": ["places", "population", "per_1000"],
               "project_only": ["services", "project_only", "project_only_share"],
               "change": ["previous_year", "capacity", "capacity_change"]}


def _map_columns(state: dict | None = None) -> Sequence[str]:
    return ["municipality_code", "municipality", "oblast", "year", *MAP_COLUMNS[_map_metric(state or {})]]


# download name (= the button's id without "-csv-button") -> what it holds
DOWNLOADS: dict[str, Download] = {
    "overview-completeness": Download("completeness", "plans_loaded.csv"),
    "capacity-by-group": Download("capacity_by_group", "capacity.csv"),
    "capacity-di": Download("deinstitutionalisation", "deinstitutionalisation.csv"),
    "funding-mix": Download("funding_mix", "funding_mix.csv"),
    "funding-amounts": Download("funding_amounts", "funding_amounts.csv", _all_rows),
    "coverage-map": Download("municipality_metrics", "map_{metric}.csv", _map_extra, _map_columns),
    "coverage-matrix": Download("coverage_matrix", "coverage_{plan}.csv", lambda s: {"plan_id": s.get("plan") or ""},
                                sends=("plan", State({"page": "coverage", "view": "plan"}, "value"))),
    "changes-timeline": Download("changes", "changes.csv", _all_rows),
    "data": Download("data_grid", "plan_items.csv", _grid_extra, _csv_columns,
                     sends=("grid", State("data-grid-model", "data"))),
    # the page tables, every row of the selection (a table shows the first TABLE_ROWS)
    "capacity-stated-table": Download("capacity_changes_stated", "capacity_changes_stated.csv", _all_rows),
    "capacity-observed-table": Download("capacity_changes_observed", "capacity_changes_observed.csv", _all_rows),
    "funding-project-only-table": Download("project_only", "project_only.csv", _all_rows),
    "funding-amounts-table": Download("funding_amounts", "funding_amounts.csv", _all_rows),
    "changes-events-table": Download("changes", "changes.csv", _all_rows),
    "coverage-unserved-table": Download("coverage_unserved", "unserved_{plan}.csv",
                                        lambda s: {"plan_id": s.get("plan") or ""},
                                        sends=("plan", State({"page": "coverage", "view": "plan"}, "value"))),
}


def request_state(args) -> dict:
    """The view state of a download request's parameters (as a page's layout reads its address), plus
    the /data grid model (`grid`, JSON) when given. Unknown filter values select nothing, as on a page; a
    malformed year, or a grid model too deep, out of range or not Unicode, is refused (400, with the reason)."""
    query = {key: args.getlist(key) for key in args}
    query = {k: v if len(v) > 1 else v[0] for k, v in query.items()}
    problem = year_problem(query.get("year"))  # not silently every year
    problem = problem or json_problem(query, "parameters")
    if problem:
        abort(400, problem)
    state = state_from_query(query)
    grid = args.get("grid")
    if grid:
        try:
            state["grid"] = parse_json(grid, "grid")
        except ValueError as error:
            abort(400, str(error))
    return state


def table_for(name: str, state: dict):
    """The Arrow table of download `name` for the view `state` (its columns in file order)."""
    spec = DOWNLOADS[name]
    table = db.run_arrow(spec.query, **filter_params(*filter_values(state)), **spec.extra(state))
    return defuse_table(table.select(list(file_columns(spec, table.column_names, state))))


def file_columns(spec: Download, names: Sequence[str], state: dict) -> list[str]:
    """The columns of download `spec`'s file for the view `state`, in order, out of its query's columns `names`."""
    return list(spec.columns(state)) if spec.columns else [c for c in names if c != "total_rows"]


def csv_chunks(table, batch_rows: int = BATCH_ROWS, columns: Sequence[str] | None = None) -> Iterator[bytes]:
    """The rows as CSV bytes: BOM and header first, then one chunk per batch of rows. `table`: a pyarrow Table
    (cut into batches of batch_rows) or a RecordBatchReader (its batches as they come, `columns` of them, each
    made safe for spreadsheets)."""
    import pyarrow as pa  # noqa: PLC0415  (only when a file is asked for)
    import pyarrow.csv as pacsv  # noqa: PLC0415

    if isinstance(table, pa.Table):
        schema, batches = table.schema, table.to_batches(max_chunksize=batch_rows)
    else:
        schema, batches = table.schema, table
    names = list(columns) if columns is not None else schema.names

    def csv_bytes(part, header: bool) -> bytes:
        out = io.BytesIO()
        pacsv.write_csv(part, out, pacsv.WriteOptions(include_header=header, quoting_style="needed"))
        return out.getvalue()

    yield BOM
    header = True
    for batch in batches:
        part = pa.Table.from_batches([batch])
        if columns is not None:
            part = defuse_table(part.select(names))
        yield csv_bytes(part, header)
        header = False
    if header:  # no batches at all: still the header
        yield csv_bytes(pa.Table.from_batches([], schema).select(names), True)


def write_file(name: str, state: dict, out) -> int:
    """Write download `name` for the view `state` as CSV into the binary file `out` (a heavy job under the
    download deadline: Busy, QueryTimeout); its size in bytes."""
    spec = DOWNLOADS[name]

    def consume(reader) -> int:
        size = 0
        for chunk in csv_chunks(reader, columns=file_columns(spec, reader.schema.names, state)):
            out.write(chunk)
            size += len(chunk)
        return size

    return db.run_batches(spec.query, consume, BATCH_ROWS, **filter_params(*filter_values(state)), **spec.extra(state))


def send(spool, began: float, finish: Callable[[], None]) -> Iterator[bytes]:
    """The spooled file in chunks (cut after SEND_SECONDS), then finish()."""
    try:
        while chunk := spool.read(SEND_CHUNK):
            if time.monotonic() - began > SEND_SECONDS:
                return
            yield chunk
    finally:
        finish()


def download(name: str) -> Response:
    if name not in DOWNLOADS:
        abort(404)
    state = request_state(request.args)
    if not _streams.acquire(timeout=db.HEAVY_WAIT):
        raise db.Busy(f"{STREAMS} downloads being sent")
    spool = None
    released = threading.Lock()

    def finish() -> None:
        """Close the file (it has no name: it is gone) and free the stream's place, once: when the file was sent,
        or when the server closes the response (sent or not)."""
        if released.acquire(blocking=False):
            if spool is not None:
                spool.close()
            _streams.release()

    try:
        spool = tempfile.TemporaryFile()
        size = write_file(name, state, spool)
        spool.seek(0)
    except BaseException:
        finish()
        raise
    filename = DOWNLOADS[name].filename.format(plan=state.get("plan") or "plan", metric=_map_metric(state))
    response = Response(send(spool, time.monotonic(), finish), mimetype=MIMETYPE)
    response.call_on_close(finish)  # also when the body was never read
    response.headers["Content-Length"] = str(size)
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(filename)}"'
    response.headers["Cache-Control"] = "no-store"  # a rebuilt database gives another file
    return response


def _ascii(filename: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)


def install(server: Flask) -> None:
    """Serve /download/<name>.csv from `server`."""
    server.add_url_rule("/download/<name>.csv", "download_csv", download)


# When a download button is clicked: the address of its file (the view's query string, plus the value
# that is not in it), fetched through a temporary <a download> (a failed request shows as a failed
# download; the page stays).
CLICK = """function (clicks, search, extra) {
    if (!clicks) { return window.dash_clientside.no_update; }
    const config = JSON.parse(document.getElementById('_dash-config').textContent);
    const params = new URLSearchParams(search || '');
    if (KEY && extra !== undefined && extra !== null) {
        params.set(KEY, typeof extra === 'string' ? extra : JSON.stringify(extra));
    }
    const query = params.toString();
    const link = document.createElement('a');
    link.href = config.requests_pathname_prefix + 'download/NAME.csv' + (query ? '?' + query : '');
    link.download = '';
    document.body.appendChild(link);
    link.click();
    link.remove();
    return link.href;
}"""

for _name, _spec in DOWNLOADS.items():
    clientside_callback(
        CLICK.replace("NAME", _name).replace("KEY", json.dumps(_spec.sends and _spec.sends[0])),
        Output(f"{_name}-csv", "data"),
        Input(f"{_name}-csv-button", "n_clicks"),
        State("url-search", "data"),
        *([_spec.sends[1]] if _spec.sends else []),
        prevent_initial_call=True,
    )

