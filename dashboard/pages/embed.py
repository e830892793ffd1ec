"""Page /embed/<chart>?<a page's query string>: one chart alone, for an <iframe> on another site.

The chart (named as its download, e.g. `capacity-by-group`) is drawn as on its page for the same query string
(filters, page options, language), with its title, the source line and a link back to the page; no navbar, no
filter bar. These are the only pages another site may frame (app.py: the framing rule). The "Вграждане" button of
each chart gives the code (dashboard/components.py embed_box).
"""

from __future__ import annotations

from collections.abc import Callable

import dash
from dash import dcc, html

from dashboard.components import EMBEDS, PAGES, accepted_values, graph
from dashboard.db import DatabaseMissing, database_available
from dashboard.i18n import t
from dashboard.state import filter_values, query_string, state_from_query, validate_state

dash.register_page(__name__, path_template="/embed/<chart>", name="Вграждане", order=90,
                   title="Социални услуги в общините — графика")


# The pages are imported when a chart is drawn, not when this module is: Dash imports every page module of the
# folder itself, and an import from here before its turn would run the page's module (and its callbacks) twice.
def _capacity(state: dict, index: int) -> dict:
    from dashboard.components import view_choice  # noqa: PLC0415
    from dashboard.pages import capacity  # noqa: PLC0415

    dim = state["dim"] = view_choice(state, "dim", capacity.DIMENSIONS)
    combine = state["combine"] = view_choice(state, "combine", capacity.COMBINE)
    return capacity.update(*filter_values(state), dim, state["lang"], combine)[index]


def _funding(state: dict, index: int) -> dict:
    from dashboard.components import view_choice  # noqa: PLC0415
    from dashboard.pages import funding  # noqa: PLC0415

    measure = state["measure"] = view_choice(state, "measure", funding.MEASURES)
    combine = state["combine"] = view_choice(state, "combine", funding.COMBINE)
    return funding.update(*filter_values(state), measure, state["lang"], combine)[index]


def _changes(state: dict) -> dict:
    from dashboard.components import view_choice  # noqa: PLC0415
    from dashboard.pages import changes  # noqa: PLC0415

    combine = state["combine"] = view_choice(state, "combine", changes.COMBINE)
    return changes.update(*filter_values(state), state["lang"], combine)[0]


def _overview(state: dict) -> dict:
    from dashboard.pages import overview  # noqa: PLC0415

    return overview.update(*filter_values(state), state["lang"])[2]


def _coverage_matrix(state: dict) -> dict:
    from dashboard.pages import coverage  # noqa: PLC0415

    _, _, options, plan = coverage.plan_options(*filter_values(state), None, state.get("plan"))
    state["plan"] = plan
    name = next((o["label"] for o in options if o["value"] == plan), plan or "")
    return coverage.plan_coverage(plan, name, state["target_group"], state["service_type"], state["lang"])[0]


def _coverage_map(state: dict) -> dict:
    from dashboard.pages import coverage  # noqa: PLC0415

    return coverage.update_map(*filter_values(state), state["lang"])[0]


DRAW: dict[str, Callable[[dict], dict]] = {
    "overview-completeness": _overview,
    "capacity-by-group": lambda state: _capacity(state, 0),
    "capacity-di": lambda state: _capacity(state, 3),
    "funding-mix": lambda state: _funding(state, 0),
    "funding-amounts": lambda state: _funding(state, 2),
    "coverage-matrix": _coverage_matrix,
    "coverage-map": _coverage_map,
    "changes-timeline": _changes,
}
assert set(DRAW) == set(EMBEDS)


def page_of(chart: str) -> str:
    """'capacity-by-group' -> '/capacity'."""
    return PAGES[chart.split("-", 1)[0]]


def layout(chart: str | None = None, **query) -> html.Div:
    state = state_from_query(query)
    lang = state["lang"]
    stores = [dcc.Store(id="filters-lang", data=lang), dcc.Store(id="html-lang")]
    if chart not in DRAW:
        message = html.P(t("embed_unknown", lang, name=str(chart)), id="embed-unknown", className="m-3")
        return html.Div([message, *stores], lang=lang)
    if not database_available():
        return html.Div([html.P(t("db_missing", lang), className="m-3"), *stores], lang=lang)
    try:
        state, _ = validate_state(state, accepted_values(), query)
        figure = DRAW[chart](state)
    except DatabaseMissing:
        return html.Div([html.P(t("db_missing", lang), className="m-3"), *stores], lang=lang)
    back = dash.get_relative_path(page_of(chart)) + query_string(state)
    return html.Div(
        [
            graph("embed-graph", lang, figure, responsive=True),
            html.P(
                [
                    html.Span(t("source_note", lang) + " · "),
                    html.A(t("embed_back", lang), href=back, target="_blank", rel="noopener", id="embed-back"),
                ],
                className="small text-muted mx-2 mb-1",
            ),
            *stores,
        ],
        id="embed-page",
        className="embed",
        lang=lang,
    )
