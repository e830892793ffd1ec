"""Several municipalities are compared, never added up unless the reader asks for it (issue 19, item 2); colours are
fixed per municipality and per year; a time series never joins two municipalities. Browser tests: `pytest --headless`.

Expected numbers are read from the sample plans in data/plans/:
- Ихтиман 2020 (ihtiman-2020.txt): line 28 Домашен социален патронаж "Капацитет - 100бр.", line 39 Личен асистент
  "5 лични асистенти 5 потребители", line 40 Личен асистент "83 лични асистенти 123 потребители": home-based
  capacity 100 + 5 + 123 = 228.
- Дупница 2021 (dupnitsa-2021.txt): row 18 Домашен социален патронаж, 220 (the only home-based service with a
  capacity).
- Стара Загора 2015 (stara-zagora-2015.txt) is the only plan with institutions: lines 25 and 26, ДДУИ с. Петрово
  and ДДУИ с. Сл. кладенец, "намаление капацитета от 82 на 35 места": 35 + 35 = 70 places.
"""

from __future__ import annotations

import pytest

from dashboard import db, figures
from tests.helpers import until

from .test_browser_pages import dash_app, open_page, traces  # noqa: F401  (the app on the sample database)


def test_two_municipalities_give_two_series_each_with_its_own_numbers(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, "/capacity?municipality=Дупница,Ихтиман&dim=setting")
    graph = "capacity-by-group-graph"
    data = until(dash_duo, lambda: traces(dash_duo, graph))
    assert sorted(t["name"] for t in data) == ["Дупница 2021", "Ихтиман 2020"]  # one series each, no sum
    home = "В домашна среда"
    values = {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in data}
    assert values["Ихтиман 2020"][home] == 228  # 100 + 5 + 123 (lines 28, 39, 40)
    assert values["Дупница 2021"][home] == 220  # row 18
    colours = dash_duo.driver.execute_script(
        "return document.querySelector('#capacity-by-group-graph .js-plotly-plot').data.map(t => t.marker.color);")
    assert len(set(colours)) == 2

    # the same municipality keeps its colour on another page's chart: the deinstitutionalisation lines
    di = until(dash_duo, lambda: traces(dash_duo, "capacity-di-graph"))
    lines = dash_duo.driver.execute_script(
        "return document.querySelector('#capacity-di-graph .js-plotly-plot').data.map(t => [t.name, t.line.color]);")
    ihtiman_colour = colours[[t["name"] for t in data].index("Ихтиман 2020")]
    assert {c for name, c in lines if name.startswith("Ихтиман")} == {ihtiman_colour}
    # one line per municipality and setting; each holds only its own plan's year, the other years are gaps
    for trace in di:
        points = [x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None]
        assert len(points) == 1, trace
    assert di[0]["x"] == ["2020", "2021"]

    # the reader asks for a sum: one series per year, named with its number of municipalities
    dash_duo.driver.find_element("css selector", "input[value='sum']").click()
    until(dash_duo, lambda: sorted(t["name"] for t in traces(dash_duo, graph)) == ["2020 (1 община)", "2021 (1 община)"])
    assert "combine=sum" in dash_duo.driver.current_url


def test_the_deinstitutionalisation_chart_never_joins_municipalities(dash_duo, dash_app):  # noqa: F811
    """All five sample plans: Стара Загора 2015, Ихтиман and Кресна 2020, Дупница 2021 are separate lines on an axis
    with every year from 2015 to 2021 (the gaps drawn as gaps)."""
    open_page(dash_duo, dash_app, "/capacity")
    di = until(dash_duo, lambda: traces(dash_duo, "capacity-di-graph"))
    years = [str(y) for y in range(2015, 2022)]
    assert all(t["x"] == years for t in di)
    institution = [t for t in di if t["name"].endswith("Институция")]
    assert [t["name"] for t in institution] == ["Стара Загора — Институция"]
    assert [y for y in institution[0]["y"] if y is not None] == [70]  # 35 + 35 (lines 25, 26)
    for trace in di:
        town = trace["name"].split(" — ")[0]
        assert sum(y is not None for y in trace["y"]) == 1, town  # one plan per municipality in the sample


def test_colours_are_keyed_by_name_and_year_not_by_position():
    assert figures.name_colour("Дупница") == figures.name_colour("Дупница")
    assert figures.name_colour("Дупница") != figures.name_colour("Ихтиман")
    # no two share a colour here: each keeps its own, whichever others are in the chart and in what order
    assert figures.colours_for(["Ихтиман", "Дупница"]) == {n: figures.name_colour(n) for n in ("Дупница", "Ихтиман")}
    years = [figures.year_colour(y) for y in range(2013, 2027)]  # fourteen plan years, fourteen colours
    assert len(set(years)) == 14
    many = figures.colours_for([f"Община {i}" for i in range(20)])
    assert len(set(many.values())) == 20  # two municipalities of one chart never share a colour (up to 24)


@pytest.mark.parametrize("combine, expected", [("compare", {"Ихтиман 2020", "Дупница 2021"}),
                                               ("sum", {"2020 (1 община)", "2021 (1 община)"})])
def test_capacity_series_follow_the_toggle(sample_db, combine, expected):
    from dashboard.pages import capacity

    db.set_database(sample_db)
    fig = capacity.update(None, ["Дупница", "Ихтиман"], None, None, None, "setting", "bg", combine)[0]
    assert {t["name"] for t in fig["data"]} == expected
    home = {t["name"]: dict(zip(t["y"], t["x"], strict=True))["В домашна среда"] for t in fig["data"]}
    assert sorted(home.values()) == [220, 228]  # Дупница row 18; Ихтиман lines 28, 39, 40 (in different years)
