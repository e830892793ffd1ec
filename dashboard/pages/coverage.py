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
    on_click,
    page_shell,
    table_card,
    view_choice,
)
from dashboard.db import municipality_codes, reference_dir, remembered, run_query
from dashboard.i18n import dropdown_labels, place_name, t
from dashboard.municipality_figures import METRICS, metric_map, metric_title
from dashboard.population import population, population_path
from dashboard.state import filter_params, filter_values

dash.register_page(__name__, path="/coverage", name="Обхват", order=3)

PLAN_ID = {"page": "coverage", "view": "plan"}
METRIC = {"page": "coverage", "view": "metric"}  # the map's metric, in the address
PLAN_MUNICIPALITY = "coverage-plan-municipality"  # narrows the plan picker; the plan alone is in the address
GEOJSON_URL = "/geo/municipalities.geojson"  # served by app.py from the reference directory


def body(state: dict) -> list:
    lang = state["lang"]
    filters = filter_values(state)
    towns, town, options, plan = plan_options(*filters, None, state.get("plan"), lang)
    state["plan"] = plan  # in the page's address, too
    matrix, unserved = update(plan, state["target_group"], state["service_type"], lang, options)
    metric = view_choice(state, "metric", [(m, m) for m in METRICS])
    state["metric"] = metric
    map_figure, map_notice = update_map(*filters, metric, lang)
    picker = dbc.Row(
        [
            dbc.Col(dbc.Label(t("plan", lang), html_for=PLAN_MUNICIPALITY), width="auto"),
            dbc.Col(dcc.Dropdown(id=PLAN_MUNICIPALITY, options=towns, value=town, clearable=False,
                                 placeholder=t("placeholder_choose", lang), labels=dropdown_labels(lang)), md=3),
            dbc.Col(dcc.Dropdown(id=PLAN_ID, options=options, value=plan, clearable=False, searchable=False,
                                 placeholder=t("placeholder_choose", lang), labels=dropdown_labels(lang)), md=2),
        ],
        className="mb-2 align-items-center",
    )
    return [
        chart_card("coverage", "matrix", lang, extra=[picker], figure=matrix, click="records"),
        table_card("coverage", "unserved", t("unserved_title", lang), unserved, lang),
        html.Div(map_notice, id="coverage-map-notice"),
        chart_card("coverage", "map", lang, figure=map_figure, extra=[metric_picker(metric, lang)],
                   click="municipality"),
    ]


def metric_picker(metric: str, lang: str) -> html.Div:
    """The map's metric: services, capacity, places per 1,000 inhabitants, project-only share, change."""
    radios = dbc.RadioItems(id=METRIC, value=metric, inline=True, className="mb-2",
                            options=[{"label": metric_title(m, lang), "value": m} for m in METRICS])
    return html.Div([html.Span(t("map_metric", lang) + ": ", className="me-2"), radios], className="d-flex flex-wrap")


def layout(**query) -> html.Div:
    return page_shell("coverage", query, body)


on_click("coverage-matrix")  # a cell: the plan's records of that service type at that place
on_click("coverage-map", "municipality")  # a municipality: its page


def plan_choices(plans, town: str | None, current: str | None, lang: str = "bg") -> tuple[list, str | None, list[dict],
                                                                                          str | None]:
    """The two plan pickers: the municipalities with a plan in the selection and the one chosen (`town` if
    offered, else the current plan's, else the first), that municipality's plans ('Дупница 2021') and
    the plan shown (the current one if it is the municipality's, else the one of the same year, else
    its first). With nothing chosen, the first municipality and plan whose services name a place (`places`,
    when given): a plan whose services name none cannot show its coverage. Two pickers, not one of every plan: a dropdown indexes all substrings of its options
    for search when drawn, which took 0.35 s for the 3,696 plans of the whole country."""
    by_town: dict[str, list[tuple[str, int]]] = {}  # .tolist(): iterating a column element by element is ~10x slower
    # a municipality by its filter value (its name, or its EKATTE code when two share the name), shown by its label
    values = plans["municipality_value"] if "municipality_value" in plans else plans["municipality"]
    shown = plans["municipality_label"] if "municipality_label" in plans else plans["municipality"]
    labels = dict(zip(values.tolist(), shown.tolist(), strict=True))
    for p, m, y in zip(plans["plan_id"].tolist(), values.tolist(), plans["year"].tolist(), strict=True):
        by_town.setdefault(m, []).append((p, y))
    if not by_town:
        return [], None, [], None
    town_of = {p: (m, y) for m, own in by_town.items() for p, y in own}
    placed = set(plans.loc[plans["places"] > 0, "plan_id"].tolist()) if "places" in plans else set(town_of)
    if town not in by_town:
        first = next((m for m, own in by_town.items() if any(p in placed for p, _ in own)), next(iter(by_town)))
        town = town_of[current][0] if current in town_of else first
    own = by_town[town]
    if current not in {p for p, _ in own}:
        year = town_of[current][1] if current in town_of else None
        current = next((p for p, y in own if y == year), next((p for p, _ in own if p in placed), own[0][0]))
    towns = [m if labels[m] == m and lang != "en" else {"label": place_name(labels[m], lang), "value": m}
             for m in by_town]
    return towns, town, [{"label": f"{place_name(labels[town], lang)} {y}", "value": p} for p, y in own], current


def unserved_list(df, available: bool, lang: str, places: bool = True):
    """The settlements with no listed service, as text badges (or why they cannot be known: no EKATTE, or
    `places` False: the plan's services name no place)."""
    if not available:
        return dbc.Alert(t("unserved_noref", lang), color="light")
    if not places:
        return dbc.Alert(t("no_plan_places", lang), color="light", id="coverage-no-places")
    if df.empty:
        return dbc.Alert(t("empty", lang), color="light", className="empty-state")
    names = [
        dbc.Badge(place_name(f"{k} {n}", lang), color="light", text_color="dark", className="me-1 mb-1 border")
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
    LANG_STATE,
    prevent_initial_call=True,
)
@remembered
def plan_options(oblast, municipality, year, target_group, service_type, town, current, lang="bg"):
    plans = run_query(
        "coverage_plans", **filter_params(oblast, municipality, year, target_group, service_type)
    )
    return plan_choices(plans, town, current, lang)


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
    places = matrix.empty or matrix["settlement"].notna().any()  # no service of the plan names a place: say so
    return figures.coverage(matrix, plan, lang), unserved_list(unserved, has_ekatte, lang, places)


@callback(
    Output("coverage-map-graph", "figure"),
    Output("coverage-map-notice", "children"),
    *FILTER_INPUTS,
    Input(METRIC, "value"),
    LANG_STATE,
    prevent_initial_call=True,
)
@remembered
def update_map(oblast, municipality, year, target_group, service_type, metric, lang):
    codes = municipality_codes()
    if not codes:
        notice = t("map_missing", lang, path=str(reference_dir() / "geo" / "municipalities.geojson"))
        return figures.empty(t("map_title", lang), lang, notice), dbc.Alert(notice, color="info")
    metric = metric if metric in METRICS else METRICS[0]
    people = population()
    metrics = run_query(
        "municipality_metrics", **filter_params(oblast, municipality, year, target_group, service_type), **people.bound()
    )
    years = sorted({int(y) for y in metrics["year"]})
    span = "" if not years else str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    notice = None
    if metric == "per_1000" and not people.available:
        notice = dbc.Alert(t("map_population_missing", lang, path=str(population_path())), color="info")
    url = dash.get_relative_path(GEOJSON_URL)
    return metric_map(metrics, metric, url, codes, span, lang), notice
