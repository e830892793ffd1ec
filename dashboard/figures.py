"""Presentation stage: pure functions DataFrame -> plotly figure, one shared style.

Figures are plain dicts {"data": [...], "layout": {...}} (what plotly.js receives): building
plotly.graph_objects figures validates every property and cost 50-500 ms per figure, a dict costs
microseconds. Arrays are plain lists, so the figures are JSON as they are.
"""

from __future__ import annotations

import functools
import math
import zlib

import numpy as np
import pandas as pd
from plotly.colors import qualitative, sequential

from dashboard.i18n import label, place_name, plotly_separators, t
from dashboard.state import link_query

# Colours. A municipality and a year keep their colour on every page: the colour is chosen from the name or the
# year, never from the series' place in a chart. 24 colours that stay apart on white (plotly's Dark24).
PALETTE = list(qualitative.Dark24)
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
# numbers on the axes in full, with the language's separators ("12 000", not plotly's "12k"); an axis reaching 100 000
# writes them short in the UI's language ("100 хил.": large_number_ticks)
AXIS = {"automargin": True, "gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#999", "exponentformat": "none",
        "separatethousands": True}
# Comparisons. Several municipalities are compared, never added up unless the reader asks for it (combine=sum):
# - capacity bars: one series per plan when one municipality is chosen, else one per municipality (its latest plan
#   in the selection), up to MAX_COMPARE municipalities;
# - funding bars: one row per plan up to MAX_PLAN_ROWS plans, else one per municipality (its latest plan);
# - more municipalities than that: each year's total, said so in the chart.
MAX_COMPARE = 12
MAX_PLAN_ROWS = 40
# the page queries give one row per plan when the selection has at most this many plans (else per year, summed)
MAX_COMPARE_PLANS = 14 * MAX_PLAN_ROWS
MAX_PLAN_SERIES = MAX_COMPARE_PLANS  # (the name the capacity query's callers used)
COMBINE = ("compare", "sum")
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


def name_colour(name: str) -> str:
    """The colour of a municipality (or any named series) wherever it is drawn: from its name alone."""
    return PALETTE[zlib.crc32(str(name).encode("utf-8")) % len(PALETTE)]


def year_colour(year: int) -> str:
    """The colour of a plan year on every page: fourteen consecutive years have fourteen different colours."""
    return PALETTE[int(year) % len(PALETTE)]


def colours_for(names: list[str]) -> dict[str, str]:
    """name -> colour for the municipalities of one chart: each its name_colour(), except that when two of them
    would share one, the later (in alphabetical order) takes the next colour not yet used in the chart. The same
    selection gets the same colours on every page."""
    out: dict[str, str] = {}
    for name in sorted(set(names)):
        start = PALETTE.index(name_colour(name))
        used = set(out.values())
        out[name] = next((PALETTE[(start + k) % len(PALETTE)] for k in range(len(PALETTE))
                          if PALETTE[(start + k) % len(PALETTE)] not in used), PALETTE[start])
    return out


def keyed(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with each row's municipality as `municipality_key`, its identity (its EKATTE code; its name without
    EKATTE), and `municipality_label`, as it is shown ('Бяла (Варна)' where two municipalities share the name).
    Series, colours and rows are keyed by municipality_key: two municipalities of one name are never one series."""
    names = df["municipality"] if "municipality" in df else pd.Series(None, index=df.index, dtype=object)
    codes = df["municipality_code"] if "municipality_code" in df else pd.Series(None, index=df.index, dtype=object)
    labels = df["municipality_label"] if "municipality_label" in df else names
    return df.assign(municipality_key=codes.where(codes.notna(), names), municipality_label=labels.where(labels.notna(), names))


def shown_names(df: pd.DataFrame, lang: str) -> dict:
    """municipality_key -> the municipality's name as shown in `lang` (keyed() rows), not escaped."""
    return {k: place_name(n, lang) for k, n in zip(plain(df["municipality_key"]), plain(df["municipality_label"]), strict=True)
            if k is not None}


def all_years(years) -> list[str]:
    """Every year from the first to the last as category labels: a year without a plan keeps its place on the axis
    (2015, 2016, ... 2020, not 2015 next to 2020)."""
    years = [int(y) for y in years if y is not None]
    return [str(y) for y in range(min(years), max(years) + 1)] if years else []


def cell_labels(rows: int, columns: int) -> dict:
    """The heatmap properties that show each cell's number: in the cell when few, else a colour scale."""
    if rows * columns <= MAX_LABELLED_CELLS:
        return {"showscale": False, "texttemplate": "%{z}"}
    return {"showscale": True, "colorbar": {"thickness": 12, "len": 0.5, "y": 1, "yanchor": "top"}}


# The Social Services Act (Закон за социалните услуги, ДВ бр. 24/2019) came into force on 1 July 2020: plans up to
# the one for 2020 were made under the Social Assistance Act, the plans from 2021 under the new Act. Years are
# categories, so the break is drawn between the 2020 and 2021 categories (between the last year before 2021 and the
# first from 2021 on an axis that skips years), never on a year's own bar.
SSA_FIRST_YEAR = 2021


def ssa_break(categories: list, lang: str) -> dict:
    """The layout's `shapes` and `annotations` marking the Social Services Act's start on a category axis of years
    (`categories` in axis order: '2019', '2020', '2021' ... or a two-level axis's first level); {} when every year
    is on one side of it."""
    years = [int(c) for c in categories]
    before = sum(1 for y in years if y < SSA_FIRST_YEAR)
    if before == 0 or before == len(years):
        return {}
    x = before - 0.5
    line = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "name": "ssa-break",
            "line": {"color": "#555", "width": 1.5, "dash": "dot"}}
    note = {"x": x, "xref": "x", "y": 1, "yref": "paper", "text": t("ssa_break", lang), "showarrow": False,
            "xanchor": "left", "yanchor": "bottom", "font": {"size": 10, "color": "#555"}, "name": "ssa-break"}
    return {"shapes": [line], "annotations": [note]}


def figure(data: list[dict], layout: dict) -> dict:
    fig = {"data": data, "layout": layout}
    if data:
        large_number_ticks(fig)
        layout["margin"] = {**layout.get("margin", {}), **needed_margins(fig)}
    return fig


# Large numbers on an axis. Hovers and tables write every number in full ("244 440"); an axis whose values reach
# LARGE_AXIS writes its tick labels short, in the UI's language: "100 хил.", "1,5 млн." ("100k", "1.5M" in
# English), by plotly's documented tickvals/ticktext (plotly.js's own abbreviation, "100k", is English only).
LARGE_AXIS = 100_000
SHORT_UNITS = {"bg": ((1_000_000, "млн."), (1_000, "хил.")), "en": ((1_000_000, "M"), (1_000, "k"))}


def short_number(value: float, lang: str) -> str:
    """A tick label: 250000 -> '250 хил.' / '250k', 1500000 -> '1,5 млн.' / '1.5M', 0 -> '0'; below 1 000 in full."""
    lang = "en" if lang == "en" else "bg"
    for size, unit in SHORT_UNITS[lang]:
        if abs(value) >= size:
            text = f"{value / size:.2f}".rstrip("0").rstrip(".")
            if lang == "en":
                return text + unit
            return text.replace(".", ",") + " " + unit
    return f"{value:g}".replace(".", "," if lang == "bg" else ".")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering [low, high] and 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    raw = (high - low) / count or 1.0
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [k * step for k in range(first, last + 1)]


def axis_numbers(data: list[dict], layout: dict, axis: str) -> list[float]:
    """The numbers the traces put on the `axis` ('x' or 'y') of a figure: bars and lines along it (stacked bars:
    their sums)."""
    if axis == "y":
        return _y_numbers(data, layout)
    horizontal = [trace for trace in data if trace.get("type") == "bar" and trace.get("orientation") == "h"]
    if layout.get("barmode") == "stack":
        sums: dict = {}
        for trace in horizontal:
            for y, x in zip(trace.get("y") or [], trace.get("x") or [], strict=False):
                sums[y] = sums.get(y, 0) + (x or 0)
        return list(sums.values())
    return [x for trace in horizontal for x in trace.get("x") or [] if isinstance(x, int | float)]


def large_number_ticks(fig: dict) -> None:
    """Writes short tick labels (short_number) on each axis of `fig` whose values reach LARGE_AXIS, unless the
    figure sets its own ticks or range (a share axis 0-100); a colour bar writes its numbers in full, short from
    LARGE_AXIS."""
    layout, data = fig["layout"], fig["data"]
    lang = "en" if layout.get("separators") == ".," else "bg"
    for axis in ("x", "y"):
        settings = layout.get(f"{axis}axis")
        if not isinstance(settings, dict) or "tickvals" in settings or "range" in settings:
            continue
        numbers = [v for v in axis_numbers(data, layout, axis) if v is not None and v == v]
        if not numbers or max(abs(v) for v in numbers) < LARGE_AXIS:
            continue
        ticks = nice_ticks(min(numbers), max(numbers))
        settings.update(tickmode="array", tickvals=ticks, ticktext=[short_number(v, lang) for v in ticks])
    for trace in data:  # colour bars: numbers in full (plotly's default writes "10k"), short from LARGE_AXIS
        if trace.get("type") not in ("heatmap", "choroplethmap") or not trace.get("showscale", True):
            continue
        bar = trace.setdefault("colorbar", {})
        bar.setdefault("exponentformat", "none")
        bar.setdefault("separatethousands", True)
        z = [v for row in trace.get("z") or [] for v in (row if isinstance(row, list) else [row])
             if isinstance(v, int | float) and v == v]
        low, high = trace.get("zmin", min(z, default=0)), trace.get("zmax", max(z, default=0))
        if "tickvals" not in bar and max(abs(low), abs(high)) >= LARGE_AXIS:
            ticks = [v for v in nice_ticks(low, high) if low <= v <= high]
            bar.update(tickmode="array", tickvals=ticks, ticktext=[short_number(v, lang) for v in ticks])


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
    """Width of the widest tick label of a linear axis up to `value`, written in full with a thousands separator
    (AXIS: exponentformat none, so 12000 is "12 000", never "12k")."""
    digits = len(str(int(abs(value)))) if value == value else 1
    return text_px("-" * (value < 0) + "8" * digits + " " * ((digits - 1) // 3), size)


def needed_margins(fig: dict) -> dict:
    """{"l", "r", "t"}: the margins a figure of style() needs for its y tick labels and title, legend and
    colour bar, as plotly.js would widen them; at least the ones the layout sets."""
    layout, data = fig["layout"], fig["data"]
    size = layout.get("font", {}).get("size", 12)
    margin = layout.get("margin", {})
    left, right, top = margin.get("l", 80), margin.get("r", 80), margin.get("t", 100)
    labels = [str(v) for trace in data for v in (trace.get("y") or []) if isinstance(v, str)]
    numbers = _y_numbers(data, layout)
    y_ticks = [str(v) for v in layout.get("yaxis", {}).get("ticktext") or []]  # short labels (large_number_ticks)
    widest = max([text_px(v, size) for v in labels + y_ticks]
                 + ([number_px(max(numbers, key=abs), size)] if numbers and not y_ticks else []), default=0)
    title = (layout.get("yaxis", {}).get("title") or {}).get("text")
    if labels or numbers:
        left = max(left, math.ceil(widest) + 32 + 5 * bool(title))
    x_numbers = [v for trace in data if trace.get("orientation") == "h" for v in trace.get("x") or []]
    x_ticks = [str(v) for v in layout.get("xaxis", {}).get("ticktext") or []]
    if x_ticks:  # short labels (large_number_ticks): the last one may stand at the plot's right edge
        right = max(right, math.ceil(text_px(x_ticks[-1], size) / 2) + 14)
    elif x_numbers:  # the last tick label is centred on the plot's right edge
        right = max(right, math.ceil(number_px(max(x_numbers, key=abs), size) / 2) + 14)
    for trace in data:
        if trace.get("type") in ("heatmap", "choroplethmap") and trace.get("showscale", True):
            bar = trace.get("colorbar", {})
            z = [v for row in trace.get("z") or [] for v in (row if isinstance(row, list) else [row]) if v is not None]
            bar_title = text_px((bar.get("title") or {}).get("text", ""), size)
            labels = max((text_px(str(v), size) for v in bar.get("ticktext") or []), default=None)  # short labels
            widest = number_px(max(z, default=0), size) if labels is None else labels
            right = max(right, math.ceil(bar.get("thickness", 30) + 56 + max(widest, bar_title)))
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
            xs = trace.get("x") or []
            if xs and isinstance(xs[0], list):  # a two-level axis: [[years], [municipalities]]
                xs = list(zip(*xs, strict=True))
            for x, y in zip(xs, trace.get("y") or [], strict=False):
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
    note: str | None = None,
    **layout,
) -> dict:
    """The house look as a layout dict: title, axis labels, source note (and `note`: how the series were formed,
    under it), the language's number format."""
    subtitle = t("source_note", lang) + ("<br>" + note if note else "")
    margin = {"l": 10, "r": 10, "t": 115 + 16 * bool(note), "b": 50}
    return {
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 16},
            "subtitle": {"text": subtitle, "font": {"size": 11, "color": "#666"}},
        },
        "height": height,
        "separators": plotly_separators(lang),
        "plot_bgcolor": "white",
        "font": {"family": "Arial, sans-serif", "size": 12},
        "margin": margin,
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


def plan_label(df: pd.DataFrame, lang: str = "bg") -> pd.Series:
    """'Дупница 2021' for each row (municipality + year; 'Dupnitsa 2021' in English), escaped for a chart."""
    df = keyed(df)
    names = {k: escape(n) for k, n in shown_names(df, lang).items()}
    return df["municipality_key"].map(names) + " " + df["year"].astype(str)


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
    df = keyed(df)
    municipalities = escaped([place_name(m, lang) for m in plain(df["municipality_label"])])
    loaded = [(m, int(y), n, v) for m, y, n, v in zip(municipalities, plain(df["year"]), plain(df["items"]),
                                                      filter_values(df), strict=True)
              if y is not None]
    rows = sorted(set(municipalities), reverse=True)
    years = sorted({y for _, y, _, _ in loaded})
    cells = {(m, y): n for m, y, n, _ in loaded}
    # a click on a cell opens /data with the records of that plan: its row's link joined to its column's (meta, not
    # a link per cell: the national heatmap has 265 × 14 cells)
    values = dict(zip(municipalities, filter_values(df), strict=True))  # rows without a plan too (year None)
    z = [[cells.get((m, y)) for y in years] for m in rows]
    heat = {
        "type": "heatmap",
        "z": z,
        "meta": {"rows": [link_query({"municipality": values[m]}) for m in rows],
                 "columns": [link_query({"year": y}) for y in years]},
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
    if dim == "ssa_kind":
        df = df.assign(ssa_kind=df["ssa_kind"].fillna("none"))
    codes = df[dim].unique()
    return df[dim].map({c: escape(label(dim, c, lang)) for c in codes})


def _year_sums(df: pd.DataFrame, lang: str) -> tuple[list[str], dict[str, str]]:
    """'2021 (3 общини)' for each row: a series per year, added up over the year's municipalities (`municipalities`
    = how many); and its colour (the year's)."""
    names = {
        (y, n): t("series_year_one" if n == 1 else "series_year", lang, year=int(y), n=int(n))
        for y, n in set(zip(df["year"].tolist(), df["municipalities"].tolist(), strict=True))
    }
    rows = [names[k] for k in zip(df["year"].tolist(), df["municipalities"].tolist(), strict=True)]
    return rows, {name: year_colour(y) for (y, _), name in names.items()}


def latest_plans(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of each municipality's latest plan in `df`."""
    key = keyed(df)["municipality_key"]
    latest = df.groupby(key)["year"].transform("max")
    return df[df["year"] == latest]


def comparison(df: pd.DataFrame, combine: str, lang: str, max_municipalities: int, max_plans: int):
    """How a chart of several plans shows them: (rows, series name of each row, colour of each series, note).

    - combine == "sum", or rows the query already added up per year (municipality null), or more municipalities
      than `max_municipalities`: one series per year, its municipalities added up (the note says so);
    - one municipality, or at most `max_plans` plans: one series per plan ('Дупница 2021'); colours by year
      for one municipality, by municipality for several;
    - else one series per municipality, from its latest plan in the selection (the note says so).
    """
    df = keyed(df)
    municipalities = sorted(set(df["municipality_key"].dropna().tolist()))
    summed = df["municipality_key"].isna().any()
    if combine == "sum" or summed or len(municipalities) > max_municipalities:
        names, colours = _year_sums(df, lang)
        note = t("note_sum" if combine == "sum" else "note_too_many", lang, n=max_municipalities)
        return df, names, colours, note
    note = None
    plans = df[["municipality_key", "year"]].drop_duplicates()
    if len(municipalities) > 1 and len(plans) > max(max_plans, len(municipalities)):  # one has several plans
        df = latest_plans(df)
        note = t("note_latest", lang)
    names = plain(plan_label(df, lang))
    if len(municipalities) == 1:
        colours = {n: year_colour(y) for n, y in zip(names, df["year"].tolist(), strict=True)}
    else:
        by_town = colours_for(municipalities)  # by EKATTE code: the same colour on every page
        colours = {n: by_town[m] for n, m in zip(names, df["municipality_key"].tolist(), strict=True)}
    return df, names, colours, note


def series_links(df: pd.DataFrame, names: list[str]) -> dict[str, dict]:
    """series name -> what a click on it narrows the selection to: its year, and its municipality (the filter bar's
    value: municipality_value) when the series is one municipality's plan; a series added up over municipalities
    keeps the filter bar's municipalities (docs/design.md "From a number to its records")."""
    values = filter_values(df)
    seen: dict[str, tuple[set, set]] = {}
    for name, value, year in zip(names, values, plain(df["year"]), strict=True):
        towns, years = seen.setdefault(name, (set(), set()))
        towns.add(value)
        years.add(year)
    out = {}
    for name, (towns, years) in seen.items():
        link = {}
        if len(towns) == 1 and None not in towns:
            link["municipality"] = next(iter(towns))
        if len(years) == 1 and None not in years:
            link["year"] = int(next(iter(years)))
        out[name] = link
    return out


def filter_values(df: pd.DataFrame) -> list:
    """Each row's municipality as the filter bar and the address choose it (schema.sql municipality_value): the
    query's `municipality_value` when it has one; else its EKATTE code when its label differs from its name (a
    shared name, shown with its oblast: municipality_label), else its name. None: no municipality (a sum)."""
    if "municipality_value" in df:
        return plain(df["municipality_value"])
    names = plain(df["municipality"]) if "municipality" in df else [None] * len(df)
    codes = plain(df["municipality_code"]) if "municipality_code" in df else [None] * len(df)
    labels = plain(df["municipality_label"]) if "municipality_label" in df else names
    return [c if c and label_ and label_ != n else n for n, c, label_ in zip(names, codes, labels, strict=True)]


def capacity_by(df: pd.DataFrame, dim: str, lang: str, combine: str = "compare") -> dict:
    """Grouped horizontal bars: capacity per category of `dim`, one bar per municipality (comparison(): its latest
    plan in the selection), per plan of one municipality, or per year added up when the reader asks for a sum."""
    title = t("capacity_title", lang, dim=t(f"dim_{dim}", lang))
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    df, series, colours, note = comparison(df, combine, lang, MAX_COMPARE, 1)
    categories = plain(_dimension_label(df, dim, lang))
    keys = list(zip(series, categories, strict=True))
    sums = add_up(keys, plain(df["capacity"]))  # (series, category) -> capacity
    # a click on a bar opens /data with its records: the series' plan or year, the category's code
    links = series_links(df, series)
    codes = dict(zip(categories, plain(df[dim]), strict=True))
    totals: dict[str, float] = {}
    for (_, category), value in sums.items():
        totals[category] = totals.get(category, 0) + value
    # categories by total, smallest first; ties in the order pandas' sort gives them (as drawn before)
    order = pd.Series(totals, dtype=float).sort_index().sort_values().index.tolist()
    rank = {c: i for i, c in enumerate(order)}
    traces = []
    for name in sorted({series for series, _ in sums}):
        pairs = sorted((rank[c], c, v) for (series, c), v in sums.items() if series == name)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": [c for _, c, _ in pairs],
                "x": [float(v) for _, _, v in pairs],
                "name": name,
                "marker": {"color": colours[name]},
                "customdata": [link_query({**links[name], dim: codes[c]}) for _, c, _ in pairs],
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
            note=note,
        ),
    )


SETTING_DASH = {"institution": "solid", "residential": "dash", "family": "dot", "community": "dashdot",
                "home": "longdash"}


def deinstitutionalisation(df: pd.DataFrame, lang: str, combine: str = "compare") -> dict:
    """Capacity in institutions versus residential, family, community and home settings over the plan years.

    One line per setting and municipality: a line never joins two municipalities' plans, and a year without a plan
    is a gap in it (every year from the first to the last is on the axis). One municipality: colours by setting;
    several: colours by municipality, dashes by setting. combine == "sum" (or more than MAX_COMPARE
    municipalities): one line per setting, each year's municipalities added up; rows the query already added up
    (municipality null: deinstitutionalisation_chart.sql) are drawn so."""
    title = t("di_title", lang)
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    years = all_years(df["year"].tolist())
    df = keyed(df)
    shown = shown_names(df, lang)
    rows = list(zip(plain(df["municipality_key"]), plain(df["setting"]), plain(df["year"]), plain(df["capacity"]),
                    strict=True))
    municipalities = sorted({m for m, *_ in rows}, key=lambda m: (m is not None, m or ""))
    summed = None in municipalities
    note = None
    if combine == "sum" or summed or len(municipalities) > MAX_COMPARE:
        note = t("note_sum" if combine == "sum" else "note_too_many", lang, n=MAX_COMPARE)
        rows = [(None, s, y, c) for _, s, y, c in rows] if len(municipalities) > 1 else rows
        municipalities = [None] if len(municipalities) > 1 else municipalities
    points: dict[tuple, dict[str, float]] = {}
    for m, s, y, c in rows:
        by_year = points.setdefault((m, s), {})
        by_year[str(y)] = by_year.get(str(y), 0) + c
    towns = colours_for([m for m in municipalities if m])
    values = dict(zip(plain(df["municipality_key"]), filter_values(df), strict=True))  # the points' links
    traces = []
    for m in municipalities:
        for setting in SETTING_ORDER:
            by_year = points.get((m, setting))
            if not by_year:
                continue
            name = label("setting", setting, lang)
            width = 4 if setting == "institution" else 2
            if len(municipalities) > 1:
                town = shown[m]
                line = {"color": towns[m], "width": width, "dash": SETTING_DASH[setting]}
                name = f"{escape(town)} — {name}"
            else:
                line = {"color": SETTING_COLORS[setting], "width": width}
            traces.append(
                {
                    "type": "scatter",
                    "x": years,
                    "y": [by_year.get(y) for y in years],
                    "mode": "lines+markers",
                    "name": name,
                    "line": line,
                    "marker": {"size": 8},
                    # a click on a point opens /data with its municipality's records of that year in that setting
                    "customdata": [link_query({"municipality": values.get(m), "year": y, "setting": setting})
                                   if y in by_year else "" for y in years],
                    "hovertemplate": template_safe(name) + " %{x}: %{y:,.0f}<extra></extra>",
                    **({"legendgroup": m} if len(municipalities) > 1 else {}),
                }
            )
    axis = {"type": "category", "categoryorder": "array", "categoryarray": years}
    return figure(traces, style(title, t("axis_year", lang), t("axis_capacity", lang), lang, xaxis=axis, note=note,
                                **ssa_break(years, lang)))


def _by_class(df: pd.DataFrame, names: list[str], column: str) -> dict[str, dict[str, float]]:
    """funding class -> {series: sum of `column`}."""
    keys = list(zip(plain(df["funding_mix"]), names, strict=True))
    out: dict[str, dict[str, float]] = {}
    for (cls, plan), value in add_up(keys, plain(df[column])).items():
        out.setdefault(cls, {})[plan] = value
    return out


def _plan_rows(df: pd.DataFrame, names: list[str]) -> list[str]:
    """The rows of a funding chart, top to bottom: by municipality, then year (plotly draws the last first)."""
    labels = keyed(df)["municipality_label"].fillna("").tolist()
    order = sorted(set(zip(labels, df["year"].tolist(), names, strict=True)))
    return [name for _, _, name in reversed(order)]


def funding_mix(df: pd.DataFrame, measure: str, lang: str, combine: str = "compare") -> dict:
    """100 % stacked bars, one per plan (comparison(): per municipality's latest plan when too many, per year when
    added up): funding classes by services or capacity."""
    title = t("funding_mix_title", lang, measure=t(f"measure_{measure}", lang))
    df = df[df[measure].fillna(0) > 0]
    if df.empty:
        return empty(title, lang)
    df, names, _, note = comparison(df, combine, lang, MAX_PLAN_ROWS, MAX_PLAN_ROWS)
    by_class = _by_class(df, names, measure)
    links = series_links(df, names)  # a click opens /data with the services of the plan (or year) and class
    totals: dict[str, float] = {}
    for part in by_class.values():
        for plan, value in part.items():
            totals[plan] = totals.get(plan, 0) + value
    plans = [p for p in dict.fromkeys(_plan_rows(df, names)) if p in totals]
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
                "customdata": [[float(part[p]), link_query({**links[p], "funding_mix": cls, "only": "services"})]
                               for p in ys],
                "name": label("funding", cls, lang),
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.1f} % (%{customdata[0]:,.0f})<extra></extra>",
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
            note=note,
        ),
    )


def amounts(df: pd.DataFrame, lang: str, combine: str = "compare") -> dict:
    """Stacked bars of stated amounts (leva) by funding class, one per plan (as funding_mix)."""
    title = t("amounts_title", lang)
    if df.empty:
        return empty(title, lang)
    df, names, _, note = comparison(df, combine, lang, MAX_PLAN_ROWS, MAX_PLAN_ROWS)
    by_class = _by_class(df, names, "amount_bgn")
    links = series_links(df, names)  # a click opens /data with the records stating the amounts of the plan and class
    present = {plan for part in by_class.values() for plan in part}
    plans = [p for p in dict.fromkeys(_plan_rows(df, names)) if p in present]
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
                "customdata": [link_query({**links[p], "funding_mix": cls, "only": "amounts"}) for p in ys],
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
            note=note,
        ),
    )


def coverage(df: pd.DataFrame, plan: str, lang: str) -> dict:
    """Heatmap service type × settlement (number of services); municipality-wide services first.
    `plan`: the plan's label ('Дупница 2021'), from the document."""
    title = t("coverage_title", lang, plan=escape(plan))
    if df.empty:
        return empty(title, lang)
    whole = t("coverage_whole", lang)
    places = [whole if v is None else escape(place_name(v, lang)) for v in plain(df["settlement"])]
    services = escaped(plain(df["type_en" if lang == "en" else "type_bg"]))
    cells: dict[tuple, float] = {}
    for place, service, n in zip(places, services, df["services"].tolist(), strict=True):
        cells[(service, place)] = cells.get((service, place), 0) + n
    # a click on a cell opens /data with the plan's records of that service type at that place (its EKATTE code, or
    # 'whole': given for the whole municipality); a place named by two codes, or by none, gets no link
    codes: dict[str, set] = {}
    for place, ekatte in zip(places, plain(df["ekatte"]) if "ekatte" in df else [None] * len(places), strict=True):
        codes.setdefault(place, set()).add("whole" if place == whole else ekatte)
    types = dict(zip(services, plain(df["service_type"]), strict=True))
    plan_link = {}
    if "year" in df and len(df):
        plan_link = {"municipality": filter_values(df)[0], "year": int(df["year"].iloc[0])}
    columns = sorted(set(places) - {whole})
    if whole in places:
        columns = [whole, *columns]
    rows = sorted(set(services), reverse=True)

    def cell_link(row: str, column: str) -> str:
        place = codes.get(column, set())
        if not plan_link or (row, column) not in cells or len(place) != 1 or None in place:
            return ""
        return link_query({**plan_link, "service_type": types[row], "settlement": next(iter(place))})

    heat = {
        "type": "heatmap",
        "z": [[cells.get((r, c)) for c in columns] for r in rows],
        "customdata": [[cell_link(r, c) for c in columns] for r in rows],
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
        "text": escaped([place_name(m, lang) for m in plain(df["municipality"])]),
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


def timeline(df: pd.DataFrame, lang: str, combine: str = "compare") -> dict:
    """Stacked bars per year: services opening, expanding, reducing, closing, planned, transformed.

    `df`: municipality, year, event, events (counted in SQL). Several municipalities (up to MAX_COMPARE): a bar per
    municipality in each year (a two-level axis: year, then municipality), never added up unless combine == "sum".
    Added up (or one municipality): every year from the first to the last is on the axis.
    """
    title = t("timeline_title", lang)
    if df.empty:
        return empty(title, lang)
    years = all_years(df["year"].tolist())
    df = keyed(df)
    municipalities = sorted(set(df["municipality_key"].tolist()))
    note = None
    compare = combine != "sum" and 1 < len(municipalities) <= MAX_COMPARE
    if len(municipalities) > 1 and not compare:
        note = t("note_sum" if combine == "sum" else "note_too_many", lang, n=MAX_COMPARE)
    towns = {m: escape(n) for m, n in shown_names(df, lang).items()}
    if compare:  # the municipalities with events in each year, by year (then by name as shown)
        pairs = set(zip(df["year"].tolist(), df["municipality_key"].tolist(), strict=True))
        slots = [(str(int(y)), towns[m]) for y, m in sorted(pairs, key=lambda p: (p[0], towns[p[1]]))]
    else:
        slots = [(y, None) for y in years]
    # a click on a bar opens /data with the records behind it: the changes of its kind seen in its year (event_year:
    # a service type that disappears is the previous plan's records), of its municipality when it is one's
    values = dict(zip(plain(df["municipality_key"]), filter_values(df), strict=True))
    slot_towns = {(str(int(y)), towns[m]): values.get(m) for y, m in
                  zip(df["year"].tolist(), df["municipality_key"].tolist(), strict=True)} if compare else {}
    by_event: dict[str, dict[tuple, int]] = {}  # one pass over the rows, not a mask per event
    for m, year, event, events in zip(df["municipality_key"].tolist(), df["year"].tolist(), df["event"].tolist(),
                                      df["events"].tolist(), strict=True):
        slot = (str(int(year)), towns[m] if compare else None)
        counts = by_event.setdefault(event, {})
        counts[slot] = counts.get(slot, 0) + int(events)
    if compare:
        x = [[y for y, _ in slots], [m for _, m in slots]]
        axis = {"type": "multicategory"}
    else:
        x = [y for y, _ in slots]
        axis = {"type": "category", "categoryorder": "array", "categoryarray": years}
    traces = []
    for event, colour in TIMELINE_COLORS.items():
        counts = by_event.get(event)
        if counts:
            traces.append(
                {
                    "type": "bar",
                    "x": x,
                    "y": [counts.get(slot) for slot in slots],
                    "customdata": [link_query({"municipality": slot_towns.get(slot), "year": "", "event": event,
                                               "event_year": slot[0]}) if slot in counts else "" for slot in slots],
                    "name": label("status", event, lang),
                    "marker": {"color": colour},
                    "hovertemplate": "%{x}: %{y}<extra></extra>",
                }
            )
    fig = figure(
        traces,
        style(
            title,
            t("axis_year", lang),
            t("axis_events", lang),
            lang,
            barmode="stack",
            xaxis=axis,
            note=note,
            **ssa_break([y for y, _ in slots], lang),
        ),
    )
    if compare:  # two rows of tick labels (year, municipality) under the plot: room asked for, not widened after
        fig["layout"]["margin"]["b"] = 90
    return fig
