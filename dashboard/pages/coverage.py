"""Page /coverage: for one plan, settlement × service type, settlements without a service, and a map."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import figures
from dashboard.components import (
    FILTER_INPUTS,
    LANG_STATE,
    chart_card,
    page_shell,
    table_card,
)
from dashboard.db import municipality_codes, reference_dir, remembered, run_query
from dashboard.i18n import t
from dashboard.state import filter_params, filter_values

dash.register_page(__name__, path="/coverage", name="Обхват", order=3)

PLAN_ID = {"page": "coverage", "view": "plan"}
GEOJSON_URL = "/geo/municipalities.geojson"  # served by app.py from the reference directory


def body(state: dict) -> list:
    lang = state["lang"]
    filters = filter_values(state)
    options, plan = plan_options(*filters, state.get("plan"))
    state["plan"] = plan  # in the page's address, too
    matrix, unserved = update(plan, state["target_group"], state["service_type"], lang, options)
    map_figure, map_notice = update_map(*filters, lang)
    picker = dbc.Row(
        [
            dbc.Col(dbc.Label(t("plan", lang), html_for="coverage-plan"), width="auto"),
            dbc.Col(dcc.Dropdown(id=PLAN_ID, options=options, value=plan, clearable=False), md=4),
        ],
        className="mb-2 align-items-center",
    )
    return [
        chart_card("coverage", "matrix", lang, extra=[picker], figure=matrix),
        table_card("coverage", "unserved", t("unserved_title", lang), unserved),
        html.Div(map_notice, id="coverage-map-notice"),
        chart_card("coverage", "map", lang, figure=map_figure),
    ]


def layout(**query) -> html.Div:
    return page_shell("coverage", query, body)


def plan_choices(plans, current: str | None) -> tuple[list[dict], str | None]:
    """Dropdown options 'Дупница 2021' and the value: the current plan if still offered, else the first."""
    values = plans["plan_id"].tolist()  # .tolist(): iterating a column element by element is ~10x slower
    options = [
        {"label": f"{m} {y}", "value": p}
        for p, m, y in zip(values, plans["municipality"].tolist(), plans["year"].tolist(), strict=True)
    ]
    return options, current if current in set(values) else (values[0] if values else None)


def unserved_list(df, available: bool, lang: str):
    """The settlements with no listed service, as text badges (or why they cannot be known)."""
    if not available:
        return dbc.Alert(t("unserved_noref", lang), color="light")
    if df.empty:
        return dbc.Alert(t("empty", lang), color="light", className="empty-state")
    names = [
        dbc.Badge(f"{k} {n}", color="light", text_color="dark", className="me-1 mb-1 border")
        for k, n in zip(df["kind"], df["name"], strict=True)
    ]
    return html.Div([html.Div(names), html.Small(t("unserved_note", lang), className="text-muted")])


# The page is drawn with the plan choices, the matrix and the map (body); the callbacks redraw them
# when the filters or the plan change.
@callback(
    Output(PLAN_ID, "options"),
    Output(PLAN_ID, "value"),
    *FILTER_INPUTS,
    State(PLAN_ID, "value"),
    prevent_initial_call=True,
)
@remembered
def plan_options(oblast, municipality, year, target_group, service_type, current):
    plans = run_query(
        "coverage_plans", **filter_params(oblast, municipality, year, target_group, service_type)
    )
    return plan_choices(plans, current)


@callback(
    Output("coverage-matrix-graph", "figure"),
    Output("coverage-unserved-table", "children"),
    Input(PLAN_ID, "value"),
    FILTER_INPUTS[3],
    FILTER_INPUTS[4],
    LANG_STATE,
    State(PLAN_ID, "options"),
    prevent_initial_call=True,
)
def update(plan_id, target_group, service_type, lang, options):
    plan = next((o["label"] for o in options or [] if o["value"] == plan_id), plan_id or "")
    return plan_coverage(plan_id, plan, target_group, service_type, lang)


@remembered  # keyed by the plan's label, not by the plan picker's options (all plans, at national scale)
def plan_coverage(plan_id, plan, target_group, service_type, lang):
    params = filter_params(target_group=target_group, service_type=service_type)
    matrix = run_query("coverage_matrix", plan_id=plan_id, **params)
    unserved = run_query("coverage_unserved", plan_id=plan_id)
    has_ekatte = bool(run_query("reference_counts").iloc[0]["settlements"])
    return figures.coverage(matrix, plan, lang), unserved_list(unserved, has_ekatte, lang)


@callback(
    Output("coverage-map-graph", "figure"),
    Output("coverage-map-notice", "children"),
    *FILTER_INPUTS,
    LANG_STATE,
    prevent_initial_call=True,
)
@remembered
def update_map(oblast, municipality, year, target_group, service_type, lang):
    codes = municipality_codes()
    if not codes:
        notice = t("map_missing", lang, path=str(reference_dir() / "geo" / "municipalities.geojson"))
        return figures.empty(t("map_title", lang), lang, notice), dbc.Alert(notice, color="info")
    services = run_query(
        "municipality_services", **filter_params(oblast, municipality, year, target_group, service_type)
    )
    url = dash.get_relative_path(GEOJSON_URL)
    return figures.municipality_map(services, url, codes, lang), None
