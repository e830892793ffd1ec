"""Presentation stage: the page shell (navbar, filter bar, URL sync) and shared building blocks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

import dash_bootstrap_components as dbc
import orjson
import pandas as pd
from dash import (
    ALL,
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
)

from dashboard import review_notice
from dashboard.db import (
    DatabaseMissing,
    constant,
    database_available,
    derived_outdated,
    is_synthetic,
    run_query,
)
from dashboard.figures import plain
from dashboard.i18n import dropdown_labels, fmt_number, graph_config, label, place_name, t
from dashboard.state import (
    FILTER_KEYS,
    NARROW_KEYS,
    query_string,
    state_from_query,
    validate_state,
    without_narrowing,
)

PAGES = {
    "overview": "/",
    "capacity": "/capacity",
    "funding": "/funding",
    "coverage": "/coverage",
    "changes": "/changes",
    "data": "/data",
}

# the charts that /embed/<name> draws alone (dashboard/pages/embed.py; the names of their downloads)
EMBEDS = ("overview-completeness", "capacity-by-group", "capacity-di", "funding-mix", "funding-amounts",
          "coverage-matrix", "coverage-map", "changes-timeline")
MUNICIPALITY_CODE = re.compile(r"[A-Z]{3}\d{2}")  # an EKATTE municipality code: the only text a table link is made of
TABLE_ROWS = 200  # rows of a page table (the rest: narrow the filters, or the chart's CSV)
FILTER_IDS = {key: "filters-" + key.replace("_", "-") for key in FILTER_KEYS}
FILTER_INPUTS = [Input(FILTER_IDS[key], "value") for key in FILTER_KEYS]
FILTER_STATES = [State(FILTER_IDS[key], "value") for key in FILTER_KEYS]
LANG_STATE = State("filters-lang", "data")
review_notice.register(FILTER_INPUTS, LANG_STATE)


def navbar(page: str, state: dict, here: str | None = None) -> dbc.Navbar:
    """Brand, one link per page (carrying the current query string) and the language toggle (to `here`, a page
    outside PAGES such as /municipality/<code>, when given)."""
    # a chart's click narrows /data only (NARROW_KEYS): the other pages' links do not carry it; the toggle does
    lang, search = state["lang"], query_string(without_narrowing(state))
    other = dict(state, lang="bg" if lang == "en" else "en")
    links = [
        dbc.NavLink(
            t(f"page_{name}", lang), href=path + search, active=name == page, id={"type": "nav", "page": name}
        )
        for name, path in PAGES.items()
    ]
    toggle = dbc.NavLink(
        t("other_lang", lang),
        href=(here or PAGES[page]) + query_string(other),
        id="nav-lang",
        className="ms-auto fw-bold",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(t("app_title", lang), href=PAGES["overview"] + search),
                # on a narrow screen the links fold under a menu button (Bootstrap's navbar collapse)
                html.Button(html.Span(className="navbar-toggler-icon"), id="navbar-toggler", type="button",
                            className="navbar-toggler", **{"aria-label": t("menu", lang)}),
                dbc.Collapse(
                    [dbc.Nav(links, navbar=True), dbc.Nav([toggle], navbar=True, className="ms-auto")],
                    id="navbar-collapse",
                    is_open=False,
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="lg",
        className="mb-3",
    )


def _options(df: pd.DataFrame, kind: str, lang: str) -> list[dict]:
    rows = df[df["kind"] == kind]
    if kind == "target_group":
        return [{"label": label("target_group", v, lang), "value": v} for v in rows["value"]]
    if kind == "year":
        return [{"label": v, "value": int(v)} for v in rows["value"]]
    col = "label_en" if lang == "en" else "label_bg"
    return [{"label": lab, "value": v} for v, lab in zip(rows["value"], rows[col], strict=True)]


def known_values(options: pd.DataFrame) -> dict[str, set]:
    """The values each filter accepts (from the filter_options query)."""
    known = {key: set(options.loc[options["kind"] == key, "value"]) for key in FILTER_KEYS}
    known["year"] = {int(v) for v in known["year"]}
    return known


@constant
def filter_choices(lang: str) -> dict[str, list[dict]]:
    """Each filter's dropdown options in `lang`, built once per database file (every page load needs them)."""
    options = run_query("filter_options")
    return {key: _options(options, key, lang) for key in FILTER_KEYS}


@constant
def accepted_values() -> dict[str, set]:
    """known_values of the database's filter options, once per database file."""
    return known_values(run_query("filter_options"))


def filter_bar(state: dict) -> dbc.Row:
    """The five shared filters, restored from the URL state."""
    lang = state["lang"]
    choices = filter_choices(lang)
    cols = [
        dbc.Col(
            [
                dbc.Label(t(f"filter_{key}", lang), html_for=FILTER_IDS[key], className="small mb-0"),
                dcc.Dropdown(
                    id=FILTER_IDS[key],
                    options=choices[key],
                    value=state[key],
                    multi=True,
                    placeholder=t("all", lang),
                    labels=dropdown_labels(lang),
                ),
            ],
            md=True,
        )
        for key in FILTER_KEYS
    ]
    return dbc.Row(cols, className="g-2 mb-3")


def db_missing(lang: str) -> dbc.Alert:
    return dbc.Alert(
        [html.H4(t("db_missing", lang)), html.P(t("db_missing_detail", lang))],  # no server path
        color="warning",
        id="db-missing",
    )


def synthetic_banner(lang: str) -> dbc.Alert:
    """Shown on every page when the database was built from a synthetic corpus (build_info synthetic)."""
    other = "en" if lang != "en" else "bg"
    return dbc.Alert(
        [html.Strong(t("synthetic", lang)), html.Span(" / " + t("synthetic", other), className="small")],
        color="danger",
        id="synthetic-banner",
        className="py-2 mb-2",
    )


def outdated_banner(lang: str) -> dbc.Alert:
    """Shown on every page when the database was built by another version of the ETL (db.derived_outdated)."""
    return dbc.Alert(t("db_outdated", lang), color="warning", id="outdated-banner", className="py-2 mb-2")


def url_notice(ignored: list[tuple[str, str]], lang: str) -> dbc.Alert:
    """The URL parameters that were ignored (unknown value, malformed year), named as the reader wrote them."""
    items = "; ".join(f"{t('filter_' + key, lang).lower()} = {value}" for key, value in ignored)
    return dbc.Alert(
        t("url_ignored", lang, items=items),
        color="warning",
        id="url-notice",
        dismissable=True,
        className="py-2 mb-2",
    )


def page_shell(page: str, query: dict, body: Callable[[dict], list]) -> html.Div:
    """The whole page: navbar, banners, filter bar, the page's own body, and the stores for the URL sync.

    Filter values from the URL that the database does not have (or a malformed year) are dropped
    with a notice; the page never fails on a hand-edited address.
    """
    state = state_from_query(query)
    known = None
    if database_available():
        try:
            known = accepted_values()
            synthetic, outdated = is_synthetic(), derived_outdated()
        except DatabaseMissing:
            known = None
    if known is not None:
        state, ignored = validate_state(state, known, query)
        if page != "data":  # what a chart's click narrows the records to is /data's only
            state = without_narrowing(state)
        content = [filter_bar(state), review_notice.slot(state), *body(state)]
        banners = [synthetic_banner(state["lang"])] if synthetic else []
        if outdated:
            banners.append(outdated_banner(state["lang"]))
        if ignored:
            banners.append(url_notice(ignored, state["lang"]))
        content = banners + content
    else:
        content = [db_missing(state["lang"])]
    return html.Div(
        [
            navbar(page, state),
            dbc.Container(content, fluid=True, id=f"{page}-page"),
            dcc.Store(id="filters-lang", data=state["lang"]),
            dcc.Store(id="filters-page", data=PAGES[page]),
            # the address of this view (filters dropped as unknown are gone, page options filled in): the
            # clientside callback below puts it in the address bar; sync_url keeps it up to date
            dcc.Store(id="url-search", data=query_string(state)),
            dcc.Store(id="url-sink"),
            dcc.Store(id="html-lang"),
        ],
        lang=state["lang"],
    )


def view_choice(state: dict, key: str, options: list[tuple[str, str]]) -> str:
    """The page option `key` from the URL state when it is one of the options, else the first option."""
    return state.get(key) if state.get(key) in dict(options) else options[0][0]


def view_control(
    page: str, key: str, options: list[tuple[str, str]], value: str, lang: str, label: str | None = None
) -> html.Div:
    """A page option (radio buttons) whose value lives in the URL under `key`, after its label if given."""
    radios = dbc.RadioItems(
        id={"page": page, "view": key},
        value=value,
        inline=True,
        options=[{"label": t(text, lang), "value": v} for v, text in options],
        className="mb-2",
    )
    if label is None:
        return radios
    return html.Div([html.Span(t(label, lang) + ": ", className="me-2"), radios], className="d-flex")


def chart_title(figure: dict | None) -> str:
    """A figure's title as plain text (its accessible name)."""
    text = ((figure or {}).get("layout", {}).get("title") or {}).get("text") or ""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def graph(graph_id: str, lang: str, figure: dict | None = None, **props) -> html.Div:
    """A dcc.Graph in the UI's language, with no button that sends it anywhere (i18n.graph_config), inside a
    role="figure" element named after the chart; assets/charts.js keeps that name and a visually hidden table of
    the chart's numbers (for screen readers) up to date, and keeps the chart's tool bar out of the tab order."""
    chart = dcc.Graph(id=graph_id, config=graph_config(lang), **({"figure": figure} if figure else {}), **props)
    numbers = html.Div(className="visually-hidden chart-table", **{"data-caption": t("chart_data", lang),
                                                                   "data-lang": lang})
    return html.Div([chart, numbers], role="figure", className="chart", **{"aria-label": chart_title(figure)})


def embed_box(chart: str, lang: str) -> list:
    """The "Вграждане" button and, when pressed, the <iframe> code of /embed/<chart> with the page's selection."""
    return [
        dbc.Button(t("embed", lang), id={"type": "embed-button", "chart": chart}, size="sm", color="secondary",
                   outline=True, className="ms-2"),
        dbc.Collapse(
            [
                html.P(t("embed_help", lang), className="small mt-2 mb-1"),
                dbc.Textarea(id={"type": "embed-code", "chart": chart}, readonly=True, rows=3,
                             className="font-monospace small"),
            ],
            id={"type": "embed-box", "chart": chart},
            is_open=False,
        ),
    ]


def on_click(chart: str, target: str = "open") -> None:
    """A click on a mark of the chart `<chart>-graph` opens what the mark stands for (assets/provenance.js): `open`,
    /data narrowed to the records behind it (the mark's link, figures.py); `municipality`, the page of the map's
    municipality. Called once by the page module; the chart's card holds the store `<chart>-click`
    (chart_card(click=...))."""
    clientside_callback(ClientsideFunction("provenance", target), Output(f"{chart}-click", "data"),
                        Input(f"{chart}-graph", "clickData"), State(f"{chart}-graph", "figure"),
                        prevent_initial_call=True)


def chart_card(page: str, name: str, lang: str, extra: Sequence = (), figure: dict | None = None,
               click: str | None = None) -> dbc.Card:
    """A chart with its own "download data" button (and "embed" for the charts of EMBEDS); ids
    `<page>-<name>-graph` / `-csv-button` / `-csv` (the file is streamed by /download/<page>-<name>.csv,
    dashboard/downloads.py).
    `figure`: the chart drawn with the page (no callback round trip, no empty chart drawn first).
    `click`: a click on a mark opens its records ("records") or its municipality's page ("municipality"): a hint
    above the chart and the store of on_click()."""
    chart = f"{page}-{name}"
    hint = [html.P(t(f"click_hint_{click}", lang), className="text-muted small mb-1"),
            dcc.Store(id=f"{chart}-click")] if click else []
    return dbc.Card(
        dbc.CardBody(
            [
                *extra,
                *hint,
                dcc.Loading(graph(f"{chart}-graph", lang, figure)),
                dbc.Button(
                    t("download", lang),
                    id=f"{chart}-csv-button",
                    size="sm",
                    color="secondary",
                    outline=True,
                ),
                *(embed_box(chart, lang) if chart in EMBEDS else []),
                dcc.Store(id=f"{chart}-csv"),
            ]
        ),
        className="mb-3",
    )


def table_card(page: str, name: str, title: str, content=None, lang: str | None = None) -> dbc.Card:
    """A titled card whose body `<page>-<name>-table` shows `content` (a `table(...)`), which the page's
    callback replaces when the filters change; with `lang`, a button downloading the whole table (every row of
    the selection, not only the rows shown: /download/<page>-<name>-table.csv, dashboard/downloads.py)."""
    button = []
    if lang is not None:
        button = [
            dbc.Button(t("download_table", lang), id=f"{page}-{name}-table-csv-button", size="sm", color="secondary",
                       outline=True, className="mt-2"),
            dcc.Store(id=f"{page}-{name}-table-csv"),
        ]
    return dbc.Card(dbc.CardBody([html.H5(title), html.Div(content, id=f"{page}-{name}-table"), *button]),
                    className="mb-3")


def _cell(value, kind: str, lang: str) -> str:
    if kind == "number":
        return fmt_number(value, lang)
    if kind.startswith("label:"):
        return label(kind[6:], value, lang)
    if kind == "place" and isinstance(value, str):
        return place_name(value, lang)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def with_source(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with a `source` column 'file:line' (two rows of one plan that read alike are told apart by the line)."""
    if df.empty:
        return df.assign(source=pd.Series(dtype=str))
    return df.assign(source=df["source_file"] + ":" + df["source_line"].astype("Int64").astype(str))


def table(df: pd.DataFrame, columns: Sequence[tuple[str, str, str]], lang: str, max_rows: int = TABLE_ROWS) -> html.Div:
    """A table of at most `max_rows` rows, with a notice saying how many there are; columns are
    (column, header text key, kind: text | number | place (a name; transliterated in English) | label:<kind> |
    municipality (a municipality as shown, 'Бяла (Варна)', transliterated in English, each a link to its page
    /municipality/<code> when the row has a `municipality_code`)).

    A plain HTML table, sortable by its headers, drawn in the browser by assets/page_tables.js from the JSON
    in one element's `data-table` attribute: the cells' display texts, and for a number column the numbers it
    sorts by. One Dash component per cell cost the browser ~45 s for 400 rows of html.Td on two cores, and two
    small AG Grids 0.4-0.5 s of a national page's main thread. The script puts every text in as text, never as
    HTML, so a document's text always shows as written.
    """
    if df.empty:
        return dbc.Alert(t("empty", lang), color="light", className="empty-state")
    shown = df.head(max_rows)
    heads, rows, numbers, links = [], [[] for _ in range(len(shown))], [], []
    for col, key, kind in columns:
        values = plain(shown[col])
        codes = None
        if kind == "municipality":
            kind = "place"
            if "municipality_code" in shown:
                codes = [c if isinstance(c, str) and MUNICIPALITY_CODE.fullmatch(c) else None
                         for c in plain(shown["municipality_code"])]
        if kind.startswith("label:"):
            names = {v: label(kind[6:], v, lang) for v in set(values)}
            texts = [names[v] for v in values]
        else:
            texts = [_cell(v, kind, lang) for v in values]
        heads.append({"header": t(key, lang), "number": kind == "number"})
        numbers.append(values if kind == "number" else None)
        links.append(codes)
        for row, text in zip(rows, texts, strict=True):
            row.append(text)
    spec = {"lang": lang, "columns": heads, "rows": rows, "numbers": numbers, "links": links,
            "sortHint": t("sort_hint", lang)}
    grid = html.Div(className="page-table", **{"data-table": orjson.dumps(spec).decode()})
    total = int(df["total_rows"].iloc[0]) if "total_rows" in df else len(df)
    if total > len(shown):
        notice = html.Small(t("table_truncated", lang, shown=len(shown), total=total), className="text-muted")
        return html.Div([grid, notice])
    return grid


@callback(
    Output("url-search", "data"),
    Output({"type": "nav", "page": ALL}, "href"),
    Output("nav-lang", "href"),
    *FILTER_INPUTS,
    Input({"page": ALL, "view": ALL}, "value"),
    State({"page": ALL, "view": ALL}, "id"),
    State({"type": "nav", "page": ALL}, "id"),
    LANG_STATE,
    State("filters-page", "data"),
    State("url-search", "data"),
    prevent_initial_call=True,  # the page is drawn with its links and address (page_shell)
)
def sync_url(
    oblast, municipality, year, target_group, service_type, view_values, view_ids, nav_ids, lang, path, current=None
):
    """Filters and page options -> the query string, the nav links and the language toggle. On /data, what a
    chart's click narrowed the records to (NARROW_KEYS, fixed for the page's life) stays in the address, as it
    stays on the grid; the links to the other pages drop it."""
    state = dict(zip(FILTER_KEYS, (oblast, municipality, year, target_group, service_type), strict=True))
    state.update({vid["view"]: value for vid, value in zip(view_ids, view_values, strict=True)})
    state["lang"] = lang
    if path == PAGES["data"] and isinstance(current, str):
        previous = state_from_query(parse_qs(current.lstrip("?")))
        state.update({key: previous[key] for key in NARROW_KEYS})
    search = query_string(state_from_query({k: v for k, v in state.items() if v}))
    other = query_string(
        state_from_query({**{k: v for k, v in state.items() if v}, "lang": "bg" if lang == "en" else "en"})
    )
    nav = query_string(without_narrowing(state_from_query({k: v for k, v in state.items() if v})))
    return search, [PAGES[n["page"]] + nav for n in nav_ids], path + other


# The URL bar follows the view without a page reload (replaceState: no new history entry).
clientside_callback(
    """function (search) {
        if (search === undefined || search === null) { return window.dash_clientside.no_update; }
        if (window.location.search !== search) {
            window.history.replaceState(null, '', window.location.pathname + search);
        }
        return search;
    }""",
    Output("url-sink", "data"),
    Input("url-search", "data"),
)


# <html lang> follows the UI's language (the page's store; the embed page has one too).
clientside_callback(
    """function (lang) {
        if (lang) { document.documentElement.lang = lang; }
        return window.dash_clientside.no_update;
    }""",
    Output("html-lang", "data"),
    Input("filters-lang", "data"),
)

# "Вграждане": the <iframe> code of the chart's /embed/ page with the view's query string, opened and closed
# by the button, kept up to date with the selection while open.
clientside_callback(
    """function (clicks, search, open, id) {
        const ctx = window.dash_clientside.callback_context;
        const pressed = ctx.triggered.some(t => t.prop_id.endsWith('.n_clicks'));
        const config = JSON.parse(document.getElementById('_dash-config').textContent);
        const src = window.location.origin + config.requests_pathname_prefix + 'embed/' + id.chart + (search || '');
        const quote = s => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
        const code = '<iframe src="' + quote(src) + '" title="' + quote(document.title) +
            '" width="100%" height="520" style="border:0" loading="lazy"></iframe>';
        return [code, pressed ? !open : open];
    }""",
    Output({"type": "embed-code", "chart": MATCH}, "value"),
    Output({"type": "embed-box", "chart": MATCH}, "is_open"),
    Input({"type": "embed-button", "chart": MATCH}, "n_clicks"),
    Input("url-search", "data"),
    State({"type": "embed-box", "chart": MATCH}, "is_open"),
    State({"type": "embed-button", "chart": MATCH}, "id"),
    prevent_initial_call=True,
)


# The menu button of a narrow screen opens and closes the navbar's links.
clientside_callback(
    """function (clicks, open) { return clicks ? !open : open; }""",
    Output("navbar-collapse", "is_open"),
    Input("navbar-toggler", "n_clicks"),
    State("navbar-collapse", "is_open"),
    prevent_initial_call=True,
)
