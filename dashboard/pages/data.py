"""Page /data: every record in a filterable grid with source file, line and original text; CSV of
exactly the rows left after filtering.

The grid uses AG Grid's infinite row model: it asks the server for one page at a time, and the
column filters and sorting run in SQL, so a national selection of ~140k records never travels to the
browser: queries/data_page.sql as the grid opens, data_grid.sql once sorted or filtered (a statement written for
that grid state). The CSV runs data_grid.sql with its own columns and without the page limit."""

from __future__ import annotations

from urllib.parse import parse_qs

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.components import FILTER_INPUTS, FILTER_STATES, LANG_STATE, page_shell
from dashboard.db import Unavailable, remembered, run_query, run_records
from dashboard.grid import COLUMNS, FIELD_COLUMNS, FLAGGED_FIELDS, NUMBER_FILTERS, TEXT_FILTERS, grid_params
from dashboard.i18n import grid_locale, label, place_name, t
from dashboard.state import (
    NARROW_KEYS,
    as_list,
    filter_params,
    narrow_allowed,
    query_string,
    state_from_query,
)

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
        if field == "municipality":  # a link to /municipality/<code> (assets/grid_cells.js: from the code only)
            col["cellRenderer"] = "MunicipalityLink"
        col.update(marking(field))
        defs.append(col)
    return defs


CHECK_FILTERS = {check: {column: {"filterType": "text", "type": "notBlank"}}
                 for check, column in (("flagged", "review"), ("corrected", "corrected"))}


def marking(column: str) -> dict:
    """A cell whose value a person corrected, or that a review flag points at, is marked (app.css: .cell-corrected,
    .cell-flagged); a corrected cell's tooltip gives the parsed value, the reason, the author and the date."""
    fields = [f for f, c in FIELD_COLUMNS.items() if c == column]
    if not fields:
        return {}
    flags = [code for code, named in FLAGGED_FIELDS.items() if set(named) & set(fields)]
    corrected = " || ".join(f"(';' + (params.data.corrected || '') + ';').includes(';{f};')" for f in fields)
    rules = {"cell-corrected": f"params.data && ({corrected})"}
    if flags:
        flagged = " || ".join(f"(';' + (params.data.review || '') + ';').includes(';{f};')" for f in flags)
        rules["cell-flagged"] = f"params.data && !({corrected}) && ({flagged})"
    return {"cellClassRules": rules,
            "tooltipValueGetter": {"function": f"params.data && ({corrected}) ? params.data.correction_note : null"}}


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
            "localeText": grid_locale(lang),  # the grid's own texts (paging, filters) in the UI's language
            "tooltipShowDelay": 300,
            # a row chosen: its whole original text, file, line and place under the grid (source_detail)
            "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
        },
        getRowId="params.data.item_id",
        # ?check=flagged|corrected (the links under the filter bar): the records a review flag or a correction marks
        filterModel=CHECK_FILTERS.get(state.get("check"), {}),
        style={"height": "70vh"},
        className="ag-theme-alpine",
    )
    return [
        html.P(t("data_intro", lang)),
        html.Div(narrowed_notice(state), id="data-narrowed-box"),
        dcc.Store(id="data-narrow", data={key: state.get(key) or [] for key in NARROW_KEYS}),
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
        html.Section(
            [html.H2(t("source_detail_title", lang), className="h6 mt-3"),
             html.Div(t("source_detail_hint", lang), id="data-source-detail", className="text-muted")],
            className="mb-4",
        ),
    ]


NARROW_LABELS = {"funding_mix": "funding", "event": "status"}  # the i18n.label kind of a narrowing key's values


def narrow_text(key: str, value: str, lang: str) -> str:
    """One narrowing as the notice says it: 'среда: В домашна среда', 'само социални услуги', 'населено място: с.
    Сливница'."""
    if key == "only":
        return t(f"narrow_{value}", lang)
    if key == "event_year":
        text = value
    elif key == "settlement":
        text = t("coverage_whole", lang) if value == "whole" else settlement_name(value, lang)
    else:
        text = label(NARROW_LABELS.get(key, key), value, lang)
    return f"{t('filter_' + key, lang).lower()}: {text}"


@remembered
def settlement_name(code: str, lang: str) -> str:
    """'с. Сливница' for an EKATTE code ('s. Slivnitsa' in English); the code itself when EKATTE does not know it."""
    df = run_query("settlement_names", codes=[code])
    if df.empty:
        return code
    row = df.iloc[0]
    name = row["name_en"] if lang == "en" and isinstance(row["name_en"], str) else place_name(row["name"], lang)
    return f"{place_name(row['kind'], lang)} {name}"


def narrowed_notice(state: dict) -> list:
    """What a chart's click narrowed the records to (the /data-only keys of the address), with a link to the whole
    selection; nothing when not narrowed."""
    lang = state["lang"]
    items = [narrow_text(key, value, lang) for key in NARROW_KEYS for value in state.get(key) or []]
    if not items:
        return []
    if state.get("event"):  # a change's records: what they are
        items.append(t("narrow_event_note", lang))
    whole = query_string({**state, **{key: [] for key in NARROW_KEYS}, "check": None})
    return [dbc.Alert([t("narrowed", lang, items="; ".join(items)), " ",
                       dcc.Link(t("narrow_clear", lang), href="/data" + whole)],
                      color="info", id="data-narrowed", className="py-2 mb-2")]


@callback(
    Output("data-narrowed-box", "children"),
    Input("url-search", "data"),
    State("data-narrow", "data"),
    LANG_STATE,
    prevent_initial_call=True,  # drawn with the page (body)
)
def follow_filters(search, narrow, lang):
    """The filter bar changed: the notice keeps the narrowing (it stays on the grid and in the address) and its link
    to the whole selection follows the new selection."""
    state = state_from_query(parse_qs(search.lstrip("?")) if isinstance(search, str) else {})
    narrow = narrow if isinstance(narrow, dict) else {}
    return narrowed_notice({**state, **narrow_state(narrow), "lang": lang if lang in ("bg", "en") else "bg"})


def narrow_state(narrow: dict) -> dict:
    """The /data-only keys of the page's store (data-narrow), validated as the address's are."""
    return {key: [v for v in as_list(narrow.get(key)) if narrow_allowed(key, v)] for key in NARROW_KEYS}


@callback(
    Output("data-source-detail", "children"),
    Output("data-source-detail", "className"),
    Input("data-grid", "selectedRows"),
    LANG_STATE,
    prevent_initial_call=True,
)
def source_detail(rows, lang):
    """The chosen row's whole original text, as text (a '<p>' in a document shows as written), with its file, line
    and place in the document."""
    row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None
    if row is None:
        return t("source_detail_hint", lang), "text-muted"
    place = t("source_detail_place", lang, file=row.get("source_file") or "—", line=row.get("source_line") or "—",
              ref=row.get("source_ref") or "—")
    return [html.P(place, className="mb-1", id="data-source-place"),
            html.Pre(row.get("source_text") or "", id="data-source-text", className="source-detail")], ""


def layout(**query) -> html.Div:
    return page_shell("data", query, body)


@callback(
    Output("data-grid", "getRowsResponse"),
    Output("data-count", "children"),
    Output("data-grid-model", "data"),
    Input("data-grid", "getRowsRequest"),
    *FILTER_STATES,
    LANG_STATE,
    State("data-narrow", "data"),
)
def rows_page(request, oblast, municipality, year, target_group, service_type, lang, narrow=None):
    """One page of rows for the grid (server-side filtering, sorting and paging). A query past its deadline, the
    heavy-work limit reached or no database: no rows, and the reason where the count goes (nothing remembered)."""
    if not isinstance(request, dict):
        return dash.no_update, dash.no_update, dash.no_update
    try:
        return rows_block(request, oblast, municipality, year, target_group, service_type, lang, narrow)
    except Unavailable as error:
        notice = html.Span(t(error.key, lang), className="text-danger", id="data-grid-error")
        return {"rowData": [], "rowCount": 0}, notice, dash.no_update


@remembered
def rows_block(request, oblast, municipality, year, target_group, service_type, lang, narrow=None):
    """The grid's block of rows, its count and the model it was asked with (`narrow`: what a chart's click narrowed
    the records to, dashboard/state.py NARROW_KEYS)."""
    start, end = request.get("startRow"), request.get("endRow")
    start = max(0, start) if isinstance(start, int) else 0
    end = min(start + 10 * PAGE_SIZE, max(start + 1, end if isinstance(end, int) else start + PAGE_SIZE))
    params = filter_params(oblast, municipality, year, target_group, service_type)

    def fetch(page: dict) -> list[dict]:
        """The page's rows (GRID_FIELDS and total_rows): the grid as it opens from its plain query."""
        if not page["grid_filters"] and not page["sort_col"]:
            return run_records("data_page", **params, **page)
        return run_records("data_grid", **params, **page)

    rows = fetch(grid_params(request, lang, end - start, start, narrow=narrow))
    total = rows[0]["total_rows"] if rows else (0 if start == 0 else None)
    if total is None:  # a page past the end (the rows changed under the grid): count them
        total = sum(r["total_rows"] for r in fetch(grid_params(request, lang, 1, narrow=narrow)))
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
