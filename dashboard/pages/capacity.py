"""Page /capacity: capacity by service type / target group / setting, stated and observed changes,
institutions versus community and residential alternatives."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import figures
from dashboard.components import (
    FILTER_INPUTS,
    LANG_STATE,
    TABLE_ROWS,
    chart_card,
    page_shell,
    table,
    table_card,
    view_choice,
    view_control,
)
from dashboard.db import remembered, run_query
from dashboard.i18n import t
from dashboard.state import filter_params, filter_values

dash.register_page(__name__, path="/capacity", name="Капацитет", order=1)

DIMENSIONS = [
    ("service_type", "dim_service_type"),
    ("target_group", "dim_target_group"),
    ("setting", "dim_setting"),
]
DIM = Input({"page": "capacity", "view": "dim"}, "value")
STATED_COLUMNS = [
    ("municipality", "col_municipality", "text"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("capacity_before", "col_before", "number"),
    ("capacity", "col_after", "number"),
    ("change", "col_change", "number"),
    ("status", "col_status", "label:status"),
    ("source_file", "col_source", "text"),
]
OBSERVED_COLUMNS = [
    ("municipality", "col_municipality", "text"),
    ("previous_year", "col_previous_year", "text"),
    ("year", "col_year", "text"),
    ("type_bg", "col_service_type", "text"),
    ("capacity_before", "col_before", "number"),
    ("capacity", "col_after", "number"),
    ("change", "col_change", "number"),
]


def body(state: dict) -> list:
    lang = state["lang"]
    dim = state["dim"] = view_choice(state, "dim", DIMENSIONS)  # in the page's address, too
    control = view_control("capacity", "dim", DIMENSIONS, dim, lang, label="dimension")
    by_group, stated, observed, di = update(*filter_values(state), dim, lang)
    return [
        chart_card("capacity", "by-group", lang, extra=[control], figure=by_group),
        dbc.Row(
            [
                dbc.Col(table_card("capacity", "stated", t("stated_changes_title", lang), stated), lg=6),
                dbc.Col(table_card("capacity", "observed", t("observed_changes_title", lang), observed), lg=6),
            ]
        ),
        chart_card("capacity", "di", lang, figure=di),
    ]


def layout(**query) -> html.Div:
    return page_shell("capacity", query, body)


def observed_columns(lang: str) -> list:
    return [(c if c != "type_bg" or lang != "en" else "type_en", k, kind) for c, k, kind in OBSERVED_COLUMNS]


@callback(
    Output("capacity-by-group-graph", "figure"),
    Output("capacity-stated-table", "children"),
    Output("capacity-observed-table", "children"),
    Output("capacity-di-graph", "figure"),
    *FILTER_INPUTS,
    DIM,
    LANG_STATE,
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, dim, lang):
    params = filter_params(oblast, municipality, year, target_group, service_type)
    dim = dim if dim in dict(DIMENSIONS) else "service_type"
    chart = run_query("capacity_chart", max_series=figures.MAX_PLAN_SERIES, **params)
    return (
        figures.capacity_by(chart, dim, lang),
        table(run_query("capacity_changes_stated", limit=TABLE_ROWS, **params), STATED_COLUMNS, lang),
        table(run_query("capacity_changes_observed", limit=TABLE_ROWS, **params), observed_columns(lang), lang),
        figures.deinstitutionalisation(run_query("deinstitutionalisation", **params), lang),
    )
