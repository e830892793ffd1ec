"""A municipality is its EKATTE code across the dashboard: the two municipalities named Бяла (Varna oblast, VAR05;
Ruse oblast, RSE04) are two choices in the filter bar, two series, two rows, never one number; names and tables
link to /municipality/<code>. Browser tests: `pytest --headless`.

Golden values are read from the two plans written by hand in tests/fixtures/byala/ (the sample's text format):
- byala-varna-2021.txt, heading "Община Бяла, област Варна": row 1 Домашен социален патронаж, "капацитет 60
  места", общински бюджет; row 2 Център за обществена подкрепа, "капацитет 25 места", делегирана от държавата
  дейност: 2 services, 85 places, 60 of them home-based, 25 in the community;
- byala-ruse-2021.txt, heading "Община Бяла, област Русе": row 1 Домашен социален патронаж, "капацитет 40
  места", общински бюджет: 1 service, 40 places, home-based.
With them, data/plans/dupnitsa-2021.txt (a municipality whose name is its own: chosen by name as before).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import db
from tests.helpers import REPO, reference_dir, until

from .test_browser_pages import dash_app, open_page  # noqa: F401  (the app on the sample database)

FIXTURES = REPO / "tests" / "fixtures" / "byala"
HOME, COMMUNITY = "В домашна среда", "В общността"

needs_reference = pytest.mark.skipif(not (reference_dir() / "ekatte").is_dir(), reason="EKATTE not available")
pytestmark = needs_reference


@pytest.fixture(scope="module")
def byala_db(tmp_path_factory) -> Path:
    plans = tmp_path_factory.mktemp("byala") / "plans"
    plans.mkdir()
    for source in [*FIXTURES.glob("*.txt"), REPO / "data" / "plans" / "dupnitsa-2021.txt"]:
        (plans / source.name).write_bytes(source.read_bytes())
    out = plans.parent / "plans.duckdb"
    cmd = [sys.executable, "-m", "etl", "build", "--plans", str(plans), "--db", str(out),
           "--reference", str(reference_dir()), "--quiet"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, f"etl build failed:\n{done.stdout}\n{done.stderr}"
    return out


@pytest.fixture()
def app_on_byala(byala_db):
    import app  # noqa: F401  (registers the pages)

    db.set_database(byala_db)
    return byala_db


def home_and_community(fig: dict) -> dict:
    return {t["name"]: dict(zip(t["y"], t["x"], strict=True)) for t in fig["data"]}


def test_both_byala_are_in_the_filter_with_their_oblast(app_on_byala):
    from dashboard.components import accepted_values, filter_choices

    bg = {o["value"]: o["label"] for o in filter_choices("bg")["municipality"]}
    assert bg["VAR05"] == "Бяла (Варна)" and bg["RSE04"] == "Бяла (Русе)"
    assert bg["Дупница"] == "Дупница (Кюстендил)"  # a name of its own stays the value: old addresses still work
    assert "Бяла" not in bg  # no choice stands for two municipalities
    en = {o["value"]: o["label"] for o in filter_choices("en")["municipality"]}
    assert en["VAR05"] == "Byala (Varna)" and en["RSE04"] == "Byala (Ruse)"
    assert {"VAR05", "RSE04", "Дупница"} <= accepted_values()["municipality"]


def test_an_address_naming_byala_alone_is_refused_not_read_as_both(app_on_byala):
    from dashboard.components import accepted_values
    from dashboard.state import state_from_query, validate_state

    query = {"municipality": "Бяла,Дупница"}
    state, ignored = validate_state(state_from_query(query), accepted_values(), query)
    assert state["municipality"] == ["Дупница"]
    assert ignored == [("municipality", "Бяла")]


def test_choosing_one_byala_gives_only_its_numbers(app_on_byala):
    from dashboard.db import run_query
    from dashboard.pages import capacity
    from dashboard.state import filter_params

    fig = capacity.update(None, ["VAR05"], None, None, None, "setting", "bg", "compare")[0]
    assert home_and_community(fig) == {"Бяла (Варна) 2021": {HOME: 60, COMMUNITY: 25}}
    head = run_query("overview_headline", **filter_params(municipality=["RSE04"])).iloc[0]
    assert (head["services"], head["capacity"], head["municipalities"]) == (1, 40, 1)
    head = run_query("overview_headline", **filter_params(municipality=["VAR05"])).iloc[0]
    assert (head["services"], head["capacity"], head["municipalities"]) == (2, 85, 1)


def test_comparing_both_gives_two_series_in_two_colours(app_on_byala):
    from dashboard.pages import capacity, changes, funding

    fig = capacity.update(None, ["VAR05", "RSE04"], None, None, None, "setting", "bg", "compare")[0]
    assert home_and_community(fig) == {"Бяла (Варна) 2021": {HOME: 60, COMMUNITY: 25},
                                       "Бяла (Русе) 2021": {HOME: 40}}
    assert len({t["marker"]["color"] for t in fig["data"]}) == 2
    # added up only when the reader asks: one series of the year, saying it holds 2 municipalities
    summed = capacity.update(None, ["VAR05", "RSE04"], None, None, None, "setting", "bg", "sum")[0]
    assert home_and_community(summed) == {"2021 (2 общини)": {HOME: 100, COMMUNITY: 25}}
    # the funding rows: one per plan, the municipal budget in both, the state-delegated service only in Varna's
    mix = funding.update(None, ["VAR05", "RSE04"], None, None, None, "services", "en", "compare")[0]
    rows = {t["name"]: sorted(t["y"]) for t in mix["data"]}
    assert rows == {"Municipal budget": ["Byala (Ruse) 2021", "Byala (Varna) 2021"],
                    "State-delegated": ["Byala (Varna) 2021"]}
    # the changes timeline: a bar per municipality, never one for "Бяла" (both plans are first plans: no change
    # observed, and none stated, so the chart is empty rather than summed)
    timeline = changes.update(None, ["VAR05", "RSE04"], None, None, None, "bg", "compare")[0]
    assert not any("Бяла" == name for t in timeline["data"] for name in (t.get("x") or [[], []])[-1])


def test_the_overview_counts_two_municipalities(app_on_byala):
    from dashboard.db import run_query
    from dashboard.pages import overview
    from dashboard.state import filter_params

    head = run_query("overview_headline", **filter_params(municipality=["VAR05", "RSE04"])).iloc[0]
    assert (head["municipalities"], head["services"], head["capacity"]) == (2, 3, 125)  # 2 + 1 services, 85 + 40
    _, counts, completeness = overview.update(None, ["VAR05", "RSE04"], None, None, None, "bg")
    assert "Заредени планове: 2; общини с план: 2 от 265" in counts
    assert sorted(completeness["data"][0]["y"]) == ["Бяла (Варна)", "Бяла (Русе)"]  # two rows, each with its oblast
    _, counts, _ = overview.update(None, None, None, None, None, "bg")
    assert "общини с план: 3 от 265" in counts  # both Бяла and Дупница


def test_table_rows_link_to_each_municipality_by_code(app_on_byala):
    from dashboard.components import table
    from dashboard.db import run_query
    from dashboard.state import filter_params

    rows = run_query("funding_mix", **filter_params(municipality=["VAR05", "RSE04"]))
    assert sorted(zip(rows["municipality_label"], rows["municipality_code"], rows["funding_mix"], rows["services"],
                      strict=True)) == [("Бяла (Варна)", "VAR05", "municipal", 1), ("Бяла (Варна)", "VAR05",
                                        "state_delegated", 1), ("Бяла (Русе)", "RSE04", "municipal", 1)]
    columns = [("municipality_label", "col_municipality", "municipality"), ("year", "col_year", "text"),
               ("funding_mix", "col_funding", "label:funding"), ("services", "col_services", "number")]

    def spec(df) -> dict:
        return json.loads(table(df, columns, "bg").to_plotly_json()["props"]["data-table"])

    shown = spec(rows)
    assert [r[0] for r in shown["rows"]] == rows["municipality_label"].tolist()
    assert shown["links"][0] == rows["municipality_code"].tolist()  # the municipality column links by code
    assert shown["links"][1:] == [None, None, None]
    # only a code of three capital letters and two digits makes an address
    odd = spec(rows.assign(municipality_code=["VAR05", "x/../1", None]))
    assert odd["links"][0] == ["VAR05", None, None]
    # the page tables' queries carry the code of each row's municipality
    assert "municipality_code" in run_query("funding_amounts", limit=1, **filter_params())


def test_the_map_download_is_the_metric_shown(app_on_byala):
    from dashboard import downloads

    def columns(metric: str) -> tuple[list[str], list[dict]]:
        out = io.BytesIO()
        downloads.write_file("coverage-map", {**downloads.state_from_query({"metric": metric})}, out)
        text = out.getvalue().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        return next(csv.reader(io.StringIO(text))), rows

    header, rows = columns("capacity")
    assert header == ["municipality_code", "municipality", "oblast", "year", "capacity"]
    # Дупница 2021: 795 places in rows 1-20 and 20 foster families in row 26 (tests/test_municipality_page.py)
    assert {r["municipality_code"]: r["capacity"] for r in rows} == {"VAR05": "85", "RSE04": "40", "KNL48": "815"}
    header, _ = columns("per_1000")
    assert header[-3:] == ["places", "population", "per_1000"]
    header, _ = columns("nonsense")  # not a metric: the map's first, services
    assert header[-1] == "services"


def test_a_click_on_a_municipality_in_a_page_table_opens_its_page(dash_duo, dash_app):  # noqa: F811
    """Sample database: the stated changes of Дупница 2021 (row 1, "от 20 на 30 места") name Дупница, KNL48."""
    open_page(dash_duo, dash_app, "/capacity?municipality=Дупница")
    first = "#capacity-stated-table a.municipality-link"
    # the table is drawn by assets/page_tables.js (maybe twice: with the page, then by the callback): read and click
    # the link in the page itself, never through an element reference the redraw may have replaced
    text, href = until(dash_duo, lambda: dash_duo.driver.execute_script(
        "const a = document.querySelector(arguments[0]); return a && [a.textContent, a.href];", first))
    assert text == "Дупница"
    assert href.endswith("/municipality/KNL48")
    dash_duo.driver.execute_script("document.querySelector(arguments[0]).click();", first)
    until(dash_duo, lambda: dash_duo.driver.current_url.endswith("/municipality/KNL48"))
    title = dash_duo.wait_for_element("#municipality-title", timeout=15)
    assert "Дупница" in title.text
