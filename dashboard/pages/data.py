"""Page /data: every record in a filterable grid with source file, line and original text; CSV of
exactly the rows left after filtering.

The grid uses AG Grid's infinite row model: it asks the server for one page at a time, and the
column filters and sorting run in SQL, so a national selection of ~140k records never travels to the
browser: queries/data_page.sql as the grid opens, data_grid.sql once sorted or filtered (a statement written for
that grid state). The CSV runs data_grid.sql with its own columns and without the page limit."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html

from dashboard.components import FILTER_INPUTS, FILTER_STATES, LANG_STATE, page_shell
from dashboard.db import remembered, run_records
from dashboard.i18n import t
from dashboard.grid import COLUMNS, NUMBER_FILTERS, TEXT_FILTERS, grid_params
from dashboard.state import filter_params

dash.register_page(__name__, path="/data", name="Данни", order=5)

PAGE_SIZE = 100  # rows per grid page = per request to the server


def column_defs(lang: str) -> list[dict]:
    locale = "bg-BG" if lang == "bg" else "en-GB"
    defs = []
    for field, (bg, en, kind) in COLUMNS.items():
        col = {
            "field": field,
            "headerName": en if lang == "en" else bg,
            "filter": "agTextColumnFilter",
            # filtered and sorted on the server (queries/data_grid.sql): one condition per column
            "filterParams": {"filterOptions": TEXT_FILTERS, "maxNumConditions": 1, "debounceMs": 400},
        }
        if kind in ("number", "year"):
            col.update(filter="agNumberColumnFilter", type="rightAligned", width=120)
            col["filterParams"] = {"filterOptions": NUMBER_FILTERS, "maxNumConditions": 1, "debounceMs": 400}
        if kind == "number":
            col["valueFormatter"] = {
                "function": f"params.value == null ? '' : Number(params.value).toLocaleString('{locale}')"
            }
        if kind == "source":
            col.update(width=420, wrapText=True, autoHeight=True, cellClass="source-text")
        defs.append(col)
    return defs


def body(state: dict) -> list:
    lang = state["lang"]
    grid = dag.AgGrid(
        id="data-grid",
        columnDefs=column_defs(lang),
        rowModelType="infinite",
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 20,
            "enableCellTextSelection": True,
            "animateRows": False,
        },
        getRowId="params.data.item_id",
        style={"height": "70vh"},
        className="ag-theme-alpine",
    )
    return [
        html.P(t("data_intro", lang)),
        dbc.Row(
            [
                dbc.Col(
                    dbc.Button(t("download_rows", lang), id="data-csv-button", color="primary", size="sm"),
                    width="auto",
                ),
                dbc.Col(html.Span(id="data-count", className="text-muted"), width="auto"),
            ],
            className="mb-2 align-items-center",
        ),
        dcc.Store(id="data-csv"),  # the address of the last download (dashboard/downloads.py)
        dcc.Store(id="data-grid-model"),
        dcc.Store(id="data-grid-purged"),
        grid,
    ]


def layout(**query) -> html.Div:
    return page_shell("data", query, body)


@callback(
    Output("data-grid", "getRowsResponse"),
    Output("data-count", "children"),
    Output("data-grid-model", "data"),
    Input("data-grid", "getRowsRequest"),
    *FILTER_STATES,
    LANG_STATE,
)
@remembered
def rows_page(request, oblast, municipality, year, target_group, service_type, lang):
    """One page of rows for the grid (server-side filtering, sorting and paging)."""
    if not isinstance(request, dict):
        return dash.no_update, dash.no_update, dash.no_update
    start, end = request.get("startRow"), request.get("endRow")
    start = max(0, start) if isinstance(start, int) else 0
    end = min(start + 10 * PAGE_SIZE, max(start + 1, end if isinstance(end, int) else start + PAGE_SIZE))
    params = filter_params(oblast, municipality, year, target_group, service_type)

    def fetch(page: dict) -> list[dict]:
        """The page's rows (GRID_FIELDS and total_rows): the grid as it opens from its plain query."""
        if not page["grid_filters"] and not page["sort_col"]:
            return run_records("data_page", **params, **page)
        return run_records("data_grid", **params, **page)

    rows = fetch(grid_params(request, lang, end - start, start))
    total = rows[0]["total_rows"] if rows else (0 if start == 0 else None)
    if total is None:  # a page past the end (the rows changed under the grid): count them
        total = sum(r["total_rows"] for r in fetch(grid_params(request, lang, 1)))
    for row in rows:
        del row["total_rows"]
    model = {"filterModel": request.get("filterModel"), "sortModel": request.get("sortModel")}
    return {"rowData": rows, "rowCount": total}, t("rows_shown", lang, n=total), model


# A new selection in the filter bar: the grid drops its cached pages and asks again.
clientside_callback(
    """function () {
        const api = window.dash_ag_grid && dash_ag_grid.getApi && dash_ag_grid.getApi('data-grid');
        if (api) { api.purgeInfiniteCache(); }
        return window.dash_clientside.no_update;
    }""",
    Output("data-grid-purged", "data"),
    *FILTER_INPUTS,
    prevent_initial_call=True,
)
