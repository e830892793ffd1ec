"""Page /capacity: capacity by service type / target group / setting, stated and observed changes,
institutions versus community and residential alternatives."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard import figures
from dashboard.components import (
    FILTER_INPUTS,
    LANG_STATE,
    TABLE_ROWS,
    chart_card,
    on_click,
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
    kinds = types_control(types, dim, filter_values(state), lang)
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
        chart_card("capacity", "di", lang, figure=di, click="records"),
    ]


def types_control(types: str, dim: str, filters: list, lang: str) -> html.Div:
    """The old types / Social Services Act switch: shown only when the chart is grouped by service type (the only
    grouping it changes), with a note when every plan of the selection is on one side of 1 July 2020."""
    switch = view_control("capacity", "types", TYPES, types, lang, label="types")
    style, note = types_view(dim, *filters, lang)
    return html.Div([switch, html.Div(note, id="capacity-types-note")], id="capacity-types", style=style)


@callback(
    Output("capacity-types", "style"),
    Output("capacity-types-note", "children"),
    DIM,
    *FILTER_INPUTS,
    LANG_STATE,
    prevent_initial_call=True,  # drawn with the page (types_control)
)
@remembered
def types_view(dim, oblast, municipality, year, target_group, service_type, lang):
    if dim not in (None, "service_type"):
        return {"display": "none"}, None
    span = run_query("plan_years", **filter_params(oblast, municipality, year, target_group, service_type)).iloc[0]
    if span.isna().any():
        return {}, None
    if int(span["last_year"]) < figures.SSA_FIRST_YEAR:
        key = "types_note_before"
    elif int(span["first_year"]) >= figures.SSA_FIRST_YEAR:
        key = "types_note_after"
    else:
        return {}, None
    return {}, html.P(t(key, lang), className="text-muted small mb-1", id="capacity-types-explained")


on_click("capacity-by-group")  # a bar: the records behind it
on_click("capacity-di")  # a point: its municipality's records of that year in that setting


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
        # one line per municipality and setting for up to MAX_COMPARE municipalities (one when the reader asks for a
        # sum), else added up per year in SQL
        figures.deinstitutionalisation(run_query("deinstitutionalisation_chart", **params,
                                                 max_municipalities=figures.MAX_COMPARE if combine == "compare" else 1),
                                       lang, combine),
    )
