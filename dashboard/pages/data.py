"""Page /data: every record in a filterable grid with source file, line and original text; CSV of
exactly the rows left after filtering."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.components import FILTER_INPUTS, LANG_STATE, csv_download, page_shell
from dashboard.db import run_query
from dashboard.i18n import label, t
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
    "source_text": ("Оригинален текст", "Original text", "source"),
}
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
    "source_text",
]


def column_defs(lang: str) -> list[dict]:
    locale = "bg-BG" if lang == "bg" else "en-GB"
    defs = []
    for field, (bg, en, kind) in COLUMNS.items():
        col = {"field": field, "headerName": en if lang == "en" else bg, "filter": "agTextColumnFilter"}
        if kind in ("number", "year"):
            col.update(filter="agNumberColumnFilter", type="rightAligned", width=120)
        if kind == "number":
            col["valueFormatter"] = {
                "function": f"params.value == null ? '' : Number(params.value).toLocaleString('{locale}')"
            }
        if kind == "source":
            col.update(width=420, wrapText=True, autoHeight=True, cellClass="source-text")
        defs.append(col)
    return defs


def grid_rows(df: pd.DataFrame, lang: str) -> list[dict]:
    """Records for the grid: the stored fields plus readable labels of the codes."""
    shown = df.assign(
        section_text=df["section"].map(lambda c: label("section", c, lang)),
        type_name=df["type_en" if lang == "en" else "type_bg"],
        target_group_text=df["target_group"].map(lambda c: label("target_group", c, lang)),
        setting_text=df["setting"].map(lambda c: label("setting", c, lang)),
        status_text=df["status"].map(lambda c: label("status", c, lang)),
    )
    shown = shown.astype(object).where(shown.notna(), None)
    return shown.to_dict("records")


def body(state: dict) -> list:
    lang = state["lang"]
    grid = dag.AgGrid(
        id="data-grid",
        columnDefs=column_defs(lang),
        rowData=[],
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": 50,
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
        dcc.Download(id="data-csv"),
        grid,
    ]


def layout(**query) -> html.Div:
    return page_shell("data", query, body)


@callback(Output("data-grid", "rowData"), *FILTER_INPUTS, LANG_STATE)
def update(oblast, municipality, year, target_group, service_type, lang):
    return grid_rows(
        run_query("data_items", **filter_params(oblast, municipality, year, target_group, service_type)), lang
    )


@callback(Output("data-count", "children"), Input("data-grid", "virtualRowData"), LANG_STATE)
def count_rows(rows, lang):
    return t("rows_shown", lang, n=len(rows or []))


def rows_csv(rows: list[dict] | None) -> pd.DataFrame:
    """The grid's filtered rows (virtualRowData) as the CSV table: stored fields only."""
    return pd.DataFrame(rows or [], columns=CSV_COLUMNS)


@callback(
    Output("data-csv", "data"),
    Input("data-csv-button", "n_clicks"),
    State("data-grid", "virtualRowData"),
    prevent_initial_call=True,
)
def download_rows(_, rows):
    return csv_download(rows_csv(rows), "plan_items.csv")
