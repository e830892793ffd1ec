"""The page for an address that is no page (Dash pages shows the layout of the module named not_found_404), in the
UI's language (?lang=en); the server answers it with status 404 (app.py)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import navbar
from dashboard.i18n import t
from dashboard.state import query_string, state_from_query

dash.register_page(__name__, path="/404", name="404", order=99)


def layout(**query) -> html.Div:
    state = state_from_query(query)
    lang = state["lang"]
    return html.Div(
        [
            navbar("overview", state),
            dbc.Container(
                [
                    html.H1(t("not_found_title", lang), id="not-found-title", className="h3"),
                    html.P(t("not_found_text", lang)),
                    dcc.Link(t("not_found_home", lang), href=dash.get_relative_path("/") + query_string(state)),
                ],
                fluid=True,
                id="not-found-page",
            ),
            dcc.Store(id="filters-lang", data=lang),
            dcc.Store(id="html-lang"),
        ],
        lang=lang,
    )
