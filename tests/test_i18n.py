"""One place for the UI's texts (dashboard/i18n.py), in both languages, and plotly's large axis numbers written short in
the UI's language ("200 хил.", "1,5 млн."; "200k", "1.5M")."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pandas as pd
import pytest

from dashboard import figures
from dashboard.i18n import TEXT

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_is_in_both_languages_with_the_same_placeholders():
    assert TEXT["bg"].keys() == TEXT["en"].keys()
    assert [k for k in TEXT["bg"] if fields(TEXT["bg"][k]) != fields(TEXT["en"][k])] == []


def test_every_text_the_dashboard_asks_for_exists():
    """Each literal key of t("...") in dashboard/ (the municipality page and its figures included: their texts moved
    into i18n.py) is a key of TEXT; no module keeps a dictionary of its own texts but /admin's (admin/texts.py,
    rendered by Jinja) and, still, review_notice.py's line under the filter bar."""
    own_texts = {"i18n.py", "review_notice.py"}
    used = set()
    for path in DASHBOARD.rglob("*.py"):
        if "admin" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_]+)\"", source))
        assert not re.search(r"^TEXTS? = \{", source, re.M) or path.name in own_texts, path
    assert used and sorted(used - TEXT["bg"].keys()) == []
    assert {"muni_title", "metric_map_title", "capacity_over_time"} <= used  # the moved texts are used from i18n


@pytest.mark.parametrize("value, bg, en", [
    (0, "0", "0"),
    (200_000, "200 хил.", "200k"),
    (250_000, "250 хил.", "250k"),
    (1_500_000, "1,5 млн.", "1.5M"),
    (3_000_000, "3 млн.", "3M"),
    (2_500, "2,5 хил.", "2.5k"),
])
def test_short_numbers(value, bg, en):
    assert (figures.short_number(value, "bg"), figures.short_number(value, "en")) == (bg, en)


def lyubimets_amounts() -> pd.DataFrame:
    """data/plans/lyubimets-2013.txt: 244440 from the municipal budget (line 27), 39792 + 163520 + 91200 = 294512 of
    project money (lines 29-31); together 538 952 лева (line 32)."""
    return pd.DataFrame({"municipality": ["Любимец", "Любимец"], "municipality_code": ["HKV17", "HKV17"],
                         "municipality_label": ["Любимец", "Любимец"], "year": [2013, 2013],
                         "funding_mix": ["municipal", "project"], "amount_bgn": [244440.0, 294512.0],
                         "municipalities": [1, 1]})


def test_an_axis_reaching_100_000_writes_thousands_short_in_the_ui_language():
    bg = figures.amounts(lyubimets_amounts(), "bg")["layout"]["xaxis"]
    en = figures.amounts(lyubimets_amounts(), "en")["layout"]["xaxis"]
    assert bg["tickvals"] == en["tickvals"] == [0, 200_000, 400_000, 600_000]  # the stacked bar: 538 952
    assert bg["ticktext"] == ["0", "200 хил.", "400 хил.", "600 хил."]
    assert en["ticktext"] == ["0", "200k", "400k", "600k"]
    # the hover keeps the number in full
    assert all(":,.0f" in trace["hovertemplate"] for trace in figures.amounts(lyubimets_amounts(), "bg")["data"])


def test_an_axis_below_100_000_writes_numbers_in_full():
    small = lyubimets_amounts().assign(amount_bgn=[24444.0, 29451.0])
    axis = figures.amounts(small, "bg")["layout"]["xaxis"]
    assert "tickvals" not in axis and axis["exponentformat"] == "none" and axis["separatethousands"]


def test_a_share_axis_keeps_its_own_range():
    fig = figures.figure([{"type": "bar", "orientation": "h", "y": ["a"], "x": [250_000]}],
                         figures.style("t", "", "", "bg", xaxis={"range": [0, 100]}))
    assert "tickvals" not in fig["layout"]["xaxis"]


def test_colour_bars_write_numbers_in_full_or_short():
    fig = figures.figure([{"type": "heatmap", "z": [[1, 250_000]], "x": ["a", "b"], "y": ["r"]}],
                         figures.style("t", "", "", "bg"))
    bar = fig["data"][0]["colorbar"]
    assert bar["exponentformat"] == "none" and "200 хил." in bar["ticktext"]
