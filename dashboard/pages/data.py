"""Page /data: every record in a filterable grid with source file, line and original text; CSV of
exactly the rows left after filtering.

The grid uses AG Grid's infinite row model: it asks the server for one page at a time, and the
column filters and sorting run in SQL, so a national selection of ~140k records never travels to the
browser: queries/data_page.sql as the grid opens, data_grid.sql once sorted or filtered by up to four
columns, data_items.sql with more filters. The CSV runs data_items.sql without the page limit."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html

from dashboard.components import FILTER_INPUTS, FILTER_STATES, LANG_STATE, page_shell
from dashboard.db import remembered, run_records
from dashboard.i18n import LABELS, norm_lang, t
from dashboard.state import filter_params

dash.register_page(__name__, path="/data", name="Данни", order=5)

# column shown -> (header bg, header en, kind); kind: text | number | label:<kind> | code
COLUMNS = {
    "municipality": ("Община", "Municipality", "text"),
    "year": ("Година", "Year", "year"),
    "item_no": ("№", "No.", "text"),
    "section_text": ("Раздел", "Section", "text"),
    "name": ("Ред от плана", "Plan row", "text"),
    "type_name": ("Вид услуга", "Service type", "text"),
    "target_group_text": ("Целева група", "Target group", "text"),
    "setting_text": ("Среда", "Setting", "text"),
    "settlements": ("Населени места", "Settlements", "text"),
    "funding_raw": ("Финансиране", "Funding", "text"),
    "amount_bgn": ("Сума (лв.)", "Amount (BGN)", "number"),
    "capacity": ("Капацитет", "Capacity", "number"),
    "capacity_before": ("Капацитет преди", "Capacity before", "number"),
    "status_text": ("Статус", "Status", "text"),
    "provider": ("Изпълнител", "Provider", "text"),
    "source_file": ("Файл", "File", "text"),
    "source_line": ("Ред", "Line", "year"),
    "source_ref": ("Място (стр./табл./ред)", "Place (page/table/row)", "text"),
    "source_text": ("Оригинален текст", "Original text", "source"),
}
# what a grid row holds: the columns shown and the row's id (getRowId); data_page.sql and data_grid.sql
# select exactly these
GRID_FIELDS = [*COLUMNS, "item_id"]
# the CSV carries the record as stored (codes, as in the open-data export), in this order
CSV_COLUMNS = [
    "plan_id",
    "municipality",
    "oblast",
    "year",
    "item_no",
    "section",
    "name",
    "service_type",
    "target_group",
    "setting",
    "settlements",
    "scope",
    "q1",
    "q2",
    "q3",
    "q4",
    "funding",
    "funding_raw",
    "amount_bgn",
    "capacity",
    "capacity_before",
    "capacity_unit",
    "staff",
    "units",
    "status",
    "provider",
    "source_file",
    "source_line",
    "source_ref",
    "source_text",
]


TEXT_FILTERS = ["contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank"]
NUMBER_FILTERS = [
    "equals",
    "notEqual",
    "lessThan",
    "lessThanOrEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "inRange",
    "blank",
    "notBlank",
]
PAGE_SIZE = 100  # rows per grid page = per request to the server
NO_FILTER = [{"col": "", "op": "none", "text": "", "num": None, "num_to": None}]


def column_defs(lang: str) -> list[dict]:
    locale = "bg-BG" if lang == "bg" else "en-GB"
    defs = []
    for field, (bg, en, kind) in COLUMNS.items():
        col = {
            "field": field,
            "headerName": en if lang == "en" else bg,
            "filter": "agTextColumnFilter",
            # filtered and sorted on the server (queries/data_items.sql): one condition per column
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


def grid_filters(model: dict | None) -> list[dict]:
    """AG Grid's filterModel as data_items parameters; unknown columns and filter types are dropped."""
    out = []
    for col, spec in (model if isinstance(model, dict) else {}).items():
        if col not in COLUMNS or not isinstance(spec, dict):
            continue
        if "conditions" in spec:  # a combined model: only its first condition (maxNumConditions = 1)
            conditions = spec["conditions"]
            ok = isinstance(conditions, list) and conditions and isinstance(conditions[0], dict)
            spec = conditions[0] if ok else {}
        op = spec.get("type")
        if op not in TEXT_FILTERS and op not in NUMBER_FILTERS:
            continue
        if spec.get("filterType") == "number":

            def num(v):
                try:
                    return float(v)
                except (TypeError, ValueError):
                    return None

            item = {"col": col, "op": op, "text": "", "num": num(spec.get("filter")), "num_to": num(spec.get("filterTo"))}
            if op not in ("blank", "notBlank") and item["num"] is None:
                continue
            if op in ("blank", "notBlank"):
                item["num"] = None
            elif op == "equals" or op == "notEqual":
                item["text"] = str(spec.get("filter"))
        else:
            item = {"col": col, "op": op, "text": str(spec.get("filter") or ""), "num": None, "num_to": None}
        out.append(item)
    return out


def grid_params(request: dict | None, lang: str, limit: int | None, offset: int = 0) -> dict:
    """The parameters of data_page, data_grid and data_items for a grid request (filterModel, sortModel, page) in
    `lang`: the language and its labels (one map per kind), the column filters, the sort and the page."""
    request = request if isinstance(request, dict) else {}
    filters = grid_filters(request.get("filterModel"))
    sorts = request.get("sortModel") if isinstance(request.get("sortModel"), list) else []
    sort = next((s for s in sorts if isinstance(s, dict) and s.get("colId") in COLUMNS), None)
    lang = norm_lang(lang)
    labels = {f"{kind}_labels": {"key": list(LABELS[kind][lang]), "value": list(LABELS[kind][lang].values())}
              for kind in ("section", "target_group", "setting", "status")}
    return {
        "lang": lang,
        **labels,
        **grid_query_params(filters or NO_FILTER, not filters, sort["colId"] if sort else ""),
        "sort_dir": "desc" if sort and sort.get("sort") == "desc" else "asc",
        "limit": limit,
        "offset": offset,
    }


NO_COLUMN = "no_column"  # the column of nulls of data_items.sql and data_grid.sql: what an unknown column name reads
TYPE_COLUMNS = {"type_name", "target_group_text", "setting_text"}  # read from service_types
NUMBER_COLUMNS = {field for field, (_, _, kind) in COLUMNS.items() if kind in ("number", "year")}
# a sort by these columns orders by their rank, computed when the database is built (queries/derived.sql): the same
# order, without comparing long texts
RANKED = {"source_text": "source_text_rank"}
FILTER_SLOTS = 4  # filters passed one by one ($f1_… to $f4_…): data_grid.sql takes these, data_items.sql any number


# where data_items.sql (`tested`) finds a further filter's column value (as text, as a number), from 1; an unknown
# column reads nothing (null)
TEXT_AT = {c: i for i, c in enumerate(["municipality", "item_no", "section_text", "name", "type_name", "target_group_text",
    "setting_text", "settlements", "funding_raw", "status_text", "provider", "source_file", "source_text", "source_ref",
    "year", "source_line", "amount_bgn", "capacity", "capacity_before"], 1)}
NUMBER_AT = {c: i for i, c in enumerate(["year", "source_line", "amount_bgn", "capacity", "capacity_before"], 1)}


def grid_query_params(filters: list[dict], none: bool, sort_col: str) -> dict:
    """The data_items parameters of a list of column filters (col, op, text, num, num_to; `none`: no filter
    applies) and a sort column ('' = plan order): the first FILTER_SLOTS filters as scalars, the others as a list. A
    column reaches the SQL only as one of COLUMNS (else NO_COLUMN), so the query is planned for the columns it
    reads: a statement that names every column for each filter and the sort cost more to plan than to run."""
    rest = [{"col": f.get("col"), "op": f.get("op"), "text": f.get("text"), "num": f.get("num"),
             "num_to": f.get("num_to"), "text_at": TEXT_AT.get(f.get("col")), "number_at": NUMBER_AT.get(f.get("col"))}
            for f in filters[FILTER_SLOTS:]]
    sort_key = RANKED.get(sort_col, sort_col) if sort_col in COLUMNS else NO_COLUMN
    out = {"grid_filters": filters, "no_grid_filters": none, "grid_rest": rest, "sort_col": sort_col,
           "sort_key": sort_key}
    for i in range(1, FILTER_SLOTS + 1):
        f = filters[i - 1] if len(filters) >= i else None
        col = f.get("col") if f else None
        out.update({
            f"f{i}_col": col if col in COLUMNS else NO_COLUMN,
            f"f{i}_numeric": col in NUMBER_COLUMNS,
            f"f{i}_op": (f.get("op") or "") if f else None,
            f"f{i}_text": f.get("text") if f else None,
            f"f{i}_num": f.get("num") if f else None,
            f"f{i}_num_to": f.get("num_to") if f else None,
        })
    used = [sort_col] + [f.get("col") for f in filters[:FILTER_SLOTS]]
    out["type_columns"] = bool(rest) or any(c in TYPE_COLUMNS for c in used)
    return out


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
        """The page's rows (GRID_FIELDS and total_rows), from the cheapest query that gives them."""
        if page["no_grid_filters"] and not page["sort_col"]:  # the grid as it opens
            return run_records("data_page", **params, **page)
        if not page["grid_rest"]:  # sorted, or filtered by at most four columns (FILTER_SLOTS)
            return run_records("data_grid", **params, **page)
        rows = run_records("data_items", **params, **page)  # five or more filters (rare); all CSV columns
        return [{field: row[field] for field in (*GRID_FIELDS, "total_rows")} for row in rows]

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
