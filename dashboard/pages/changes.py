"""Page /changes: services that open, close, are planned, expanded, reduced or transformed."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

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
)
from dashboard.db import remembered, run_query
from dashboard.i18n import t
from dashboard.state import filter_params, filter_values

dash.register_page(__name__, path="/changes", name="Нови и закрити", order=4)

COMBINE = [("compare", "combine_compare"), ("sum", "combine_sum")]
COMBINE_INPUT = Input({"page": "changes", "view": "combine"}, "value")
COLUMNS = [
    ("year", "col_year", "text"),
    ("municipality_label", "col_municipality", "municipality"),
    ("event", "col_event", "label:status"),
    ("name", "col_name", "text"),
    ("capacity_before", "col_before", "number"),
    ("capacity", "col_after", "number"),
    ("origin_text", "col_origin", "text"),
    ("source", "col_source", "text"),
]


def body(state: dict) -> list:
    lang = state["lang"]
    combine = state["combine"] = view_choice(state, "combine", COMBINE)
    together = view_control("changes", "combine", COMBINE, combine, lang, label="combine")
    timeline, events = update(*filter_values(state), lang, combine)
    return [
        together,
        chart_card("changes", "timeline", lang, figure=timeline, click="records"),
        table_card("changes", "events", t("timeline_title", lang), events, lang),
    ]


def layout(**query) -> html.Div:
    return page_shell("changes", query, body)


on_click("changes-timeline")  # a bar: the records of the changes of its kind seen in its year


def with_origin(df, lang: str):
    """Adds the readable origin ('план' / 'сравнение на планове') and 'file:line' source columns."""
    origins = {o: t(f"origin_{o}", lang) for o in set(df["origin"].tolist())}
    return df.assign(
        origin_text=[origins[o] for o in df["origin"].tolist()],
        source=df["source_file"] + ":" + df["source_line"].astype("Int64").astype(str),
    )


@callback(
    Output("changes-timeline-graph", "figure"),
    Output("changes-events-table", "children"),
    *FILTER_INPUTS,
    LANG_STATE,
    COMBINE_INPUT,  # after the language: update(..., lang) draws the comparison
    prevent_initial_call=True,  # the page is drawn with them (body)
)
@remembered
def update(oblast, municipality, year, target_group, service_type, lang, combine="compare"):
    params = filter_params(oblast, municipality, year, target_group, service_type)
    combine = combine if combine in dict(COMBINE) else "compare"
    events = with_origin(run_query("changes", limit=TABLE_ROWS, **params), lang)
    return figures.timeline(run_query("changes_timeline", **params), lang, combine), table(events, COLUMNS, lang)
