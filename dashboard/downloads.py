"""CSV downloads streamed by the server: GET /download/<name>.csv?<the view's query string>.

A "download" button does not go through a Dash callback any more: a whole national selection was one
JSON response of up to 106 MB that the browser decoded before saving (10 s for the /data page). When
clicked, a clientside callback asks for `/download/<name>.csv` with the page's query string (the
filters, page options and language, as in the address bar) plus what is not in the address (the
/data grid's column filters and sort, the coverage plan). The server runs the query once, holding the
database lock only for that, and streams the rows as UTF-8 CSV with a BOM (spreadsheets then read the
Cyrillic) in batches of BATCH_ROWS.

Numbers are written as DuckDB computes them (12, not the 12.0 of a pandas float column); text is
quoted, and a text cell a spreadsheet would run as a formula gets a leading apostrophe, as in the
open-data export (the documents are not ours: a cell may hold "=HYPERLINK(...)"). The address is public and bookmarkable: the same filters give the same file, so a journalist can
cite the exact selection behind a number.
"""

from __future__ import annotations

import io
import json
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


@dataclass(frozen=True)
class Download:
    """One downloadable table: `query` run with the view's filters plus `extra(state)`, saved as `filename`
    (`{plan}`: the coverage plan)."""

    query: str
    filename: str
    extra: Callable[[dict], dict] = field(default=lambda state: {})
    columns: Callable[[], Sequence[str]] | None = None  # these, in this order (default: the query's, less total_rows)
    # what the click adds to the page's query string: (request parameter, the Dash value sent under it)
    sends: tuple[str, State] | None = None


def _grid_extra(state: dict) -> dict:
    from dashboard.grid import grid_params  # noqa: PLC0415

    return grid_params(state.get("grid"), state["lang"], None, csv=True)


def _csv_columns() -> Sequence[str]:
    from dashboard.grid import CSV_COLUMNS  # noqa: PLC0415

    return CSV_COLUMNS


def _all_rows(state: dict) -> dict:
    return {"limit": None}


# download name (= the button's id without "-csv-button") -> what it holds
DOWNLOADS: dict[str, Download] = {
    "overview-completeness": Download("completeness", "plans_loaded.csv"),
    "capacity-by-group": Download("capacity_by_group", "capacity.csv"),
    "capacity-di": Download("deinstitutionalisation", "deinstitutionalisation.csv"),
    "funding-mix": Download("funding_mix", "funding_mix.csv"),
    "funding-amounts": Download("funding_amounts", "funding_amounts.csv", _all_rows),
    "coverage-map": Download("municipality_services", "services_by_municipality.csv"),
    "coverage-matrix": Download("coverage_matrix", "coverage_{plan}.csv", lambda s: {"plan_id": s.get("plan") or ""},
                                sends=("plan", State({"page": "coverage", "view": "plan"}, "value"))),
    "changes-timeline": Download("changes", "changes.csv", _all_rows),
    "data": Download("data_grid", "plan_items.csv", _grid_extra, _csv_columns,
                     sends=("grid", State("data-grid-model", "data"))),
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
    columns = spec.columns() if spec.columns else [c for c in table.column_names if c != "total_rows"]
    return defuse_table(table.select(list(columns)))


def csv_chunks(table, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """The table as CSV bytes: BOM and header first, then one chunk per batch of rows."""
    import pyarrow.csv as pacsv  # noqa: PLC0415  (only when a file is asked for)

    yield BOM
    header = True
    for batch in table.to_batches(max_chunksize=batch_rows) or [table.slice(0, 0)]:
        out = io.BytesIO()
        pacsv.write_csv(batch, out, pacsv.WriteOptions(include_header=header, quoting_style="needed"))
        header = False
        yield out.getvalue()
    if header:  # no batches at all: still the header
        out = io.BytesIO()
        pacsv.write_csv(table.slice(0, 0), out, pacsv.WriteOptions(include_header=True, quoting_style="needed"))
        yield out.getvalue()


def download(name: str) -> Response:
    if name not in DOWNLOADS:
        abort(404)
    state = request_state(request.args)
    try:
        table = table_for(name, state)
    except db.DatabaseMissing:
        abort(503, "the database is not built yet")
    filename = DOWNLOADS[name].filename.format(plan=state.get("plan") or "plan")
    response = Response(csv_chunks(table), mimetype=MIMETYPE)
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

