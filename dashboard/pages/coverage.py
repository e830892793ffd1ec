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
PLAN_MUNICIPALITY = "coverage-plan-municipality"  # narrows the plan picker; the plan alone is in the address
GEOJSON_URL = "/geo/municipalities.geojson"  # served by app.py from the reference directory


def body(state: dict) -> list:
    lang = state["lang"]
    filters = filter_values(state)
    towns, town, options, plan = plan_options(*filters, None, state.get("plan"))
    state["plan"] = plan  # in the page's address, too
    matrix, unserved = update(plan, state["target_group"], state["service_type"], lang, options)
    map_figure, map_notice = update_map(*filters, lang)
    picker = dbc.Row(
        [
            dbc.Col(dbc.Label(t("plan", lang), html_for=PLAN_MUNICIPALITY), width="auto"),
            dbc.Col(dcc.Dropdown(id=PLAN_MUNICIPALITY, options=towns, value=town, clearable=False), md=3),
            dbc.Col(dcc.Dropdown(id=PLAN_ID, options=options, value=plan, clearable=False, searchable=False), md=2),
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


def plan_choices(plans, town: str | None, current: str | None) -> tuple[list, str | None, list[dict], str | None]:
    """The two plan pickers: the municipalities with a plan in the selection and the one chosen (`town` if
    offered, else the current plan's, else the first), that municipality's plans ('Дупница 2021') and
    the plan shown (the current one if it is the municipality's, else the one of the same year, else
    its first). Two pickers, not one of every plan: a dropdown indexes all substrings of its options
    for search when drawn, which took 0.35 s for the 3,696 plans of the whole country."""
    by_town: dict[str, list[tuple[str, int]]] = {}  # .tolist(): iterating a column element by element is ~10x slower
    for p, m, y in zip(plans["plan_id"].tolist(), plans["municipality"].tolist(), plans["year"].tolist(), strict=True):
        by_town.setdefault(m, []).append((p, y))
    if not by_town:
        return [], None, [], None
    town_of = {p: (m, y) for m, own in by_town.items() for p, y in own}
    if town not in by_town:
        town = town_of[current][0] if current in town_of else next(iter(by_town))
    own = by_town[town]
    if current not in {p for p, _ in own}:
        year = town_of[current][1] if current in town_of else None
        current = next((p for p, y in own if y == year), own[0][0])
    return list(by_town), town, [{"label": f"{town} {y}", "value": p} for p, y in own], current


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
    Output(PLAN_MUNICIPALITY, "options"),
    Output(PLAN_MUNICIPALITY, "value"),
    Output(PLAN_ID, "options"),
    Output(PLAN_ID, "value"),
    *FILTER_INPUTS,
    Input(PLAN_MUNICIPALITY, "value"),
    State(PLAN_ID, "value"),
    prevent_initial_call=True,
)
@remembered
def plan_options(oblast, municipality, year, target_group, service_type, town, current):
    plans = run_query(
        "coverage_plans", **filter_params(oblast, municipality, year, target_group, service_type)
    )
    return plan_choices(plans, town, current)


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
