"""Presentation stage: the figures of the municipality page and the map's metrics (plain plotly dicts,
drawn with dashboard/figures.py's style; document text escaped with figures.escape)."""

from __future__ import annotations

import pandas as pd

from dashboard.figures import (
    BLUES,
    FUNDING_COLORS,
    SETTING_COLORS,
    SETTING_ORDER,
    empty,
    escape,
    figure,
    plain,
    ssa_break,
    style,
)
from dashboard.i18n import fmt_number, fmt_percent, label, t
from dashboard.population import POPULATION_DATE
from dashboard.state import link_query

METRICS = ("services", "capacity", "per_1000", "project_only", "change")
METRIC_COLUMNS = {"services": "services", "capacity": "capacity", "per_1000": "per_1000",
                  "project_only": "project_only_share", "change": "capacity_change"}
GROUP_COLORS = ["#1f6f8b", "#e07a1f", "#4c9a2a", "#b83b5e", "#6a4c93", "#8c6d31", "#2a9d8f", "#7f7f7f"]
DIVERGING = [[0, "#b83b5e"], [0.5, "#f7f7f7"], [1, "#1f6f8b"]]



def display_name(name: str, oblast: str | None, shared: bool) -> str:
    """A municipality's name, with its oblast when another municipality has the same name ('Бяла (Варна)')."""
    return f"{name} ({oblast})" if shared and oblast else name


def metric_title(metric: str, lang: str) -> str:
    return t(f"metric_{metric}", lang, date=POPULATION_DATE)


def _years(values: list) -> list[str]:
    return [str(int(y)) for y in values]


def over_time(df: pd.DataFrame, dim: str, measure: str, lang: str, municipality: str | None = None) -> dict:
    """Stacked bars per plan year (years as categories: uneven gaps are not drawn as even ones), one
    colour per category of `dim` (setting or target group); `measure` capacity or services. `municipality`: the
    filter bar's value of the municipality; a click on a bar then opens /data with the services behind it (that
    year's plan, that setting or target group)."""
    title = t("capacity_over_time" if measure == "capacity" else "services_over_time", lang,
               dim=t(f"by_{dim}", lang))
    if df.empty:
        return empty(title, lang)
    years = sorted({int(y) for y in plain(df["year"])})
    codes = list(dict.fromkeys(plain(df[dim])))
    if dim == "setting":
        codes = [c for c in SETTING_ORDER if c in codes] + [c for c in codes if c not in SETTING_ORDER]
    sums: dict[tuple, float] = {}
    for y, c, v in zip(plain(df["year"]), plain(df[dim]), plain(df[measure]), strict=True):
        if v is not None:
            sums[(int(y), c)] = sums.get((int(y), c), 0) + v
    data = []
    for n, code in enumerate(codes):
        name = escape(label(dim, code, lang))
        values = [sums.get((y, code)) for y in years]
        if all(v is None for v in values):
            continue
        colour = SETTING_COLORS.get(code) if dim == "setting" else GROUP_COLORS[n % len(GROUP_COLORS)]
        links = [link_query({"municipality": municipality, "year": y, dim: code, "only": "services"})
                 if municipality and code is not None and v is not None else "" for y, v in zip(years, values, strict=True)]
        data.append({"type": "bar", "name": name, "x": _years(years), "y": values, "marker": {"color": colour},
                     "customdata": links, "hovertemplate": f"{name} %{{x}}: %{{y}}<extra></extra>"})
    if not data:
        return empty(title, lang)
    axis_title = t("axis_capacity_units" if measure == "capacity" else "axis_services", lang)
    return figure(data, style(title, t("axis_plan_year", lang), axis_title, lang, barmode="stack",
                              xaxis={"type": "category"}, **ssa_break(_years(years), lang)))


def funding_over_time(df: pd.DataFrame, lang: str, municipality: str | None = None) -> dict:
    """Stacked bars: services per plan year by funding mix (one class, 'mixed', 'unknown'); a click on a bar opens
    /data with those services when `municipality` (the filter bar's value) is given."""
    title = t("funding_over_time", lang)
    if df.empty:
        return empty(title, lang)
    years = sorted({int(y) for y in plain(df["year"])})
    cells = {(int(y), m): v for y, m, v in zip(plain(df["year"]), plain(df["funding_mix"]), plain(df["services"]),
                                               strict=True)}
    data = []
    for mix in FUNDING_COLORS:
        values = [cells.get((y, mix)) for y in years]
        if all(v is None for v in values):
            continue
        name = escape(label("funding", mix, lang))
        links = [link_query({"municipality": municipality, "year": y, "funding_mix": mix, "only": "services"})
                 if municipality and v is not None else "" for y, v in zip(years, values, strict=True)]
        data.append({"type": "bar", "name": name, "x": _years(years), "y": values, "customdata": links,
                     "marker": {"color": FUNDING_COLORS[mix]}, "hovertemplate": f"{name} %{{x}}: %{{y}}<extra></extra>"})
    return figure(data, style(title, t("axis_plan_year", lang), t("axis_services", lang), lang, barmode="stack",
                              xaxis={"type": "category"}, **ssa_break(_years(years), lang)))


def per_capita(areas: pd.DataFrame, lang: str) -> dict:
    """Horizontal bars: places per 1,000 inhabitants of the municipality, its oblast and the country."""
    title = t("per_capita_chart", lang, date=POPULATION_DATE)
    if areas.empty:
        return empty(title, lang)
    names, values, texts = [], [], []
    for area, n, _first, last, value in zip(plain(areas["area"]), plain(areas["municipalities"]),
                                            plain(areas["first_year"]), plain(areas["last_year"]),
                                            plain(areas["per_1000"]), strict=True):
        key = f"area_{area}_one" if area != "municipality" and n == 1 else f"area_{area}"
        names.append(t(key, lang, n=n, year=last))
        values.append(value)
        texts.append(fmt_number(value, lang, 1))
    data = [{"type": "bar", "orientation": "h", "y": names, "x": values, "text": texts, "textposition": "auto",
             "marker": {"color": ["#1f6f8b", "#5fa8d3", "#b8b8b8"][: len(values)]},
             "hovertemplate": "%{y}: %{text}<extra></extra>"}]
    return figure(data, style(title, t("per_capita_axis", lang), "", lang, height=260,
                              yaxis={"autorange": "reversed", "type": "category"}))


def metric_map(df: pd.DataFrame, metric: str, geojson: str, codes: list[str], years: str, lang: str) -> dict:
    """Choropleth of the 265 municipalities coloured by one metric of their latest plan in the selection;
    municipalities without a value stay grey. The colour bar is titled with the metric; a change is
    coloured on a scale centred on 0 (less: red, more: blue)."""
    title = t("metric_map_title", lang, metric=metric_title(metric, lang), years=years)
    column = METRIC_COLUMNS[metric]
    outline = {
        "type": "choroplethmap", "geojson": geojson, "featureidkey": "properties.LAU_CODE", "locations": codes,
        "z": [0] * len(codes), "colorscale": [[0, "#f2f2f2"], [1, "#f2f2f2"]], "showscale": False,
        "hoverinfo": "skip", "marker": {"line": {"width": 0.4, "color": "#999"}},
    }
    rows = [(c, m, o, y, v) for c, m, o, y, v in zip(plain(df["municipality_code"]), plain(df["municipality"]),
                                                       plain(df["oblast"]), plain(df["year"]), plain(df[column]),
                                                       strict=True) if v is not None and c]
    layout = style(title, "", "", lang, height=560)
    layout["map"] = {"style": "white-bg", "center": {"lon": 25.4, "lat": 42.75}, "zoom": 5.6}
    layout["margin"] = {"l": 10, "r": 10, "t": 90, "b": 10}
    if not rows:
        return figure([outline], layout)
    values = [v for *_, v in rows]
    if metric == "project_only":
        shown = [fmt_percent(v, lang) for v in values]
        z, zmin, zmax = [v * 100 for v in values], 0, 100
        ticks = {"ticksuffix": " %"}
    else:
        decimals = 1 if metric == "per_1000" else 0
        shown = [fmt_number(v, lang, decimals) for v in values]
        z = values
        if metric == "change":
            bound = max(1, max(abs(v) for v in values))
            zmin, zmax = -bound, bound
        else:
            zmin, zmax = 0, max(1, max(values))
        ticks = {}
    text = [f"{escape(m)} ({escape(o)}), {t('map_hover_year', lang, year=int(y))}: {s}"
            for (_, m, o, y, _), s in zip(rows, shown, strict=True)]
    values_trace = {
        "type": "choroplethmap", "geojson": geojson, "featureidkey": "properties.LAU_CODE",
        "locations": [c for c, *_ in rows], "z": z, "zmin": zmin, "zmax": zmax, "text": text,
        "customdata": [c for c, *_ in rows],
        "colorscale": DIVERGING if metric == "change" else BLUES, "marker": {"line": {"width": 0.6}},
        "colorbar": {"title": {"text": metric_title(metric, lang), "side": "right"}, "thickness": 14, **ticks},
        "hovertemplate": "%{text}<extra></extra>",
    }
    return figure([outline, values_trace], layout)
