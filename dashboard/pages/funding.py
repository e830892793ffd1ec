"""Page /funding: funding-class mix per municipality and year, stated amounts, project-only services."""

from __future__ import annotations

import dash
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

dash.register_page(__name__, path="/funding", name="Финансиране", order=2)

MEASURES = [("services", "measure_services"), ("capacity", "measure_capacity")]
MEASURE = Input({"page": "funding", "view": "measure"}, "value")
PROJECT_COLUMNS = [
    ("municipality", "col_municipality", "text"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("capacity", "col_capacity", "number"),
    ("status", "col_status", "label:status"),
    ("funding_raw", "col_funding", "text"),
    ("source_file", "col_source", "text"),
]
AMOUNT_COLUMNS = [
    ("municipality", "col_municipality", "text"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("funding_mix", "col_funding", "label:funding"),
    ("amount_bgn", "col_amount", "number"),
]


def body(state: dict) -> list:
    lang = state["lang"]
    measure = state["measure"] = view_choice(state, "measure", MEASURES)  # in the page's address, too
    control = view_control("funding", "measure", MEASURES, measure, lang, label="measure")
    mix, project_only, amounts, amounts_table = update(*filter_values(state), measure, lang)
    return [
        chart_card("funding", "mix", lang, extra=[control], figure=mix),
        table_card("funding", "project-only", t("project_only_title", lang), project_only),
        chart_card("funding", "amounts", lang, figure=amounts),
        table_card("funding", "amounts", t("amounts_title", lang), amounts_table),
    ]


def layout(**query) -> html.Div:
    return page_shell("funding", query, body)


@callback(
    Output("funding-mix-graph", "figure"),
    Output("funding-project-only-table", "children"),
    Output("funding-amounts-graph", "figure"),
    Output("funding-amounts-table", "children"),
    *FILTER_INPUTS,
    MEASURE,
    LANG_STATE,
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, measure, lang):
    params = filter_params(oblast, municipality, year, target_group, service_type)
    measure = measure if measure in dict(MEASURES) else "services"
    series = {"max_series": figures.MAX_PLAN_ROWS}
    return (
        figures.funding_mix(run_query("funding_mix_chart", **series, **params), measure, lang),
        table(run_query("project_only", limit=TABLE_ROWS, **params), PROJECT_COLUMNS, lang),
        figures.amounts(run_query("funding_amounts_chart", **series, **params), lang),
        table(run_query("funding_amounts", limit=TABLE_ROWS, **params), AMOUNT_COLUMNS, lang),
    )
