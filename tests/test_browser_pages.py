"""What a person does on each page, in real Chromium (dash_duo): run with `pytest --headless`.

Expected numbers are read from the sample plans in data/plans/ (e.g. Дупница 2021 row 1: ЦОП,
"от 20 на 30 места", ДДД; row 18: Домашен социален патронаж, 220, общински бюджет).
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard import db
from tests.helpers import current_query, severe_logs, until

pytestmark = pytest.mark.browser

PAGES = ["/", "/capacity", "/funding", "/coverage", "/changes", "/data"]
# the plotly.js in the assets (dashboard/plotly/build.mjs): its version and trace types, from its header
PLOTLY_JS = Path(__file__).resolve().parents[1] / "dashboard" / "assets" / "plotly.min.js"
PLOTLY_VERSION, PLOTLY_TRACES = re.match(r"/\*\*\s*\* plotly\.js v([\d.]+) \(([\w, ]+)\)",
                                         PLOTLY_JS.read_text(encoding="utf-8")[:400]).groups()


@pytest.fixture()
def dash_app(sample_db):
    import app

    db.set_database(sample_db)
    return app.app


def open_page(dash_duo, dash_app, path: str) -> None:
    dash_duo.start_server(dash_app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_element("#filters-municipality", timeout=15)


def traces(dash_duo, graph_id: str) -> list[dict]:
    return dash_duo.driver.execute_script(
        "const el = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "const arr = v => v == null ? null : Array.from(v._inputArray || v);"  # plotly typed arrays
        "return el && el.data ? el.data.map(t => ({name: t.name, x: arr(t.x), y: arr(t.y), type: t.type}))"
        " : null;",
        f"#{graph_id}",
    )


def bar_values(dash_duo, graph_id: str, name: str) -> dict:
    data = traces(dash_duo, graph_id) or []
    trace = next((t for t in data if t["name"] == name), None)
    return (
        {} if trace is None else {y: x for y, x in zip(trace["y"], trace["x"], strict=True) if x is not None}
    )


def choose(dash_duo, key: str, option: str) -> None:
    dash_duo.select_dcc_dropdown(f"#filters-{key}", option)
    dash_duo.find_element("body").send_keys(Keys.ESCAPE)


def table_rows(dash_duo, container_id: str) -> list[list[str]]:
    """The rows a page table shows (drawn by assets/page_tables.js inside `container_id`), as lists of cell texts in
    column order."""
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#' + arguments[0] + ' tbody tr'))"
        ".map(r => Array.from(r.cells).map(c => c.textContent.trim()));",
        container_id,
    )


def downloaded_csv(dash_duo, name: str) -> list[dict]:
    path = Path(dash_duo.download_path) / name
    until(dash_duo, lambda: path.is_file() and path.stat().st_size > 0, timeout=15)
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["bg", "en"])
def test_page_loads_without_console_errors(dash_duo, dash_app, path, lang):
    open_page(dash_duo, dash_app, path + ("?lang=en" if lang == "en" else ""))
    until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot") or dash_duo.find_elements(".ag-row"))
    time.sleep(1)
    assert severe_logs(dash_duo) == []
    if dash_duo.find_elements(".js-plotly-plot"):  # drawn by the plotly.js in the assets, not by dcc's own bundle
        version, registered, used, fetched = dash_duo.driver.execute_script(
            "return [Plotly.version, Object.keys(Plotly.PlotSchema.get().traces),"
            " Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(g => g.data.map(t => t.type || 'scatter')),"
            " performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('plotly'))];")
        assert version == PLOTLY_VERSION
        assert sorted(registered) == sorted(PLOTLY_TRACES.split(", "))
        assert set(used) <= set(registered)
        assert [name for name in fetched if "/assets/plotly.min.js" not in name] == []
        # each chart asked for the margins its labels, legend and colour bar need (figures.needed_margins):
        # plotly.js did not have to widen one and draw the chart again
        widened = dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(g => g.data.length)"
            ".flatMap(g => ['l', 'r', 't', 'b'].filter(k => Math.round(g._fullLayout._size[k]) > g.layout.margin[k])"
            ".map(k => [g.id, k, g.layout.margin[k], Math.round(g._fullLayout._size[k])]));")
        assert widened == []
    # page tables (assets/page_tables.js): each drawn with every row and column the server sent, no grid component
    drawn = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.page-table[data-table]')).map(h => {"
        " const spec = JSON.parse(h.dataset.table); const t = h.querySelector('table');"
        " return [spec.rows.length, spec.columns.length, t ? t.tBodies[0].rows.length : -1,"
        " t ? t.tHead.rows[0].cells.length : -1]; });")
    for rows, columns, body_rows, header_cells in drawn:
        assert (body_rows, header_cells) == (rows, columns)
    assert not dash_duo.find_elements(".page-table .ag-root-wrapper")
    brand = dash_duo.find_element(".navbar-brand").text
    assert brand == (
        "Municipal social services — annual plans"
        if lang == "en"
        else "Социални услуги в общините — годишни планове"
    )


def test_overview_filter_url_and_language(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/")
    choose(dash_duo, "municipality", "Дупница (Кюстендил)")
    choose(dash_duo, "service-type", "Център за обществена подкрепа")
    dash_duo.wait_for_text_to_equal("#overview-kpi-services", "2")  # rows 1 and 2: ЦОП
    dash_duo.wait_for_text_to_equal("#overview-kpi-capacity", "60")  # 30 + 30 places
    dash_duo.wait_for_text_to_equal("#overview-kpi-delegated", "100,0 %")
    until(dash_duo, lambda: "municipality=Дупница" in current_query(dash_duo))
    url = dash_duo.driver.current_url
    assert "service_type=COP" in current_query(dash_duo)

    dash_duo.wait_for_page(url)  # the copied link restores the same view
    dash_duo.wait_for_text_to_equal("#overview-kpi-services", "2")
    assert "Дупница" in dash_duo.find_element("#filters-municipality").text

    dash_duo.find_element("#nav-lang").click()
    dash_duo.wait_for_text_to_equal("#nav-lang", "Български")
    until(dash_duo, lambda: "lang=en" in current_query(dash_duo))
    dash_duo.wait_for_text_to_equal("#overview-kpi-delegated", "100.0%")
    assert "Overview" in dash_duo.find_element(".navbar").text


def test_capacity_filter_updates_chart_and_download(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/capacity")
    choose(dash_duo, "municipality", "Дупница (Кюстендил)")
    choose(dash_duo, "service-type", "Домашен социален патронаж")
    until(
        dash_duo,
        lambda: (
            bar_values(dash_duo, "capacity-by-group-graph", "Дупница 2021")
            == {"Домашен социален патронаж": 220}
        ),
    )
    dash_duo.find_element("#capacity-by-group-csv-button").click()
    rows = downloaded_csv(dash_duo, "capacity.csv")
    dash_duo.wait_for_page(dash_duo.server_url + "/capacity")  # the sample's plans: Стара Загора 2015,
    # Ихтиман 2020 and Кресна 2020, Дупница 2021; the 2020 points are only on the community/home lines
    years = until(dash_duo, lambda: dash_duo.driver.execute_script(
        "const g = document.querySelector('#capacity-di-graph .js-plotly-plot');"
        "return g && g._fullLayout && g._fullLayout.xaxis._categories;"))
    assert years == [str(y) for y in range(2015, 2022)]  # every year from the first to the last: gaps show
    assert [(r["municipality"], r["service_type"], r["capacity"]) for r in rows] == [
        ("Дупница", "HOME_PATRONAGE", "220")  # dupnitsa-2021.txt line 40, as written (not "220.0")
    ]


def test_capacity_url_restores_view(dash_duo, dash_app):
    query = "?municipality=" + quote("Дупница") + "&service_type=COP&dim=setting"
    open_page(dash_duo, dash_app, "/capacity" + query)
    until(
        dash_duo,
        lambda: bar_values(dash_duo, "capacity-by-group-graph", "Дупница 2021") == {"В общността": 60},
    )
    stated = until(dash_duo, lambda: table_rows(dash_duo, "capacity-stated-table"))
    assert [row[3:6] for row in stated].count(["20", "30", "10"]) == 2  # "от 20 на 30 места", twice
    assert dash_duo.find_element("input[type=radio][value=setting]").is_selected()


def test_funding_mix_measure_and_language(dash_duo, dash_app):
    query = "?municipality=" + quote("Дупница") + "&service_type=HOME_PATRONAGE"
    open_page(dash_duo, dash_app, "/funding" + query)
    until(
        dash_duo,
        lambda: bar_values(dash_duo, "funding-mix-graph", "Общински бюджет") == {"Дупница 2021": 100},
    )
    dash_duo.find_element(
        "label[for='_dash_radio_funding_capacity'], .form-check-input[value=capacity]"
    ).click()
    until(dash_duo, lambda: "measure=capacity" in current_query(dash_duo))
    dash_duo.find_element("#nav-lang").click()
    until(
        dash_duo,
        lambda: bar_values(dash_duo, "funding-mix-graph", "Municipal budget") == {"Dupnitsa 2021": 100},
    )
    assert "measure=capacity" in current_query(dash_duo)


def test_coverage_plan_matrix_and_map(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/coverage?municipality=" + quote("Дупница"))
    until(dash_duo, lambda: "plan=dupnitsa-2021" in current_query(dash_duo))
    heat = until(dash_duo, lambda: traces(dash_duo, "coverage-matrix-graph"))
    assert "Цялата община" in heat[0]["x"] and "Дупница" in heat[0]["x"]
    map_traces = until(dash_duo, lambda: traces(dash_duo, "coverage-map-graph"))
    assert map_traces[-1]["type"] == "choroplethmap"
    # the chosen plan's matrix as a file (the plan is passed with the click, dashboard/downloads.py)
    # clicked by script: the map below may still be changing the page's height (a pointer click at the
    # button's old place then lands on another element)
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.find_element("#coverage-matrix-csv-button"))
    rows = downloaded_csv(dash_duo, "coverage_dupnitsa-2021.csv")
    # dupnitsa-2021.txt lines 20 and 22: family-type centres in гр. Дупница, 14 and 12 places
    in_town = {r["service_type"]: r["capacity"] for r in rows if r["settlement"] == "Дупница"}
    assert in_town["CNST_CHILDREN_DISABLED"] == "14" and in_town["CNST_CHILDREN"] == "12"
    assert severe_logs(dash_duo) == []


def test_coverage_plan_chosen_by_municipality_then_year(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/coverage")
    until(dash_duo, lambda: "plan=dupnitsa-2021" in current_query(dash_duo))  # the first municipality's first plan
    dash_duo.select_dcc_dropdown("#coverage-plan-municipality", "Стара Загора")
    until(dash_duo, lambda: "plan=stara-zagora-2015" in current_query(dash_duo))
    until(dash_duo, lambda: "Стара Загора 2015" in dash_duo.find_element("#coverage-matrix-graph .gtitle").text)
    assert dash_duo.find_element("#coverage-plan-municipality").text.strip().startswith("Стара Загора")
    assert severe_logs(dash_duo) == []


def test_changes_table_from_url(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/changes?municipality=" + quote("Стара Загора") + "&year=2015")
    rows = until(dash_duo, lambda: table_rows(dash_duo, "changes-events-table"))
    table = [cell for row in rows for cell in row]
    assert table.count("закрива се") == 2  # ДДУИ с. Петрово, ДДУИ с. Сл. кладенец: закриване 2015
    assert "ДДУИ с. Петрово" in table
    bars = until(dash_duo, lambda: traces(dash_duo, "changes-timeline-graph"))
    closing = next(t for t in bars if t["name"] == "закрива се")
    assert closing["y"] == [2]


def test_data_grid_filter_and_csv(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/data")
    choose(dash_duo, "municipality", "Дупница (Кюстендил)")
    dash_duo.wait_for_text_to_equal("#data-count", "Показани редове: 39")
    until(dash_duo, lambda: "municipality=Дупница" in current_query(dash_duo))
    dash_duo.find_element("#data-csv-button").click()
    rows = downloaded_csv(dash_duo, "plan_items.csv")
    assert len(rows) == 39 and {r["municipality"] for r in rows} == {"Дупница"}
    first = next(r for r in rows if r["item_no"] == "1")
    assert first["service_type"] == "COP" and first["capacity"] in ("30", "30.0")
    assert "от 20 на 30 места" in first["source_text"]


def test_data_grid_column_filter_narrows_the_csv(dash_duo, dash_app):
    open_page(dash_duo, dash_app, "/data?municipality=" + quote("Дупница"))
    dash_duo.wait_for_text_to_equal("#data-count", "Показани редове: 39")
    box = dash_duo.find_element(
        ".ag-floating-filter[aria-colindex='5'] input, "
        ".ag-header-row-column-filter .ag-header-cell:nth-child(5) input"
    )
    box.send_keys("патронаж")
    until(dash_duo, lambda: dash_duo.find_element("#data-count").text != "Показани редове: 39")
    dash_duo.find_element("#data-csv-button").click()
    rows = downloaded_csv(dash_duo, "plan_items.csv")
    assert rows and all("патронаж" in r["name"].lower() for r in rows)
    assert len(rows) == int(dash_duo.find_element("#data-count").text.split(": ")[1])


def test_missing_database_message(dash_duo, tmp_path):
    import app

    db.set_database(tmp_path / "absent.duckdb")
    dash_duo.start_server(app.app)
    dash_duo.wait_for_contains_text(
        "#db-missing", "Базата данни не е намерена — изпълнете python -m etl build"
    )
