"""Presentation stage: pure functions DataFrame -> plotly figure (graph_objects, one shared style)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

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
# a bare template plus explicit axis styling: the built-in "plotly_white" costs ~50 ms per figure
TEMPLATE = go.layout.Template()
AXIS = {"automargin": True, "gridcolor": "#e6e6e6", "zeroline": False, "linecolor": "#999"}


def style(fig: go.Figure, title: str, x_title: str, y_title: str, lang: str, height: int = 420) -> go.Figure:
    """The house look: title, axis labels, source note, Bulgarian number format."""
    fig.update_layout(
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "font": {"size": 16},
            "subtitle": {"text": t("source_note", lang), "font": {"size": 11, "color": "#666"}},
        },
        template=TEMPLATE,
        height=height,
        separators=plotly_separators(lang),
        plot_bgcolor="white",
        font={"family": "Arial, sans-serif", "size": 12},
        margin={"l": 10, "r": 10, "t": 115, "b": 50},
        legend={"orientation": "h", "y": 1.03, "yanchor": "bottom", "x": 0},
        hoverlabel={"namelength": -1},
    )
    fig.update_xaxes(title_text=x_title, **AXIS)
    fig.update_yaxes(title_text=y_title, **AXIS)
    return fig


def empty(title: str, lang: str, message: str | None = None) -> go.Figure:
    """An empty-state figure: the title and a message instead of a blank chart."""
    fig = go.Figure()
    fig.add_annotation(
        text=message or t("empty", lang),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#666"},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(
        title={"text": title, "x": 0.01},
        template=TEMPLATE,
        plot_bgcolor="white",
        height=300,
        meta={"empty": True},
    )
    return fig


def plan_label(df: pd.DataFrame) -> pd.Series:
    """'Дупница 2021' for each row (municipality + year)."""
    return df["municipality"] + " " + df["year"].astype(str)


def completeness(df: pd.DataFrame, lang: str) -> go.Figure:
    """Heatmap municipality × year; cell = rows extracted from that plan, blank = no plan."""
    title = t("completeness_title", lang)
    if df.empty:
        return empty(title, lang)
    grid = df.pivot_table(index="municipality", columns="year", values="items", aggfunc="sum", dropna=False)
    rows = sorted(df["municipality"].unique(), reverse=True)
    grid = grid.reindex(rows)
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=[str(int(y)) for y in grid.columns],
            y=grid.index.tolist(),
            colorscale="Blues",
            showscale=False,
            xgap=2,
            ygap=2,
            texttemplate="%{z}",
            hovertemplate="%{y} %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", side="top")
    return style(
        fig,
        title,
        t("axis_year", lang),
        t("axis_municipality", lang),
        lang,
        height=max(260, 60 + 28 * len(rows)),
    )


def _dimension_label(df: pd.DataFrame, dim: str, lang: str) -> pd.Series:
    if dim == "service_type":
        return df["type_en" if lang == "en" else "type_bg"]
    return df[dim].map(lambda code: label(dim, code, lang))


def capacity_by(df: pd.DataFrame, dim: str, lang: str) -> go.Figure:
    """Grouped horizontal bars: capacity per category of `dim`, one bar per municipality-year."""
    title = t("capacity_title", lang, dim=t(f"dim_{dim}", lang))
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    data = df.assign(category=_dimension_label(df, dim, lang), plan=plan_label(df))
    sums = data.groupby(["plan", "category"], as_index=False)["capacity"].sum()
    order = sums.groupby("category")["capacity"].sum().sort_values().index.tolist()
    fig = go.Figure()
    for i, (plan, part) in enumerate(sums.groupby("plan", sort=True)):
        part = part.set_index("category").reindex(order).dropna(subset=["capacity"]).reset_index()
        fig.add_bar(
            y=part["category"],
            x=part["capacity"],
            name=plan,
            orientation="h",
            marker_color=COLORS[i % len(COLORS)],
            hovertemplate="%{y}<br>" + plan + ": %{x:,.0f}<extra></extra>",
        )
    fig.update_layout(barmode="group")
    return style(
        fig,
        title,
        t("axis_capacity", lang),
        "",
        lang,
        height=max(360, 120 + 22 * len(order) * max(1, sums["plan"].nunique()) ** 0.5),
    )


def deinstitutionalisation(df: pd.DataFrame, lang: str) -> go.Figure:
    """Lines over plan years: capacity in institutions versus residential and community settings."""
    title = t("di_title", lang)
    df = df[df["capacity"].notna()]
    if df.empty:
        return empty(title, lang)
    fig = go.Figure()
    for setting in SETTING_ORDER:
        part = df[df["setting"] == setting].sort_values("year")
        if part.empty:
            continue
        fig.add_scatter(
            x=part["year"].astype(str),
            y=part["capacity"],
            mode="lines+markers",
            name=label("setting", setting, lang),
            line={"color": SETTING_COLORS[setting], "width": 4 if setting == "institution" else 2},
        )
    fig.update_xaxes(type="category")
    return style(fig, title, t("axis_year", lang), t("axis_capacity", lang), lang)


def funding_mix(df: pd.DataFrame, measure: str, lang: str) -> go.Figure:
    """100 % stacked bars per municipality-year: funding classes by services or capacity."""
    title = t("funding_mix_title", lang, measure=t(f"measure_{measure}", lang))
    df = df[df[measure].fillna(0) > 0]
    if df.empty:
        return empty(title, lang)
    data = df.assign(plan=plan_label(df))
    totals = data.groupby("plan")[measure].transform("sum")
    data = data.assign(share=100 * data[measure] / totals)
    plans = sorted(data["plan"].unique(), reverse=True)
    fig = go.Figure()
    for cls, colour in FUNDING_COLORS.items():
        part = data[data["funding_mix"] == cls].set_index("plan").reindex(plans).dropna(subset=["share"])
        if not part.empty:  # NaN gaps inside a stacked bar trace break plotly's stacking
            fig.add_bar(
                y=part.index.tolist(),
                x=part["share"],
                customdata=part[measure],
                orientation="h",
                name=label("funding", cls, lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x:.1f} % (%{customdata:,.0f})<extra></extra>",
            )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=plans)
    fig.update_xaxes(range=[0, 100])
    return style(fig, title, t("axis_share", lang), "", lang, height=max(300, 140 + 40 * len(plans)))


def amounts(df: pd.DataFrame, lang: str) -> go.Figure:
    """Stacked bars of stated amounts (leva) per municipality-year by funding class."""
    title = t("amounts_title", lang)
    if df.empty:
        return empty(title, lang)
    data = df.assign(plan=plan_label(df))
    sums = data.groupby(["plan", "funding_mix"], as_index=False)["amount_bgn"].sum()
    plans = sorted(sums["plan"].unique(), reverse=True)
    fig = go.Figure()
    for cls, colour in FUNDING_COLORS.items():
        part = sums[sums["funding_mix"] == cls].set_index("plan").reindex(plans).dropna(subset=["amount_bgn"])
        if not part.empty:
            fig.add_bar(
                y=part.index.tolist(),
                x=part["amount_bgn"],
                orientation="h",
                name=label("funding", cls, lang),
                marker_color=colour,
                hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
            )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=plans)
    return style(fig, title, t("axis_amount", lang), "", lang, height=max(300, 140 + 40 * len(plans)))


def coverage(df: pd.DataFrame, plan: str, lang: str) -> go.Figure:
    """Heatmap service type × settlement (number of services); municipality-wide services first."""
    title = t("coverage_title", lang, plan=plan)
    if df.empty:
        return empty(title, lang)
    whole = t("coverage_whole", lang)
    data = df.assign(
        place=df["settlement"].fillna(whole), service=df["type_en" if lang == "en" else "type_bg"]
    )
    grid = data.pivot_table(index="service", columns="place", values="services", aggfunc="sum")
    places = sorted(p for p in grid.columns if p != whole)
    grid = grid.reindex(columns=([whole] if whole in grid.columns else []) + places)
    grid = grid.sort_index(ascending=False)
    heat = go.Heatmap(
        z=grid.values,
        x=grid.columns.tolist(),
        y=grid.index.tolist(),
        colorscale="Teal",
        showscale=False,
        xgap=2,
        ygap=2,
        texttemplate="%{z}",
        hovertemplate="%{x} — %{y}: %{z}<extra></extra>",
    )
    fig = go.Figure(heat)
    fig.update_xaxes(side="top", tickangle=-30)
    height = max(360, 160 + 26 * len(grid.index))
    return style(fig, title, t("axis_settlement", lang), t("axis_service_type", lang), lang, height=height)


def municipality_map(df: pd.DataFrame, geojson: dict, lang: str) -> go.Figure:
    """Choropleth of the 265 municipalities: services in the latest selected plan of each.

    Drawn with maplibre on a blank background: no tiles or topojson are fetched from the network.
    """
    title = t("map_title", lang)
    outline = [f["properties"]["LAU_CODE"] for f in geojson["features"]]
    fig = go.Figure(
        go.Choroplethmap(
            geojson=geojson,
            featureidkey="properties.LAU_CODE",
            locations=outline,
            z=[0] * len(outline),
            colorscale=[[0, "#f2f2f2"], [1, "#f2f2f2"]],
            showscale=False,
            hoverinfo="skip",
            marker_line_width=0.4,
            marker_line_color="#999",
        )
    )
    fig.add_trace(
        go.Choroplethmap(
            geojson=geojson,
            featureidkey="properties.LAU_CODE",
            locations=df["municipality_code"],
            z=df["services"],
            zmin=0,
            zmax=max(1, int(df["services"].max() or 0)) if len(df) else 1,
            text=df["municipality"],
            colorscale="Blues",
            marker_line_width=0.6,
            colorbar={"title": {"text": t("axis_events", lang)}},
            hovertemplate="%{text}: %{z}<extra></extra>",
        )
    )
    fig.update_layout(map={"style": "white-bg", "center": {"lon": 25.4, "lat": 42.75}, "zoom": 5.6})
    return style(fig, title, "", "", lang, height=520)


def timeline(df: pd.DataFrame, lang: str) -> go.Figure:
    """Stacked bars per year: services opening, expanding, reducing, closing, planned, transformed."""
    title = t("timeline_title", lang)
    if df.empty:
        return empty(title, lang)
    counts = df.groupby(["year", "event"], as_index=False).size()
    years = sorted(counts["year"].unique())
    palette = {
        "new": "#4c9a2a",
        "appeared": "#8fc46a",
        "expanded": "#1f6f8b",
        "planned": "#5fa8d3",
        "transformed": "#6a4c93",
        "reduced": "#e07a1f",
        "closing": "#b83b5e",
        "disappeared": "#e38aa3",
    }
    fig = go.Figure()
    for event, colour in palette.items():
        part = counts[counts["event"] == event].set_index("year").reindex(years).dropna(subset=["size"])
        if not part.empty:
            fig.add_bar(
                x=[str(y) for y in part.index],
                y=part["size"],
                name=label("status", event, lang),
                marker_color=colour,
                hovertemplate="%{x}: %{y}<extra></extra>",
            )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return style(fig, title, t("axis_year", lang), t("axis_events", lang), lang)
