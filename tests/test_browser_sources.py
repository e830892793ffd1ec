"""From a number to its source in two clicks on every chart whose marks stand for records (issue 19, item 6), short
axis numbers in the UI's language ("200 хил."), the old-types / Social Services Act switch, HTTP 404 for addresses
that name nothing, and the municipality page and /data at 375 px. Browser tests: `pytest --headless`.

Expected values are read from the sample plans in data/plans:
- lyubimets-2013.txt: line 27 "Домашен социален патронаж ... От общинския бюджет – общо отпуснат 244440"; the project
  money of lines 29 ("общия бюджет е 39792 лв."), 30 ("Общ бюджет – 163520 лв от ОП РЧР") and 31 ("Обща сума- 91200
  лв от ОП РЧР"); line 32 "ОБЩО 538 952 лева" (the chart's one stacked bar reaches it: ticks 200 and 400 хил.);
- kresna-2020.txt: line 100 "Откриване Клуб на ..." (the plan's one new service); line 44, the ЦСРИ in "гр. Кресна,
  с. Сливница, с. Долна Градешница"; line 91, the home patronage for "Община Кресна" (the whole municipality);
- dupnitsa-2021.txt, the plan for 2021: residential services on lines 20, 21, 22, 24, 25, 34, 35 ("капацитет 14, 4,
  12, 8, 12, 15, 10 места" = 75); home-setting services on lines 40 ("капацитет 220 места"), 47, 49, 50, 53 (no
  capacity stated); services funded by the municipal budget alone on lines 25, 40, 45;
- ihtiman-2020.txt and kresna-2020.txt are plans for 2020, made before the Social Services Act.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By

from tests.helpers import until

from .test_browser_pages import dash_app, open_page, traces  # noqa: F401  (the app on the sample database)
from .test_provenance_clicks import click_bar, grid_rows

pytestmark = pytest.mark.browser


def query(dash_duo) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(dash_duo.driver.current_url).query).items()}


def data_rows(dash_duo, count: int) -> list[dict]:
    """The /data grid's rows once it holds `count` of them."""
    until(dash_duo, lambda: urlsplit(dash_duo.driver.current_url).path == "/data", timeout=15)
    dash_duo.wait_for_element("#data-grid", timeout=20)
    return until(dash_duo, lambda: (lambda rows: rows if len(rows) == count else None)(grid_rows(dash_duo)), timeout=20)


def click_column(dash_duo, graph_id: str, trace_name: str, category: str) -> None:
    """A pointer click on the vertical bar of trace `trace_name` at x category `category`."""
    click_bar(dash_duo, graph_id, trace_name, category, axis="x")


def click_cell(dash_duo, graph_id: str, column: str, row: str) -> None:
    """A pointer click in the middle of a heatmap cell (category axes: equal columns left to right, rows bottom to
    top), at the viewport point found from the plot area's rectangle."""
    heat = until(dash_duo, lambda: (traces(dash_duo, graph_id) or [None])[0], timeout=15)
    columns, rows = heat["x"], heat["y"]
    box = dash_duo.driver.execute_script(
        "return document.querySelector(arguments[0]).getBoundingClientRect().toJSON();", f"#{graph_id} .nsewdrag")
    x = box["left"] + (columns.index(column) + 0.5) * box["width"] / len(columns)
    y = box["bottom"] - (rows.index(row) + 0.5) * box["height"] / len(rows)
    actions = ActionBuilder(dash_duo.driver)
    actions.pointer_action.move_to_location(int(x), int(y)).pause(0.3).click()
    actions.perform()


def tick_texts(dash_duo, graph_id: str, axis: str) -> list[str]:
    return until(dash_duo, lambda: dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(t => t.textContent);",
        f"#{graph_id} .{axis}tick text"))


def test_an_amounts_bar_opens_the_records_stating_the_amounts_and_the_axis_says_hil(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/funding?municipality={quote('Любимец')}")
    # the stacked bar reaches 538 952 лв. (line 32): the axis writes 200 and 400 thousand short, in Bulgarian
    ticks = tick_texts(dash_duo, "funding-amounts-graph", "x")
    assert "200 хил." in ticks and "400 хил." in ticks, ticks
    assert not [t for t in ticks if t.endswith("k") or "000" in t], ticks
    click_bar(dash_duo, "funding-amounts-graph", "Проекти", "Любимец 2013")
    rows = data_rows(dash_duo, 3)
    assert query(dash_duo) == {"municipality": "Любимец", "year": "2013", "funding_mix": "project", "only": "amounts"}
    assert sorted((r["source_line"], r["amount_bgn"]) for r in rows) == [(29, 39792), (30, 163520), (31, 91200)]
    assert "само записи, които посочват сума в лева" in dash_duo.find_element("#data-narrowed").text


def test_the_english_axis_says_k(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/funding?municipality={quote('Любимец')}&lang=en")
    ticks = tick_texts(dash_duo, "funding-amounts-graph", "x")
    assert "200k" in ticks and "400k" in ticks, ticks


def test_the_municipal_amount_bar_is_line_27(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/funding?municipality={quote('Любимец')}")
    click_bar(dash_duo, "funding-amounts-graph", "Общински бюджет", "Любимец 2013")
    (row,) = data_rows(dash_duo, 1)
    assert (row["source_file"], row["source_line"], row["amount_bgn"]) == ("lyubimets-2013.txt", 27, 244440)


def test_a_timeline_bar_opens_the_change(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/changes?municipality={quote('Кресна')}&year=2020")
    click_column(dash_duo, "changes-timeline-graph", "нова", "2020")
    (row,) = data_rows(dash_duo, 1)
    # the change's year narrows, not the filter bar's year (for a service type that disappears they differ)
    assert query(dash_duo) == {"municipality": "Кресна", "event": "new", "event_year": "2020"}
    assert (row["source_file"], row["source_line"]) == ("kresna-2020.txt", 100)
    assert "Откриване Клуб" in row["source_text"]
    notice = dash_duo.find_element("#data-narrowed").text
    assert "промяна: нова" in notice and "година на промяната: 2020" in notice


@pytest.mark.parametrize("column, row, line, place", [
    ("Долна Градешница", "Център за социална рехабилитация и интеграция", 44, "с. Долна Градешница"),
    ("Цялата община", "Домашен социален патронаж", 91, "Цялата община"),
])
def test_a_coverage_cell_opens_its_records(dash_duo, dash_app, column, row, line, place):  # noqa: F811
    open_page(dash_duo, dash_app, f"/coverage?municipality={quote('Кресна')}")
    until(dash_duo, lambda: "Кресна 2020" in dash_duo.find_element("#coverage-matrix-graph .gtitle").text)
    click_cell(dash_duo, "coverage-matrix-graph", column, row)
    (record,) = data_rows(dash_duo, 1)
    assert (record["source_file"], record["source_line"]) == ("kresna-2020.txt", line)
    assert query(dash_duo)["municipality"] == "Кресна" and query(dash_duo)["year"] == "2020"
    assert f"населено място: {place}" in dash_duo.find_element("#data-narrowed").text


def test_a_deinstitutionalisation_point_opens_the_municipality_records_of_that_year(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/capacity?municipality={quote('Дупница')}")

    def point():
        data = traces(dash_duo, "capacity-di-graph") or []
        index = next((i for i, t in enumerate(data) if t["name"] == "Резидентна"), None)
        if index is None:
            return None
        return dash_duo.driver.execute_script(
            "return document.querySelectorAll('#capacity-di-graph .scatterlayer .trace')[arguments[0]]"
            ".querySelector('.points path');", index)

    ActionChains(dash_duo.driver).move_to_element(until(dash_duo, point, timeout=15)).pause(0.3).click().perform()
    rows = data_rows(dash_duo, 7)
    assert query(dash_duo) == {"municipality": "Дупница", "year": "2021", "setting": "residential"}
    assert sorted(r["source_line"] for r in rows) == [20, 21, 22, 24, 25, 34, 35]
    assert sum(r["capacity"] for r in rows) == 75


def test_an_overview_cell_opens_the_plan(dash_duo, dash_app):  # noqa: F811
    """The completeness cell of a plan, among the samples' five municipalities and their years (a cell's link is its
    row's joined to its column's): its records on /data, as many as the cell says."""
    open_page(dash_duo, dash_app, "/")
    heat = until(dash_duo, lambda: (traces(dash_duo, "overview-completeness-graph") or [None])[0], timeout=15)
    assert len(heat["x"]) > 1 and len(heat["y"]) > 1
    count = dash_duo.driver.execute_script(
        "var d = document.querySelector('#overview-completeness-graph .js-plotly-plot').data[0];"
        "return d.z[d.y.indexOf(arguments[0])][d.x.indexOf(arguments[1])];", "Кресна", "2020")
    assert count
    click_cell(dash_duo, "overview-completeness-graph", "2020", "Кресна")
    rows = data_rows(dash_duo, count)
    assert query(dash_duo) == {"municipality": "Кресна", "year": "2020"}
    assert {r["source_file"] for r in rows} == {"kresna-2020.txt"}


def test_the_municipality_page_charts_open_their_records(dash_duo, dash_app):  # noqa: F811
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + "/municipality/KNL48")
    click_column(dash_duo, "municipality-capacity-setting-graph", "В домашна среда", "2021")
    rows = data_rows(dash_duo, 5)
    assert query(dash_duo) == {"municipality": "Дупница", "year": "2021", "setting": "home", "only": "services"}
    assert sorted((r["source_line"], r["capacity"]) for r in rows) == [
        (40, 220), (47, None), (49, None), (50, None), (53, None)]
    dash_duo.wait_for_page(dash_duo.server_url + "/municipality/KNL48")
    click_column(dash_duo, "municipality-funding-graph", "Общински бюджет", "2021")
    rows = data_rows(dash_duo, 3)
    assert sorted(r["source_line"] for r in rows) == [25, 40, 45]


def test_a_click_on_the_map_opens_the_municipality_page(dash_duo, dash_app):  # noqa: F811
    """plotly's click event on Дупница's shape (emitted on the graph: a pointer on a WebGL map is not reliable
    headless) -> dcc.Graph's clickData -> /municipality/KNL48."""
    open_page(dash_duo, dash_app, "/coverage")
    index = until(dash_duo, lambda: dash_duo.driver.execute_script(
        "const gd = document.querySelector('#coverage-map-graph .js-plotly-plot');"
        "if (!gd || !gd.data || gd.data.length < 2) { return null; }"
        "const i = Array.from(gd.data[1].locations).indexOf('KNL48'); return i < 0 ? null : [i];"), timeout=20)[0]

    def clicked():  # (emitted again until the graph has bound its events)
        if urlsplit(dash_duo.driver.current_url).path == "/municipality/KNL48":
            return True
        dash_duo.driver.execute_script(
            "const gd = document.querySelector('#coverage-map-graph .js-plotly-plot');"
            "if (gd) { gd.emit('plotly_click', {points: [{curveNumber: 1, pointNumber: arguments[0],"
            " pointIndex: arguments[0], location: 'KNL48'}]}); }", index)
        time.sleep(0.5)
        return False

    until(dash_duo, clicked, timeout=15)
    dash_duo.wait_for_text_to_equal("#municipality-title", "Община Дупница", timeout=15)


@pytest.mark.parametrize("path, status, lang, text", [
    ("/municipality/XXX99", 404, "bg", "404 — няма такава община"),
    ("/municipality/XXX99?lang=en", 404, "en", "404 — no such municipality"),
    ("/nosuchpage", 404, "bg", "Страницата не е намерена"),
    ("/nosuchpage?lang=en", 404, "en", "Page not found"),
    ("/embed/nochart", 404, "bg", "Няма такава графика: nochart"),
    ("/embed/nochart?lang=en", 404, "en", "No such chart: nochart"),
    ("/municipality/KNL48", 200, "bg", "Община Дупница"),
    ("/embed/capacity-by-group", 200, "bg", None),
])
def test_an_address_that_names_nothing_answers_404_in_the_ui_language(
        dash_duo, dash_app, path, status, lang, text):  # noqa: F811
    assert dash_app.server.test_client().get(path).status_code == status
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    if text:
        until(dash_duo, lambda: text in dash_duo.find_element("body").text, timeout=15)
    until(dash_duo, lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == lang)


@pytest.mark.parametrize("search, note", [
    (f"municipality={quote('Дупница')}", "Всички планове в избора са по Закона за социалните услуги"),
    (f"municipality={quote('Ихтиман')},{quote('Кресна')}", "Всички планове в избора са отпреди Закона"),
    ("", None),  # plans of 2013 to 2021: both sides of 1 July 2020
])
def test_the_types_switch_shows_where_it_changes_something_and_says_what_it_means(
        dash_duo, dash_app, search, note):  # noqa: F811
    open_page(dash_duo, dash_app, "/capacity?" + search)
    switch = dash_duo.find_element("#capacity-types")
    assert switch.is_displayed()
    explained = dash_duo.find_elements("#capacity-types-explained")
    if note:
        assert explained and note in explained[0].text
    else:
        assert not explained
    # grouped by setting or target group, the switch changes nothing: it is not shown
    dash_duo.driver.find_element(By.XPATH, "//label[normalize-space()='среда']").click()
    until(dash_duo, lambda: not dash_duo.find_element("#capacity-types").is_displayed())
    assert "dim=setting" in dash_duo.driver.current_url


@pytest.mark.parametrize("path", ["/municipality/KNL48", f"/data?municipality={quote('Дупница')}"])
def test_the_municipality_page_and_data_do_not_scroll_sideways_at_375_px(dash_duo, dash_app, path):  # noqa: F811
    dash_duo.start_server(dash_app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    dash_duo.wait_for_page(dash_duo.server_url + path)
    until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot") or dash_duo.find_elements(".ag-row"), timeout=15)
    time.sleep(1)
    width = dash_duo.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width[1] == 375 and width[0] <= 375, width


@pytest.mark.parametrize("path", ["/", "/capacity", "/funding", "/coverage", "/changes", "/municipality/KNL48",
                                  "/embed/changes-timeline"])
def test_every_chart_has_an_accessible_name(dash_duo, dash_app, path):  # noqa: F811
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot"), timeout=15)
    time.sleep(1)
    names = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => {"
        " const f = g.closest('[role=figure]'); return [g.parentElement.id, f ? f.getAttribute('aria-label') : null]; });")
    assert names and all(name for _, name in names), names
