"""Page /capacity: capacity by service type / target group / setting, stated and observed changes,
institutions versus community and residential alternatives."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, callback, clientside_callback, dcc, html

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
    with_source,
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
COMBINE = [("compare", "combine_compare"), ("sum", "combine_sum")]
COMBINE_INPUT = Input({"page": "capacity", "view": "combine"}, "value")
# the service types as the plans name them, or their kinds under the Social Services Act (etl/data/ssa_kinds.csv)
TYPES = [("old", "types_old"), ("ssa", "types_ssa")]
TYPES_INPUT = Input({"page": "capacity", "view": "types"}, "value")
STATED_COLUMNS = [
    ("municipality_label", "col_municipality", "municipality"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("capacity_before", "col_before", "number"),
    ("capacity", "col_after", "number"),
    ("change", "col_change", "number"),
    ("status", "col_status", "label:status"),
    ("source", "col_source", "text"),  # file:line
]
OBSERVED_COLUMNS = [
    ("municipality_label", "col_municipality", "municipality"),
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
    combine = state["combine"] = view_choice(state, "combine", COMBINE)
    types = state["types"] = view_choice(state, "types", TYPES)
    control = view_control("capacity", "dim", DIMENSIONS, dim, lang, label="dimension")
    together = view_control("capacity", "combine", COMBINE, combine, lang, label="combine")
    kinds = view_control("capacity", "types", TYPES, types, lang, label="types")
    by_group, stated, observed, di = update(*filter_values(state), dim, lang, combine, types)
    hint = html.P(t("chart_click_hint", lang), className="text-muted small mb-1")
    return [
        together,
        chart_card("capacity", "by-group", lang, extra=[control, kinds, hint, dcc.Store(id="capacity-by-group-click")],
                   figure=by_group),
        dbc.Row(
            [
                dbc.Col(table_card("capacity", "stated", t("stated_changes_title", lang), stated, lang), lg=6),
                dbc.Col(table_card("capacity", "observed", t("observed_changes_title", lang), observed, lang), lg=6),
            ]
        ),
        chart_card("capacity", "di", lang, figure=di),
    ]


# a click on a bar opens /data with the records behind it (assets/provenance.js)
clientside_callback(ClientsideFunction("provenance", "open"), Output("capacity-by-group-click", "data"),
                    Input("capacity-by-group-graph", "clickData"), prevent_initial_call=True)


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
    COMBINE_INPUT,  # after the language: update(..., lang) draws the comparison
    TYPES_INPUT,
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, dim, lang, combine="compare", types="old"):
    params = filter_params(oblast, municipality, year, target_group, service_type)
    dim = dim if dim in dict(DIMENSIONS) else "service_type"
    if types == "ssa" and dim == "service_type":  # the kinds under the Social Services Act instead of the types
        dim = "ssa_kind"
    combine = combine if combine in dict(COMBINE) else "compare"
    per_plan = figures.MAX_COMPARE_PLANS if combine == "compare" else 0  # one row per plan, or per year
    chart = run_query("capacity_chart", max_series=per_plan, **params)
    return (
        figures.capacity_by(chart, dim, lang, combine),
        table(with_source(run_query("capacity_changes_stated", limit=TABLE_ROWS, **params)), STATED_COLUMNS, lang),
        table(run_query("capacity_changes_observed", limit=TABLE_ROWS, **params), observed_columns(lang), lang),
        figures.deinstitutionalisation(run_query("deinstitutionalisation", **params), lang, combine),
    )
