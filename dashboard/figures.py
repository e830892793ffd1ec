"""Presentation stage: pure functions DataFrame -> plotly figure, one shared style.

Figures are plain dicts {"data": [...], "layout": {...}} (what plotly.js receives): building
plotly.graph_objects figures validates every property and cost 50-500 ms per figure, a dict costs
microseconds. Arrays are plain lists, so the figures are JSON as they are.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from plotly.colors import sequential

from dashboard.i18n import label, plotly_separators, t

COLORS = ["#1f6f8b", "#e07a1f", "#4c9a2a", "#b83b5e", "#6a4c93", "#8c6d31", "#2a9d8f", "#7f7f7f"]
FUNDING_COLORS = {
    "state_delegated": "#1f6f8b",
    "state_other": "#5fa8d3",
    "national_programme": "#6a4c93",
    "municipal": "#4c9a2a",
    "project": "#e07a1f",
    "other": "#8c6d31",
    "mixed": "#b8b8b8",
    "unknown": "#e0e0e0",
}
SETTING_COLORS = {
    "institution": "#b83b5e",
    "residential": "#e07a1f",
    "community": "#1f6f8b",
    "family": "#4c9a2a",
    "home": "#6a4c93",
}
SETTING_ORDER = ["institution", "residential", "family", "community", "home"]


def _scale(colours: list[str]) -> list[list]:
    """A plotly.py named colour scale spelled out (plotly.js knows only a few names, not e.g. Teal)."""
    return [[i / (len(colours) - 1), c] for i, c in enumerate(colours)]


BLUES = _scale(sequential.Blues)
TEAL = _scale(sequential.Teal)
AXIS = {"automargin": True, "gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#999"}
# more municipality-years than this in a selection: bars per year (summed over municipalities)
MAX_PLAN_SERIES = 8
MAX_PLAN_ROWS = 40
# a heatmap with more cells than this shows its numbers on hover and a colour scale, not in every cell:
# 265 municipalities × 14 years of labels are unreadable, and drawing them took the browser seconds
MAX_LABELLED_CELLS = 600


# Text from a plan document (municipality, settlement and service names...) shown in a chart must be shown
# literally: plotly.js reads its own HTML-like tags in every text it draws (ticks, hover, legends, titles,
# annotations), so a settlement named 'с. X <a href="https://evil.example">...</a>' was a live link and <sup>
# rendered. escape() makes such a text plain; plotly.js turns the entities back into the characters when it
# draws them. It is applied to the values once, where a figure takes them from a DataFrame, never to the
# product's own templates and titles (which use <br> on purpose).
def escape(text):
    """`text` with plotly.js's markup characters as entities ('<' -> '&lt;', '&' -> '&amp;'); None as None."""
    if not isinstance(text, str):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def template_safe(text: str) -> str:
    """An escaped value (escape()) written into a hover template itself: its '%' as an entity too, so that a
    name holding '%{x}' is not read as a placeholder."""
    return text.replace("%", "&#37;")


def escaped(values: list) -> list:
    return [escape(v) for v in values]


def cell_labels(rows: int, columns: int) -> dict:
    """The heatmap properties that show each cell's number: in the cell when few, else a colour scale."""
    if rows * columns <= MAX_LABELLED_CELLS:
        return {"showscale": False, "texttemplate": "%{z}"}
    return {"showscale": True, "colorbar": {"thickness": 12, "len": 0.5, "y": 1, "yanchor": "top"}}


def figure(data: list[dict], layout: dict) -> dict:
    fig = {"data": data, "layout": layout}
    if data:
        layout["margin"] = {**layout.get("margin", {}), **needed_margins(fig)}
    return fig


# Margins. plotly.js widens a margin its tick labels, legend or colour bar do not fit in (automargin), and
# then draws the whole chart again: every chart here was drawn twice, and the 265-municipality heatmap
# took 0.45 s instead of 0.23 s. So each figure asks up front for margins a little wider than it needs,
# from its labels' widths in Arial (which the house style names; Liberation Sans has the same metrics).
# automargin stays on: a label wider than estimated (another font, a narrow screen) still fits and only
# costs the redraw. Read off plotly.js 3 in Chromium (we add a few px to each):
# - left = the widest y tick label + 28 px, + 5 with an axis title;
# - a legend row is 19 px (+ 10), and the legend sits 3 % of the plot's height above it;
# - a colour bar of thickness 12 takes 56 px + its widest label;
# - a horizontal axis's last tick label overhangs the plot by half its width.
EM = {"digit": 0.556, "space": 0.278, "Ll": 0.45, "Lu": 0.69, "cyr_Ll": 0.56, "cyr_Lu": 0.7, "other": 0.4}
FIGURE_WIDTH = 1200  # px: the chart width legend rows are estimated for (narrower screens: a redraw)
LEGEND_ITEM_PX = 40  # a legend entry's symbol and gaps


def text_px(text: str, size: float = 12) -> float:
    """Estimated width of `text` in Arial at `size` px: each kind of character at its mean width in the
    charts' labels (lower-case Latin 0.45 em, Cyrillic 0.56 em, ...), plus 5 %."""
    return 1.05 * size * sum(_char_em(c) for c in text)


@functools.cache
def _char_em(c: str) -> float:
    if c.isdigit():
        return EM["digit"]
    if c.isspace():
        return EM["space"]
    kind = "cyr_" if "\u0400" <= c <= "\u04ff" else ""
    if c.isalpha():
        return EM[kind + ("Lu" if c.isupper() else "Ll")]
    return EM["other"]


def number_px(value: float, size: float = 12) -> float:
    """Width of the widest tick label of a linear axis up to `value`: plotly writes 12000 as "12k"."""
    digits = len(str(int(abs(value)))) if value == value else 1
    return text_px("-" * (value < 0) + ("8" * digits if digits <= 3 else "88.8k"), size)


def needed_margins(fig: dict) -> dict:
    """{"l", "r", "t"}: the margins a figure of style() needs for its y tick labels and title, legend and
    colour bar, as plotly.js would widen them; at least the ones the layout sets."""
    layout, data = fig["layout"], fig["data"]
    size = layout.get("font", {}).get("size", 12)
    margin = layout.get("margin", {})
    left, right, top = margin.get("l", 80), margin.get("r", 80), margin.get("t", 100)
    labels = [str(v) for trace in data for v in (trace.get("y") or []) if isinstance(v, str)]
    numbers = _y_numbers(data, layout)
    widest = max([text_px(v, size) for v in labels] + ([number_px(max(numbers, key=abs), size)] if numbers else []),
                 default=0)
    title = (layout.get("yaxis", {}).get("title") or {}).get("text")
    if labels or numbers:
        left = max(left, math.ceil(widest) + 32 + 5 * bool(title))
    x_numbers = [v for trace in data if trace.get("orientation") == "h" for v in trace.get("x") or []]
    if x_numbers:  # the last tick label is centred on the plot's right edge
        right = max(right, math.ceil(number_px(max(x_numbers, key=abs), size) / 2) + 14)
    for trace in data:
        if trace.get("type") in ("heatmap", "choroplethmap") and trace.get("showscale", True):
            bar = trace.get("colorbar", {})
            z = [v for row in trace.get("z") or [] for v in (row if isinstance(row, list) else [row]) if v is not None]
            bar_title = text_px((bar.get("title") or {}).get("text", ""), size)
            right = max(right, math.ceil(bar.get("thickness", 30) + 56 + max(number_px(max(z, default=0), size), bar_title)))
    names = [trace["name"] for trace in data if trace.get("name") and trace.get("showlegend", True)]
    if len(names) > 1 and layout.get("legend", {}).get("yanchor") == "bottom":
        rows, used, room = 1, 0.0, FIGURE_WIDTH - left - right
        for name in names:
            item = text_px(name, size) + LEGEND_ITEM_PX
            if used and used + item > room:
                rows, used = rows + 1, 0.0
            used += item
        plot = layout.get("height", 450) - margin.get("b", 80)  # the legend sits 3 % of the plot above it
        top = max(top, math.ceil((10 + 19 * rows + 13 + 0.03 * plot) / 1.03))
    return {"l": left, "r": right, "t": top}


def _y_numbers(data: list[dict], layout: dict) -> list[float]:
    """The numbers vertical traces put on the y axis (stacked bars: their sum per x)."""
    vertical = [trace for trace in data if trace.get("type") in ("bar", "scatter") and trace.get("orientation") != "h"]
    if layout.get("barmode") == "stack":
        sums: dict = {}
        for trace in vertical:
            for x, y in zip(trace.get("x") or [], trace.get("y") or [], strict=False):
                sums[x] = sums.get(x, 0) + (y or 0)
        return list(sums.values())
    return [y for trace in vertical for y in trace.get("y") or [] if isinstance(y, int | float)]


def style(
    title: str,
    x_title: str,
    y_title: str,
    lang: str,
    height: int = 420,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
    **layout,
) -> dict:
    """The house look as a layout dict: title, axis labels, source note, Bulgarian number format."""
    return {
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 16},
            "subtitle": {"text": t("source_note", lang), "font": {"size": 11, "color": "#666"}},
        },
        "height": height,
        "separators": plotly_separators(lang),
        "plot_bgcolor": "white",
        "font": {"family": "Arial, sans-serif", "size": 12},
        "margin": {"l": 10, "r": 10, "t": 115, "b": 50},
        "legend": {"orientation": "h", "y": 1.03, "yanchor": "bottom", "x": 0},
        "hoverlabel": {"namelength": -1},
        "xaxis": {**AXIS, "title": {"text": x_title}, **(xaxis or {})},
        "yaxis": {**AXIS, "title": {"text": y_title}, **(yaxis or {})},
        **layout,
    }


def empty(title: str, lang: str, message: str | None = None) -> dict:
    """An empty-state figure: the title and a message instead of a blank chart."""
    note = {
        "text": message or t("empty", lang),
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 16, "color": "#666"},
    }
    return figure(
        [],
        {
            "title": {"text": title, "x": 0.01},
            "annotations": [note],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "plot_bgcolor": "white",
            "height": 300,
            "meta": {"empty": True},
        },
    )


def is_empty(fig: dict) -> bool:
    return bool(fig["layout"].get("meta", {}).get("empty"))


def plan_label(df: pd.DataFrame) -> pd.Series:
    """'Дупница 2021' for each row (municipality + year), escaped for a chart (escape())."""
    return df["municipality"].map(escape) + " " + df["year"].astype(str)


def plain(series: pd.Series) -> list:
    """A column as Python values, missing ones (NaN, NA, None) as None: JSON-ready, in one pass. The
    figures below work on such lists; pandas operations cost ~0.3 ms each, which added up to 10-30 ms
    per figure."""
    values = series.tolist()
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":  # numpy ints and bools: never missing
        return values
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in values]


def add_up(keys: list[tuple], values: list) -> dict[tuple, float]:
    """Sums of values by key, keys in order of first appearance, as pandas' groupby sums them: a row with
    a missing key part is left out, a missing value counts as 0."""
    sums: dict[tuple, float] = {}
    for key, value in zip(keys, values, strict=True):
        if None not in key:
            sums[key] = sums.get(key, 0) + (0 if value is None else value)
    return sums


def completeness(df: pd.DataFrame, lang: str) -> dict:
    """Heatmap municipality × year; cell = rows extracted from that plan, blank = no plan."""
    title = t("completeness_title", lang)
    if df.empty:
        return empty(title, lang)
    municipalities = escaped(plain(df["municipality"]))
    loaded = [(m, int(y), n) for m, y, n in zip(municipalities, plain(df["year"]), plain(df["items"]), strict=True)
              if y is not None]
    rows = sorted(set(municipalities), reverse=True)
    years = sorted({y for _, y, _ in loaded})
    cells = {(m, y): n for m, y, n in loaded}
    z = [[cells.get((m, y)) for y in years] for m in rows]
    heat = {
        "type": "heatmap",
        "z": z,
        "x": [str(y) for y in years],
        "y": rows,
        "colorscale": BLUES,
        "xgap": 2,
        "ygap": 2,
        **cell_labels(len(rows), len(years)),
        "hovertemplate": "%{y} %{x}: %{z}<extra></extra>",
    }
    per_row = 28 if len(rows) <= 60 else 16
    return figure(
        [heat],
        style(
            title,
            t("axis_year", lang),
            t("axis_municipality", lang),
            lang,
            height=max(260, 60 + per_row * len(rows)),
            xaxis={"type": "category", "side": "top"},
            yaxis={"type": "category"},
        ),
    )


def _dimension_label(df: pd.DataFrame, dim: str, lang: str) -> pd.Series:
    """The category of each row, escaped for a chart (a service type's name, or a code's label, may come
    from a document)."""
    if dim == "service_type":
        return df["type_en" if lang == "en" else "type_bg"].map(escape)
    codes = df[dim].unique()
    return df[dim].map({c: escape(label(dim, c, lang)) for c in codes})


def _series(df: pd.DataFrame, lang: str) -> pd.Series:
    """'Дупница 2021' for rows of one plan; '2021 (265 общини)' for rows summed over a year's
    municipalities (municipality null, `municipalities` = how many; see queries/*_chart.sql)."""
    if df["municipality"].notna().all():
        return plan_label(df)
    names = {
        (y, n): t("series_year_one" if n == 1 else "series_year", lang, year=int(y), n=int(n))
        for y, n in set(zip(df["year"], df["municipalities"], strict=True))
    }
    return pd.Series(
        [names[k] for k in zip(df["year"], df["municipalities"], strict=True)], index=df.index, dtype=object
    )


def capacity_by(df: pd.DataFrame, dim: str, lang: str) -> dict:
    """Grouped horizontal bars: capacity per category of `dim`, one bar per municipality-year
    (per year, summed over the municipalities, when more than MAX_PLAN_SERIES plans are selected)."""
    title = t("capacity_title", lang, dim=t(f"dim_{dim}", lang))
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    keys = list(zip(plain(_series(df, lang)), plain(_dimension_label(df, dim, lang)), strict=True))
    sums = add_up(keys, plain(df["capacity"]))  # (series, category) -> capacity
    totals: dict[str, float] = {}
    for (_, category), value in sums.items():
        totals[category] = totals.get(category, 0) + value
    # categories by total, smallest first; ties in the order pandas' sort gives them (as drawn before)
    order = pd.Series(totals, dtype=float).sort_index().sort_values().index.tolist()
    rank = {c: i for i, c in enumerate(order)}
    traces = []
    for i, name in enumerate(sorted({series for series, _ in sums})):
        pairs = sorted((rank[c], c, v) for (series, c), v in sums.items() if series == name)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [c for _, c, _ in pairs],
                "x": [float(v) for _, _, v in pairs],
                "name": name,
                "marker": {"color": COLORS[i % len(COLORS)]},
                "hovertemplate": "%{y}<br>" + template_safe(name) + ": %{x:,.0f}<extra></extra>",
            }
        )
    height = max(360, 120 + 22 * len(order) * max(1, len(traces)) ** 0.5)
    return figure(
        traces,
        style(
            title,
            t("axis_capacity", lang),
            "",
            lang,
            height=int(height),
            barmode="group",
            yaxis={"categoryorder": "array", "categoryarray": order},
        ),
    )


def deinstitutionalisation(df: pd.DataFrame, lang: str) -> dict:
    """Lines over plan years: capacity in institutions versus residential and community settings."""
    title = t("di_title", lang)
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    traces = []
    rows = list(zip(plain(df["setting"]), plain(df["year"]), plain(df["capacity"]), strict=True))
    for setting in SETTING_ORDER:
        part = sorted(((year, capacity) for s, year, capacity in rows if s == setting), key=lambda r: r[0])
        if not part:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": [str(year) for year, _ in part],
                "y": [capacity for _, capacity in part],
                "mode": "lines+markers",
                "name": label("setting", setting, lang),
                "line": {"color": SETTING_COLORS[setting], "width": 4 if setting == "institution" else 2},
            }
        )
    # years in order: a category axis otherwise orders them as they first appear, trace by trace (2015, 2021,
    # 2020 when only a later trace has 2020)
    years = {"type": "category", "categoryorder": "category ascending"}
    return figure(traces, style(title, t("axis_year", lang), t("axis_capacity", lang), lang, xaxis=years))


def _by_class(df: pd.DataFrame, column: str, lang: str) -> dict[str, dict[str, float]]:
    """funding class -> {plan series: sum of `column`}."""
    keys = list(zip(plain(df["funding_mix"]), plain(_series(df, lang)), strict=True))
    out: dict[str, dict[str, float]] = {}
    for (cls, plan), value in add_up(keys, plain(df[column])).items():
        out.setdefault(cls, {})[plan] = value
    return out


def funding_mix(df: pd.DataFrame, measure: str, lang: str) -> dict:
    """100 % stacked bars per municipality-year (per year when many): funding classes by services or capacity."""
    title = t("funding_mix_title", lang, measure=t(f"measure_{measure}", lang))
    df = df[df[measure].fillna(0) > 0]
    if df.empty:
        return empty(title, lang)
    by_class = _by_class(df, measure, lang)
    totals: dict[str, float] = {}
    for part in by_class.values():
        for plan, value in part.items():
            totals[plan] = totals.get(plan, 0) + value
    plans = sorted(totals, reverse=True)
    traces = []
    for cls, colour in FUNDING_COLORS.items():
        part = by_class.get(cls)
        if not part:
            continue
        ys = [p for p in plans if p in part]  # no NaN gaps: they break plotly's stacking
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": ys,
                "x": [100 * float(part[p]) / float(totals[p]) for p in ys],
                "customdata": [float(part[p]) for p in ys],
                "name": label("funding", cls, lang),
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.1f} % (%{customdata:,.0f})<extra></extra>",
            }
        )
    return figure(
        traces,
        style(
            title,
            t("axis_share", lang),
            "",
            lang,
            height=max(300, 140 + 40 * len(plans)),
            barmode="stack",
            xaxis={"range": [0, 100]},
            yaxis={"categoryorder": "array", "categoryarray": plans},
        ),
    )


def amounts(df: pd.DataFrame, lang: str) -> dict:
    """Stacked bars of stated amounts (leva) per municipality-year (per year when many) by funding class."""
    title = t("amounts_title", lang)
    if df.empty:
        return empty(title, lang)
    by_class = _by_class(df, "amount_bgn", lang)
    plans = sorted({plan for part in by_class.values() for plan in part}, reverse=True)
    traces = []
    for cls, colour in FUNDING_COLORS.items():
        part = by_class.get(cls)
        if not part:
            continue
        ys = [p for p in plans if p in part]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": ys,
                "x": [float(part[p]) for p in ys],
                "name": label("funding", cls, lang),
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>",
            }
        )
    return figure(
        traces,
        style(
            title,
            t("axis_amount", lang),
            "",
            lang,
            height=max(300, 140 + 40 * len(plans)),
            barmode="stack",
            yaxis={"categoryorder": "array", "categoryarray": plans},
        ),
    )


def coverage(df: pd.DataFrame, plan: str, lang: str) -> dict:
    """Heatmap service type × settlement (number of services); municipality-wide services first.
    `plan`: the plan's label ('Дупница 2021'), from the document."""
    title = t("coverage_title", lang, plan=escape(plan))
    if df.empty:
        return empty(title, lang)
    whole = t("coverage_whole", lang)
    places = [whole if v is None else escape(v) for v in plain(df["settlement"])]
    services = escaped(plain(df["type_en" if lang == "en" else "type_bg"]))
    cells: dict[tuple, float] = {}
    for place, service, n in zip(places, services, df["services"].tolist(), strict=True):
        cells[(service, place)] = cells.get((service, place), 0) + n
    columns = sorted(set(places) - {whole})
    if whole in places:
        columns = [whole, *columns]
    rows = sorted(set(services), reverse=True)
    heat = {
        "type": "heatmap",
        "z": [[cells.get((r, c)) for c in columns] for r in rows],
        "x": columns,
        "y": rows,
        "colorscale": TEAL,
        "xgap": 2,
        "ygap": 2,
        **cell_labels(len(rows), len(columns)),
        "hovertemplate": "%{x} — %{y}: %{z}<extra></extra>",
    }
    return figure(
        [heat],
        style(
            title,
            t("axis_settlement", lang),
            t("axis_service_type", lang),
            lang,
            height=max(360, 160 + 26 * len(rows)),
            xaxis={"side": "top", "tickangle": -30, "type": "category"},
            yaxis={"type": "category"},
        ),
    )


def municipality_map(df: pd.DataFrame, geojson: str, codes: list[str], lang: str) -> dict:
    """Choropleth of the 265 municipalities: services in the latest selected plan of each.

    `geojson` is the URL the boundaries are served from (plotly.js fetches it once and the browser
    caches it), `codes` the LAU codes of all municipalities for the grey outline. Drawn with maplibre on
    a blank background: no tiles are fetched from the network.
    """
    title = t("map_title", lang)
    outline = {
        "type": "choroplethmap",
        "geojson": geojson,
        "featureidkey": "properties.LAU_CODE",
        "locations": codes,
        "z": [0] * len(codes),
        "colorscale": [[0, "#f2f2f2"], [1, "#f2f2f2"]],
        "showscale": False,
        "hoverinfo": "skip",
        "marker": {"line": {"width": 0.4, "color": "#999"}},
    }
    services = df["services"].tolist()
    values = {
        "type": "choroplethmap",
        "geojson": geojson,
        "featureidkey": "properties.LAU_CODE",
        "locations": df["municipality_code"].tolist(),
        "z": services,
        "zmin": 0,
        "zmax": max(1, int(max(services, default=0) or 0)),
        "text": escaped(plain(df["municipality"])),
        "colorscale": BLUES,
        "marker": {"line": {"width": 0.6}},
        "colorbar": {"title": {"text": t("axis_events", lang)}},
        "hovertemplate": "%{text}: %{z}<extra></extra>",
    }
    layout = style(title, "", "", lang, height=520)
    layout["map"] = {"style": "white-bg", "center": {"lon": 25.4, "lat": 42.75}, "zoom": 5.6}
    return figure([outline, values], layout)


TIMELINE_COLORS = {
    "new": "#4c9a2a",
    "appeared": "#8fc46a",
    "expanded": "#1f6f8b",
    "planned": "#5fa8d3",
    "transformed": "#6a4c93",
    "reduced": "#e07a1f",
    "closing": "#b83b5e",
    "disappeared": "#e38aa3",
}


def timeline(df: pd.DataFrame, lang: str) -> dict:
    """Stacked bars per year: services opening, expanding, reducing, closing, planned, transformed.

    `df`: year, event, events (counted in SQL).
    """
    title = t("timeline_title", lang)
    if df.empty:
        return empty(title, lang)
    by_event: dict[str, list[tuple[int, int]]] = {}  # one pass over the rows, not a mask per event
    for year, event, events in zip(df["year"].tolist(), df["event"].tolist(), df["events"].tolist(), strict=True):
        by_event.setdefault(event, []).append((int(year), int(events)))
    traces = []
    for event, colour in TIMELINE_COLORS.items():
        points = sorted(by_event.get(event, ()), key=lambda point: point[0])
        if points:
            traces.append(
                {
                    "type": "bar",
                    "x": [str(year) for year, _ in points],
                    "y": [events for _, events in points],
                    "name": label("status", event, lang),
                    "marker": {"color": colour},
                    "hovertemplate": "%{x}: %{y}<extra></extra>",
                }
            )
    return figure(
        traces,
        style(
            title,
            t("axis_year", lang),
            t("axis_events", lang),
            lang,
            barmode="stack",
            xaxis={"type": "category", "categoryorder": "category ascending"},
        ),
    )
