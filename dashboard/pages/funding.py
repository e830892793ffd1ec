"""Page /funding: funding-class mix per municipality and year, stated amounts, project-only services."""

from __future__ import annotations

import dash
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

dash.register_page(__name__, path="/funding", name="Финансиране", order=2)

MEASURES = [("services", "measure_services"), ("capacity", "measure_capacity")]
MEASURE = Input({"page": "funding", "view": "measure"}, "value")
COMBINE = [("compare", "combine_compare"), ("sum", "combine_sum")]
COMBINE_INPUT = Input({"page": "funding", "view": "combine"}, "value")
PROJECT_COLUMNS = [
    ("municipality_label", "col_municipality", "municipality"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("capacity", "col_capacity", "number"),
    ("status", "col_status", "label:status"),
    ("funding_raw", "col_funding", "text"),
    ("source", "col_source", "text"),  # file:line
]
AMOUNT_COLUMNS = [
    ("municipality_label", "col_municipality", "municipality"),
    ("year", "col_year", "text"),
    ("name", "col_name", "text"),
    ("funding_mix", "col_funding", "label:funding"),
    ("amount_bgn", "col_amount", "number"),
    ("source", "col_source", "text"),  # file:line
]


def body(state: dict) -> list:
    lang = state["lang"]
    measure = state["measure"] = view_choice(state, "measure", MEASURES)  # in the page's address, too
    combine = state["combine"] = view_choice(state, "combine", COMBINE)
    control = view_control("funding", "measure", MEASURES, measure, lang, label="measure")
    together = view_control("funding", "combine", COMBINE, combine, lang, label="combine")
    mix, project_only, amounts, amounts_table = update(*filter_values(state), measure, lang, combine)
    return [
        together,
        chart_card("funding", "mix", lang, figure=mix,
                   extra=[control, html.P(t("chart_click_hint", lang), className="text-muted small mb-1"),
                          dcc.Store(id="funding-mix-click")]),
        table_card("funding", "project-only", t("project_only_title", lang), project_only, lang),
        chart_card("funding", "amounts", lang, figure=amounts, click="records"),
        table_card("funding", "amounts", t("amounts_title", lang), amounts_table, lang),
    ]


def layout(**query) -> html.Div:
    return page_shell("funding", query, body)


on_click("funding-mix")  # a bar: the records behind it
on_click("funding-amounts")  # a bar: the records stating the amounts of its plan and funding class


@callback(
    Output("funding-mix-graph", "figure"),
    Output("funding-project-only-table", "children"),
    Output("funding-amounts-graph", "figure"),
    Output("funding-amounts-table", "children"),
    *FILTER_INPUTS,
    MEASURE,
    LANG_STATE,
    COMBINE_INPUT,  # after the language: update(..., lang) draws the comparison
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, measure, lang, combine="compare"):
    params = filter_params(oblast, municipality, year, target_group, service_type)
    measure = measure if measure in dict(MEASURES) else "services"
    combine = combine if combine in dict(COMBINE) else "compare"
    series = {"max_series": figures.MAX_COMPARE_PLANS if combine == "compare" else 0}  # per plan, or per year
    return (
        figures.funding_mix(run_query("funding_mix_chart", **series, **params), measure, lang, combine),
        table(with_source(run_query("project_only", limit=TABLE_ROWS, **params)), PROJECT_COLUMNS, lang),
        figures.amounts(run_query("funding_amounts_chart", **series, **params), lang, combine),
        table(with_source(run_query("funding_amounts", limit=TABLE_ROWS, **params)), AMOUNT_COLUMNS, lang),
    )
