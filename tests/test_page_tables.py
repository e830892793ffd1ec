"""The page tables (dashboard/components.py table, drawn by dashboard/assets/page_tables.js): what the server sends
(display texts, the numbers a number column sorts by, headers in the UI language, the notice of rows left out), and
in Chromium: the table drawn from it, texts shown as written (never as HTML), sorting by a header click (numbers as
numbers, texts in Bulgarian order, blanks last both ways, equal keys in the server's order), and a new table drawn
when the server sends one."""

from __future__ import annotations

import json
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import pytest
from dash import Input, Output, html

from dashboard.components import table

ASSETS = Path(__file__).resolve().parents[1] / "dashboard" / "assets"
HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b> {{7*7}}"

COLUMNS = [("municipality", "col_municipality", "text"), ("year", "col_year", "text"),
           ("name", "col_name", "text"), ("capacity", "col_capacity", "number"), ("status", "col_status", "label:status")]
FRAME = pd.DataFrame({
    "municipality": ["Дупница", "Стара Загора", "Белово", "Ямбол"],
    "year": [2021, 2015, 2020, 2019],
    "name": ["ЦОП", HOSTILE, "Дневен център", "Център за обществена подкрепа"],
    "capacity": [1200.0, None, 9.0, 30.0],
    "status": ["continuing", "closing", "new", "continuing"],
})


def spec_of(component) -> dict:
    host = component if "page-table" in (getattr(component, "className", "") or "") else component.children[0]
    return json.loads(getattr(host, "data-table"))


def test_the_server_sends_display_texts_and_the_numbers_a_column_sorts_by():
    spec = spec_of(table(FRAME, COLUMNS, "bg"))
    assert [c["header"] for c in spec["columns"]] == ["Община", "Година", "Услуга", "Капацитет", "Статус"]
    assert [c["number"] for c in spec["columns"]] == [False, False, False, True, False]
    # read from FRAME above: 1200 places shown with the Bulgarian thousands separator, a missing one blank
    assert [row[3] for row in spec["rows"]] == ["1 200", "", "9", "30"]
    assert spec["numbers"][3] == [1200.0, None, 9.0, 30.0] and spec["numbers"][0] is None
    assert [row[4] for row in spec["rows"]] == ["продължава", "закрива се", "нова", "продължава"]
    assert spec["rows"][1][2] == HOSTILE  # as written: the browser puts it in as text
    english = spec_of(table(FRAME, COLUMNS, "en"))
    assert english["lang"] == "en" and english["columns"][0]["header"] == "Municipality"
    assert [row[4] for row in english["rows"]] == ["continuing", "closing", "new", "continuing"]


def test_rows_left_out_are_told_and_an_empty_table_says_so():
    frame = FRAME.assign(total_rows=250)
    shown = table(frame, COLUMNS, "bg", max_rows=2)
    assert len(spec_of(shown)["rows"]) == 2
    assert shown.children[1].children == "Показани са първите 2 от 250 реда — стеснете филтрите, за да видите останалите."
    assert isinstance(table(FRAME.iloc[:0], COLUMNS, "bg"), dbc.Alert)


def test_no_page_uses_a_grid_component_for_its_tables():
    source = (Path(__file__).resolve().parents[1] / "dashboard" / "components.py").read_text(encoding="utf-8")
    assert "AgGrid" not in source


# ------------------------------------------------------------------------------------ in Chromium

@pytest.fixture()
def table_app():
    # the dashboard's own callbacks (registered with its modules) name components this page has not
    app = dash.Dash(__name__, assets_folder=str(ASSETS), suppress_callback_exceptions=True)
    app.layout = html.Div([html.Button("next", id="next"), html.Div(table(FRAME, COLUMNS, "bg"), id="box")])

    @app.callback(Output("box", "children"), Input("next", "n_clicks"), prevent_initial_call=True)
    def replace(_):
        return table(FRAME.iloc[:2].assign(name=["първи", "втори"]), COLUMNS, "bg")

    return app


def shown(dash_duo) -> list[list[str]]:
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#box tbody tr'))"
        ".map(r => Array.from(r.cells).map(c => c.textContent));")


def sort_by(dash_duo, column: int) -> None:
    dash_duo.find_elements("#box th button")[column].click()


def test_the_table_is_drawn_shows_text_as_written_and_sorts(dash_duo, table_app):
    dash_duo.start_server(table_app)
    dash_duo.wait_for_element("#box tbody tr")
    rows = shown(dash_duo)
    assert [r[0] for r in rows] == ["Дупница", "Стара Загора", "Белово", "Ямбол"]  # the server's order
    assert rows[1][2] == HOSTILE
    assert dash_duo.driver.execute_script(
        "return document.querySelectorAll('#box img, #box b').length;") == 0
    assert [h.text for h in dash_duo.find_elements("#box th")] == ["Община", "Година", "Услуга", "Капацитет", "Статус"]
    sort_by(dash_duo, 3)  # capacity: as numbers (9 < 30 < 1 200), the blank last
    assert [r[3] for r in shown(dash_duo)] == ["9", "30", "1 200", ""]
    assert dash_duo.find_elements("#box th")[3].get_attribute("aria-sort") == "ascending"
    sort_by(dash_duo, 3)  # again: reversed, the blank still last
    assert [r[3] for r in shown(dash_duo)] == ["1 200", "30", "9", ""]
    assert dash_duo.find_elements("#box th")[3].get_attribute("aria-sort") == "descending"
    sort_by(dash_duo, 0)  # texts in Bulgarian order
    assert [r[0] for r in shown(dash_duo)] == ["Белово", "Дупница", "Стара Загора", "Ямбол"]
    assert dash_duo.find_elements("#box th")[3].get_attribute("aria-sort") == "none"
    sort_by(dash_duo, 4)  # закрива се, нова, продължава: the equal ones in the server's order (Дупница, Ямбол)
    assert [r[0] for r in shown(dash_duo)] == ["Стара Загора", "Белово", "Дупница", "Ямбол"]
    dash_duo.find_element("#next").click()  # the server sends another table: it is drawn
    dash_duo.wait_for_text_to_equal("#box tbody tr:first-child td:nth-child(3)", "първи")
    assert len(shown(dash_duo)) == 2
    assert dash_duo.get_logs() == []


def test_every_page_table_naming_a_municipality_links_to_its_page(sample_db):
    """Each page table with a municipality column shows it as a link (kind 'municipality') and its query returns the
    EKATTE code the link is made of (dupnitsa-2021.txt is Дупница, KNL48)."""
    import app  # noqa: F401  (registers the pages)
    from dashboard import db
    from dashboard.pages import capacity, changes, funding

    db.set_database(sample_db)
    tables = {"capacity stated": capacity.STATED_COLUMNS, "capacity observed": capacity.OBSERVED_COLUMNS,
              "funding project-only": funding.PROJECT_COLUMNS, "funding amounts": funding.AMOUNT_COLUMNS,
              "changes": changes.COLUMNS}
    for name, columns in tables.items():
        kinds = {column: kind for column, header, kind in columns if header == "col_municipality"}
        assert kinds == {"municipality_label": "municipality"}, name
    for query in ("capacity_changes_stated", "capacity_changes_observed", "project_only", "funding_amounts", "changes"):
        df = db.run_query(query, limit=5, oblasts=[], municipalities=["Дупница"], years=[], target_groups=[],
                          service_types=[])
        assert "municipality_code" in df, query
        assert set(df["municipality_code"].dropna()) <= {"KNL48"}, query
    page = str(capacity.update(None, ["Дупница"], None, None, None, "service_type", "bg")[1])
    assert "KNL48" in page  # the stated changes of Дупница link to /municipality/KNL48
