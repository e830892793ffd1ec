"""Page /municipality/<EKATTE municipality code>: one municipality's plans by year, its services and capacity
by setting and target group over time, funding mix, stated and observed changes, settlements reached and not
reached, places per 1,000 inhabitants against its oblast and the country, and its peers (neighbours and
municipalities of similar population in its oblast), one click from a comparison."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import PAGES, db_missing, graph, navbar, on_click, table
from dashboard.db import DatabaseMissing, database_available, remembered, run_query
from dashboard.i18n import fmt_number, t
from dashboard.municipality_figures import display_name, funding_over_time, over_time, per_capita
from dashboard.population import (
    POPULATION_DATE,
    neighbours,
    per_thousand,
    population,
    population_path,
    similar_population,
)
from dashboard.state import query_string

dash.register_page(__name__, path_template="/municipality/<code>", name="Община", order=90)




def page_path(code: str, lang: str = "bg") -> str:
    """The address of a municipality's page in `lang` ('/municipality/KNL48', '...?lang=en')."""
    return f"/municipality/{code}" + ("?lang=en" if lang == "en" else "")


@remembered
def names() -> dict[str, dict]:
    """code -> {municipality, name_en, oblast, oblast_en, has_plan, shared_name} of every municipality."""
    df = run_query("municipality_names")
    return {r["municipality_code"]: r for r in df.to_dict("records")}


def label_of(code: str, known: dict[str, dict], lang: str) -> str:
    row = known.get(code)
    if row is None:
        return code
    name, oblast = (row["name_en"], row["oblast_en"]) if lang == "en" else (row["municipality"], row["oblast"])
    return display_name(name, oblast, bool(row["shared_name"]))


def layout(code: str | None = None, **query) -> html.Div:
    lang = "en" if query.get("lang") == "en" else "bg"
    code = (code or "").strip().upper()
    state = {"lang": lang}
    here = f"/municipality/{code}" if code.isascii() and code.isalnum() else PAGES["overview"]
    if not database_available():
        content = [db_missing(lang)]
    else:
        try:
            content = body(code, lang)
        except DatabaseMissing:
            content = [db_missing(lang)]
    return html.Div(
        [navbar("municipality", state, here=here), dbc.Container(content, fluid=True, id="municipality-page"),
         dcc.Store(id="filters-lang", data=lang), dcc.Store(id="html-lang")],  # <html lang> (components.py)
        lang=lang,
    )


def not_found(code: str, lang: str) -> list:
    return [dbc.Alert([html.H2(t("muni_not_found_title", lang)), html.P(t("muni_not_found", lang, code=code)),
                       dcc.Link(t("muni_not_found_back", lang), href=PAGES["overview"] + query_string({"lang": lang}))],
                      color="warning", id="municipality-not-found")]


def body(code: str, lang: str) -> list:
    identity = run_query("municipality_identity", code=code) if code.isascii() and code.isalnum() else None
    if identity is None or identity.empty:
        return not_found(code, lang)
    me = identity.iloc[0].to_dict()
    if lang == "en" and me.get("name_en"):
        name, oblast = me["name_en"], me.get("oblast_en") or me.get("oblast")
    else:
        name, oblast = me["name"], me.get("oblast")
    heading = html.Div([
        html.H2(t("muni_title", lang, name=display_name(name, oblast, bool(me["shared_name"]))), id="municipality-title"),
        html.P(t("muni_oblast", lang, oblast=oblast) + f" · EKATTE {code}" if oblast else f"EKATTE {code}",
               className="text-muted"),
    ])
    plans = run_query("municipality_plans", code=code)
    if plans.empty:
        return [heading, dbc.Alert(t("muni_no_plans", lang), color="light"), peers_card(code, me, lang)]
    latest = plans.iloc[-1].to_dict()
    capacity = run_query("municipality_capacity", code=code)
    funding = run_query("municipality_funding", code=code)
    value = names().get(code, {}).get("municipality_value")  # its records on /data: a bar's link
    return [
        heading,
        card(t("muni_plans_title", lang), plans_table(plans, lang), "municipality-plans"),
        per_capita_card(code, latest, lang),
        chart(over_time(capacity, "setting", "capacity", lang, value), "capacity-setting", lang),
        chart(over_time(capacity, "target_group", "capacity", lang, value), "capacity-group", lang),
        chart(over_time(capacity, "target_group", "services", lang, value), "services-group", lang),
        chart(funding_over_time(funding, lang, value), "funding", lang),
        card(t("muni_changes_title", lang), changes_table(code, lang), "municipality-changes"),
        settlements_card(latest, lang),
        peers_card(code, me, lang),
    ]


def card(title: str, content, id_: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H5(title), content]), className="mb-3", id=id_)


# the charts whose bars stand for records: a click opens /data with them (assets/provenance.js)
CLICKABLE = ("capacity-setting", "capacity-group", "services-group", "funding")


def chart(fig: dict, name: str, lang: str) -> dbc.Card:
    """A chart of the page: named after its title, in the UI's language (components.graph); a click on a bar opens
    its records."""
    content = [graph(f"municipality-{name}-graph", lang, fig)]
    if name in CLICKABLE:
        content = [html.P(t("click_hint_records", lang), className="text-muted small mb-1"), *content,
                   dcc.Store(id=f"municipality-{name}-click")]
    return dbc.Card(dbc.CardBody(content), className="mb-3")


for _name in CLICKABLE:
    on_click(f"municipality-{_name}")


def plans_table(plans, lang: str):
    columns = [("year", "col_year", "text"), ("source_file", "col_source", "text"), ("items", "col_items", "number"),
               ("services", "col_services", "number"), ("capacity", "col_capacity", "number"),
               ("places", "col_places", "number")]
    return own_table(plans, columns, lang)


def own_table(df, columns, lang: str):
    return table(df, columns, lang)


def per_capita_card(code: str, latest: dict, lang: str) -> dbc.Card:
    people = population()
    if not people.available:
        notice = dbc.Alert(t("muni_per_capita_missing", lang, path=str(population_path())), color="info",
                           id="municipality-per-capita-missing")
        return card(t("muni_per_capita_title", lang), notice, "municipality-per-capita")
    year = int(latest["year"])
    places = latest.get("places")
    own = people.municipalities.get(code)
    value = per_thousand(places, own)
    if value is None:
        text = t("muni_per_capita_no_places", lang, year=year)
    else:
        text = t("muni_per_capita_text", lang, places=fmt_number(places, lang), year=year, people=fmt_number(own, lang),
                  date=POPULATION_DATE, value=fmt_number(value, lang, 1))
    areas = run_query("per_capita_areas", code=code, **people.bound())
    chart_ = graph("municipality-per-capita-graph", lang, per_capita(areas, lang))
    return card(t("muni_per_capita_title", lang),
                html.Div([html.P(text, id="municipality-per-capita-text"), chart_,
                          html.Small(t("muni_per_capita_basis", lang, date=POPULATION_DATE), className="text-muted")]),
                "municipality-per-capita")


def changes_table(code: str, lang: str):
    df = run_query("municipality_changes", code=code)
    if not df.empty:
        df = df.assign(origin=[t(f"muni_origin_{o}", lang) for o in df["origin"]],
                       service=[n if isinstance(n, str) else "" for n in df["name"]],
                       line=[f"{f}:{int(n)}" for f, n in zip(df["source_file"], df["source_line"], strict=True)])
    columns = [("year", "col_year", "text"), ("origin", "col_origin", "text"), ("event", "col_event", "label:status"),
               ("service", "col_name", "text"), ("capacity_before", "col_before", "number"),
               ("capacity", "col_after", "number"), ("line", "col_source", "text")]
    return own_table(df, columns, lang)


def settlements_card(latest: dict, lang: str) -> dbc.Card:
    year = int(latest["year"])
    title = t("muni_settlements_title", lang, year=year)
    people = population()
    df = run_query("municipality_settlements", plan_id=latest["plan_id"], **people.bound_settlements())
    if df.empty:
        return card(title, dbc.Alert(t("unserved_noref", lang), color="light"), "municipality-settlements")
    whole = int(df["whole_municipality"].iloc[0])
    notes = [html.P(t("muni_whole_municipality", lang, n=whole), className="small")] if whole else []
    if int(df["places_named"].iloc[0]) == 0:
        content = [dbc.Alert(t("muni_no_places_named", lang, year=year, n=len(df)), color="light",
                             id="municipality-no-places"), *notes]
        return card(title, html.Div(content), "municipality-settlements")

    def badges(rows) -> list:
        out = []
        for r in rows.to_dict("records"):
            name = r["name_en"] if lang == "en" and r.get("name_en") else r["name"]
            extra = f" · {t('muni_people', lang, n=fmt_number(r['population'], lang))}" if r.get("population") is not None \
                and r["population"] == r["population"] else ""
            out.append(dbc.Badge(f"{r['kind']} {name}{extra}", color="light", text_color="dark",
                                 className="me-1 mb-1 border"))
        return out

    reached, unreached = df[df["reached"]], df[~df["reached"]]
    content = [
        html.H6(t("muni_reached", lang, n=len(reached))), html.Div(badges(reached), id="municipality-reached"),
        html.H6(t("muni_not_reached", lang, n=len(unreached)), className="mt-2"),
        html.Div(badges(unreached), id="municipality-not-reached"), *notes,
    ]
    return card(title, html.Div(content), "municipality-settlements")


def peer_codes(code: str) -> tuple[list[str], list[str]]:
    """(neighbours, municipalities of similar population in the oblast, not already neighbours)."""
    people = population().municipalities
    near = neighbours().get(code, [])
    oblast_of = {c: c[:3] for c in set(people) | set(near) | {code}}  # the code's first three letters: its oblast
    similar = [c for c in similar_population(code, oblast_of, people, count=3 + len(near)) if c not in near][:3]
    return near, similar


def peers_card(code: str, me: dict, lang: str) -> dbc.Card:
    near, similar = peer_codes(code)
    if not near and not similar:
        return card(t("muni_peers_title", lang), dbc.Alert(t("muni_peers_missing", lang), color="light"), "municipality-peers")
    known = names()
    people = population().municipalities

    def links(codes: list[str], show_people: bool) -> html.Ul:
        items = []
        for c in codes:
            text = label_of(c, known, lang)
            if show_people and c in people:
                text += f" — {t('muni_people', lang, n=fmt_number(people[c], lang))}"
            if c in known and known[c]["has_plan"]:
                items.append(html.Li(dcc.Link(text, href=page_path(c, lang))))
            else:
                items.append(html.Li(f"{text} {t('muni_no_plan_mark', lang)}", className="text-muted"))
        return html.Ul(items)

    # the filter bar's values (a shared name, Бяла, is chosen by its code)
    mine = known.get(code, {}).get("municipality_value") or me["name"]
    compare = [mine] + [known[c]["municipality_value"] for c in [*near, *similar] if c in known and known[c]["has_plan"]]
    compare = list(dict.fromkeys(compare))
    search = query_string({"municipality": compare, "lang": lang})
    content = [
        html.H6(t("muni_neighbours", lang)), html.Div(links(near, False), id="municipality-neighbours"),
        html.H6(t("muni_similar", lang, date=POPULATION_DATE)), html.Div(links(similar, True), id="municipality-similar"),
    ]
    if len(compare) > 1:
        content.append(dbc.Button(t("muni_compare", lang), href=PAGES["capacity"] + search, color="primary", size="sm",
                                  id="municipality-compare"))
    return card(t("muni_peers_title", lang), html.Div(content), "municipality-peers")
