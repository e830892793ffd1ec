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
from dashboard import db
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


def grid_filters(model: dict | None) -> list[dict]:
    """AG Grid's filterModel as a list of filters (col, op, text, num, num_to); unknown columns and filter types are
    dropped."""
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


def grid_params(request: dict | None, lang: str, limit: int | None, offset: int = 0, csv: bool = False) -> dict:
    """The parameters of data_page and data_grid for a grid request (filterModel, sortModel, page) in `lang`: the
    language and its labels (one map per kind), the column filters, the sort, the page, and the columns (the grid's;
    `csv`: the CSV's)."""
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
        **grid_query_params(filters, sort["colId"] if sort else "",
                            "desc" if sort and sort.get("sort") == "desc" else "asc",
                            CSV_COLUMNS_SQL if csv else GRID_COLUMNS_SQL),
        "limit": limit,
        "offset": offset,
    }


TYPE_COLUMNS = {"type_name", "target_group_text", "setting_text"}  # read from service_types
NUMBER_COLUMNS = {field for field, (_, _, kind) in COLUMNS.items() if kind in ("number", "year")}

# each column of the grid as SQL over items `i` and service_types `st` (queries/data_grid.sql): what the grid shows,
# sorts and filters. With CSV_SQL, the only column text a grid query is written with.
GRID_SQL = {
    "municipality": "i.municipality",
    "year": "i.year",
    "item_no": "i.item_no",
    "section_text": "coalesce($section_labels[i.section], i.section)",
    "name": "i.name",
    "type_name": "case when $lang = 'en' then st.name_en else st.name_bg end",
    "target_group_text": "coalesce($target_group_labels[st.target_group], st.target_group)",
    "setting_text": "coalesce($setting_labels[st.setting], st.setting)",
    "settlements": "i.settlements",
    "funding_raw": "i.funding_raw",
    "amount_bgn": "i.amount_bgn",
    "capacity": "i.capacity",
    "capacity_before": "i.capacity_before",
    "status_text": "coalesce($status_labels[i.status], i.status)",
    "provider": "i.provider",
    "source_file": "i.source_file",
    "source_line": "i.source_line",
    "source_ref": "i.source_ref",
    "source_text": "i.source_text",
}
# a sort by these columns orders by their rank, computed when the database is built (queries/derived.sql): the same
# order, without comparing long texts
SORT_SQL = {**GRID_SQL, "source_text": "i.source_text_rank"}
# the columns of the grid's rows (GRID_FIELDS) and of the CSV (CSV_COLUMNS: the record as stored, with its codes)
GRID_COLUMNS_SQL = db.SqlText(", ".join([*(f"{sql} as {field}" for field, sql in GRID_SQL.items()), "i.item_id"]))
CSV_SQL = {col: {"oblast": "p.oblast", "target_group": "st.target_group", "setting": "st.setting"}.get(col, f"i.{col}")
           for col in CSV_COLUMNS}
CSV_COLUMNS_SQL = db.SqlText(", ".join(f"{sql} as {col}" for col, sql in CSV_SQL.items()))
# the filter types that compare the text: without a text (null) such a filter is neither true nor false
TEXT_TESTS = {"contains", "notContains", "startsWith", "endsWith"}
TYPE_JOIN = "left join service_types st on st.code = i.service_type"


def grid_filter_sql(n: int, f: dict) -> str:
    """The SQL of filter number `n` (its values: $f<n>_text, $f<n>_num, $f<n>_num_to): grid_filter_test
    (queries/derived.sql) with the filter type written in, so that DuckDB keeps only that type's test, on the
    column's value as text ('' for none) and, for a number column, as a number. An unknown column reads nothing (as
    null); an unknown filter type holds."""
    op, col = f.get("op"), f.get("col")
    if op not in TEXT_FILTERS and op not in NUMBER_FILTERS:
        return "true"
    value = f"({GRID_SQL[col]})" if col in GRID_SQL else "null"
    number = f"{value}::double" if col in NUMBER_COLUMNS else "null::double"
    return (f"grid_filter_test('{op}', coalesce({value}::varchar, ''), {number}, $f{n}_text, $f{n}_num, "
            f"$f{n}_num_to)")


def grid_query_params(filters: list[dict], sort_col: str, sort_dir: str = "asc",
                      columns: db.SqlText = GRID_COLUMNS_SQL) -> dict:
    """The slots and values of data_grid.sql for a list of column filters (col, op, text, num, num_to), a sort
    column ('' = plan order) and direction, and the columns given (the grid's or the CSV's): the statement is
    written for exactly this state, from GRID_SQL and the filter types (never from a request's text), and every
    filter's values are parameters."""
    out: dict = {"grid_filters": filters, "sort_col": sort_col, "sort_dir": sort_dir}
    decided = []
    for n, f in enumerate(filters, 1):
        out.update({f"f{n}_text": f.get("text"), f"f{n}_num": f.get("num"), f"f{n}_num_to": f.get("num_to")})
        if not (f.get("op") in TEXT_TESTS and f.get("text") is None):
            decided.append(grid_filter_sql(n, f))
    if not filters:
        condition = "true"
    elif not decided:  # only filters that are neither true nor false: none holds
        condition = "false"
    else:
        condition = " and ".join(f"({sql})" for sql in decided)
    used = [sort_col] + [f.get("col") for f in filters]
    return {
        **out,
        "filters": db.SqlText(condition),
        "sort_key": db.SqlText(SORT_SQL.get(sort_col, "null::varchar")),
        "order": db.SqlText("desc nulls last" if sort_dir == "desc" else "asc nulls last"),
        "type_join": db.SqlText(TYPE_JOIN if any(c in TYPE_COLUMNS for c in used) else ""),
        "columns": columns,
    }


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
