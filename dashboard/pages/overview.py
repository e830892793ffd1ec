"""Page /: which plans are loaded (municipality × year) and headline figures of the selection."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, callback, dcc, html

from dashboard import figures
from dashboard.components import (
    FILTER_INPUTS,
    LANG_STATE,
    chart_card,
    on_click,
    page_shell,
)
from dashboard.db import remembered, run_query
from dashboard.i18n import fmt_number, fmt_percent, t
from dashboard.state import filter_params, filter_values, search_for

dash.register_page(__name__, path="/", name="Преглед", order=0)

# headline figure -> (text key, page that explains it)
KPIS = [
    ("services", "kpi_services", "/data"),
    ("capacity", "kpi_capacity", "/capacity"),
    ("delegated", "kpi_delegated", "/funding"),
    ("project", "kpi_project", "/funding"),
    ("municipal", "kpi_municipal", "/funding"),
    ("new_services", "kpi_new", "/changes"),
    ("closing_services", "kpi_closing", "/changes"),
]
SHARES = {"delegated", "project", "municipal"}


def body(state: dict) -> list:
    lang = state["lang"]
    kpis, counts, completeness = update(*filter_values(state), lang)
    return [
        html.Div(kpis, id="overview-kpis", className="mb-3"),
        html.P(counts, id="overview-counts", className="text-muted"),
        chart_card("overview", "completeness", lang, figure=completeness, click="records"),
    ]


def layout(**query) -> html.Div:
    return page_shell("overview", query, body)


on_click("overview-completeness")  # a cell: the records of that plan


def kpi_values(row: dict, lang: str) -> dict[str, str]:
    """Formatted headline values: counts as numbers, funding as shares of the services."""
    services = row.get("services") or 0
    out = {}
    for key, _, _ in KPIS:
        if key in SHARES:
            out[key] = fmt_percent(row[key] / services if services else None, lang)
        else:
            out[key] = fmt_number(row[key], lang)
    return out


def kpi_cards(row: dict, search: str, lang: str) -> dbc.Row:
    values = kpi_values(row, lang)
    cards = [
        dbc.Col(
            dcc.Link(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(values[key], className="kpi-value", id=f"overview-kpi-{key}"),
                            html.Div(t(text, lang), className="kpi-label"),
                        ]
                    ),
                    className="kpi-card h-100",
                ),
                href=path + search,
                className="kpi-link",
            ),
            xs=6,
            md=3,
            lg=True,
            className="mb-2",
        )
        for key, text, path in KPIS
    ]
    return dbc.Row(cards, className="g-2")


def headline_basis(row: dict, lang: str) -> html.P:
    """What the headline figures rest on: one plan per municipality (its latest in the selection), of which years,
    and what a share is a share of."""
    first, last = row.get("first_year"), row.get("last_year")
    if not row.get("plans") or pd.isna(first):
        return html.P(t("headline_none", lang), id="overview-basis", className="text-muted small")
    years = str(int(first)) if first == last else f"{int(first)}–{int(last)}"
    text = t("headline_basis", lang, years=years, municipalities=fmt_number(row["municipalities"], lang),
             plans=fmt_number(row["plans"], lang), selected=fmt_number(row["plans_selected"], lang))
    return html.P([text, " ", t("headline_shares", lang)], id="overview-basis", className="text-muted small")


def counts_text(plans: pd.DataFrame, ref: dict, lang: str) -> str:
    keys = figures.plain(figures.keyed(plans)["municipality_key"])  # a municipality is its EKATTE code
    loaded = [m for m, y in zip(keys, figures.plain(plans["year"]), strict=True) if y is not None]
    n_plans, n_munis = len(loaded), len(set(loaded) - {None})
    if ref["municipalities"]:
        text = t("completeness_count", lang, plans=n_plans, loaded=n_munis, total=ref["municipalities"])
    else:
        text = t("completeness_count_noref", lang, plans=n_plans, loaded=n_munis)
    return text + (" · " + t("built_at", lang, value=ref["built_at"]) if ref.get("built_at") else "")


@callback(
    Output("overview-kpis", "children"),
    Output("overview-counts", "children"),
    Output("overview-completeness-graph", "figure"),
    *FILTER_INPUTS,
    LANG_STATE,
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, lang):
    filters = (oblast, municipality, year, target_group, service_type)
    params = filter_params(*filters)
    headline = run_query("overview_headline", **params).iloc[0].to_dict()
    plans = run_query("completeness", **params)
    ref = run_query("reference_counts").iloc[0].to_dict()
    return (
        [kpi_cards(headline, search_for(lang, *filters), lang), headline_basis(headline, lang)],
        counts_text(plans, ref, lang),
        figures.completeness(plans, lang),
    )
