"""Page callbacks called as plain functions: on the tiny fixture DB and on the sample plans."""

from __future__ import annotations

import io
import json
from urllib.parse import unquote

import pandas as pd
import pytest

import app  # creates the Dash app, which registers the pages
import queries
from dashboard import db
from dashboard.components import page_shell, sync_url
from dashboard.grid import CSV_COLUMNS as GRID_CSV_COLUMNS
from dashboard.grid import GRID_FIELDS
from dashboard.pages import capacity, changes, coverage, data, funding, overview
from dashboard.state import filter_params
from tests.fixtures.make_tiny_db import make_tiny_db
from tests.helpers import texts

NO_FILTERS = (None, None, None, None, None)


def bars(fig: dict, name: str) -> dict:
    """{category: value} of the horizontal bar trace `name`."""
    trace = next(tr for tr in fig["data"] if tr["name"] == name)
    return {y: x for y, x in zip(trace["y"], trace["x"], strict=True) if x == x and x is not None}


def download(name: str, **query) -> pd.DataFrame:
    """The CSV the server streams for /download/<name>.csv?<query> (values: lists or JSON-able)."""
    params = {k: (json.dumps(v) if k == "grid" else v) for k, v in query.items()}
    response = app.server.test_client().get(f"/download/{name}.csv", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return pd.read_csv(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff")))


def grid(filters=NO_FILTERS, request=None, lang="bg"):
    """The data grid's first page for the filter bar `filters`: (rows, count text, model)."""
    request = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}, **(request or {})}
    response, count, model = data.rows_page(request, *filters, lang)
    return response["rowData"], count, model


@pytest.fixture()
def tiny(tmp_path):
    db.set_database(make_tiny_db(tmp_path / "plans.duckdb"))


@pytest.fixture()
def sample(sample_db):
    db.set_database(sample_db)


# --- tiny database: behaviour -------------------------------------------------------------


def test_overview_headline_on_tiny(tiny):
    # the latest plan of each municipality, never two years added: Дупница 2021 (4 services, 30 + 40 + 220 + 15
    # places, 2 with ДДД) and Кресна 2020 (3 services, 22 + 50 + 15 places, 1 with ДДД)
    kpis, counts, fig = overview.update(*NO_FILTERS, "bg")
    shown = texts(kpis)
    assert "7" in shown and "392" in shown and "42,9 %" in shown
    assert any("2020–2021: 2 общини, 2 плана (от 3 избрани)" in s for s in shown)
    # one year chosen: that year's plans (Дупница 2020: 3 services with 20 + 60 + 200 places and a club)
    kpis, _, _ = overview.update(None, None, [2020], None, None, "bg")
    shown = texts(kpis)
    assert "7" in shown and "367" in shown and any("2020: 2 общини, 2 плана (от 2 избрани)" in s for s in shown)
    assert counts.startswith("Заредени планове: 3; общини с план: 2 от 3")
    assert fig["data"][0]["type"] == "heatmap"


def test_empty_selection_shows_a_message_not_a_blank_chart(tiny):
    fig, stated, observed, di = capacity.update(None, ["Няма такава"], None, None, None, "service_type", "bg")
    assert fig["layout"]["meta"] == {"empty": True}
    assert fig["layout"]["annotations"][0]["text"] == "Няма данни за избраните филтри"
    assert "Няма данни за избраните филтри" in texts(stated)


def test_observed_changes_between_consecutive_plans(tiny):
    _, _, observed, _ = capacity.update(None, ["Дупница"], None, None, None, "service_type", "bg")
    rows = texts(observed)
    assert "Дом за стари хора" in rows and "-20" in rows and "2020" in rows


def test_a_year_filter_still_compares_with_the_previous_plan(tiny):
    """Only 2021 selected: its plan is compared with Дупница's 2020 plan, which the filter leaves out."""
    _, _, observed, _ = capacity.update(None, ["Дупница"], [2021], None, None, "service_type", "bg")
    rows = texts(observed)
    assert "Дом за стари хора" in rows and "-20" in rows and "2020" in rows
    _, table = changes.update(None, ["Дупница"], [2021], None, None, "bg")
    assert "липсва в следващия план" in texts(table)


def test_changes_combine_stated_and_observed(tiny):
    fig, table = changes.update(None, ["Дупница"], None, None, None, "bg")
    shown = texts(table)
    assert "липсва в следващия план" in shown and "сравнение на планове" in shown
    assert "разширена" in shown


def test_language_switches_labels(tiny):
    fig = capacity.update(None, None, [2020], None, None, "setting", "en")[0]
    assert fig["layout"]["title"]["text"] == "Capacity by setting"
    assert "Institution" in bars(fig, "Dupnitsa 2020")  # names transliterated in the English UI


def test_coverage_marks_municipality_wide_services(tiny):
    towns, town, options, value = coverage.plan_options(None, ["Дупница"], [2021], None, None, None, None)
    assert (towns, town, value, len(options)) == (["Дупница"], "Дупница", "dupnitsa-2021", 1)
    fig, unserved = coverage.update("dupnitsa-2021", None, None, "bg", options)
    assert "Цялата община" in fig["data"][0]["x"]
    assert "с. Крайници" in texts(unserved) and "с. Самораново" in texts(unserved)


def test_coverage_plan_pickers_keep_the_municipality_and_year():
    plans = pd.DataFrame([("a-2020", "A", 2020), ("a-2021", "A", 2021), ("b-2021", "B", 2021), ("b-2022", "B", 2022)],
                         columns=["plan_id", "municipality", "year"])

    def chosen(town, current):
        towns, town, options, plan = coverage.plan_choices(plans, town, current)
        assert towns == ["A", "B"] and plan in [o["value"] for o in options]
        return town, plan, [o["label"] for o in options]

    assert chosen(None, None) == ("A", "a-2020", ["A 2020", "A 2021"])  # nothing chosen: the first plan
    assert chosen(None, "b-2022") == ("B", "b-2022", ["B 2021", "B 2022"])  # the address's plan
    assert chosen("B", "a-2021")[:2] == ("B", "b-2021")  # another municipality: the same year
    assert chosen("B", "a-2020")[:2] == ("B", "b-2021")  # ... or its first plan
    assert chosen("Z", "nope")[:2] == ("A", "a-2020")  # unknown values: the first
    assert coverage.plan_choices(plans.head(0), "A", "a-2020") == ([], None, [], None)


def test_map_notice_without_boundaries(tiny, monkeypatch, tmp_path):
    monkeypatch.setenv("SSP_REFERENCE_DIR", str(tmp_path / "none"))
    fig, notice = coverage.update_map(*NO_FILTERS, "services", "bg")
    assert "Картата не е налична" in texts(notice)[0]


def test_data_csv_has_exactly_the_filtered_rows(tiny):
    kresna = (None, ["Кресна"], None, None, None)
    rows, count, model = grid(kresna)
    assert len(rows) == 3 and rows[0]["source_text"] and count == "Показани редове: 3"
    # a column filter in the grid narrows the page, the count and the CSV alike
    request = {"filterModel": {"source_line": {"filterType": "number", "type": "lessThan", "filter": 22}}}
    rows, count, model = grid(kresna, request)
    assert [r["source_line"] for r in rows] == [20, 21] and count == "Показани редове: 2"
    table = download("data", municipality="Кресна", grid=model)
    assert list(table["source_line"]) == [20, 21]
    assert list(table.columns) == GRID_CSV_COLUMNS


def test_data_grid_pages_sorts_and_filters_on_the_server(tiny):
    rows, count, _ = grid(request={"startRow": 0, "endRow": 5})
    assert len(rows) == 5 and count == "Показани редове: 12"
    rest, _, _ = grid(request={"startRow": 5, "endRow": 100})
    assert len(rest) == 7 and not {r["item_id"] for r in rows} & {r["item_id"] for r in rest}
    by_capacity, _, _ = grid(request={"sortModel": [{"colId": "capacity", "sort": "desc"}]})
    capacities = [r["capacity"] for r in by_capacity if r["capacity"] is not None]
    assert capacities == sorted(capacities, reverse=True)
    text = {"name": {"filterType": "text", "type": "contains", "filter": "ПАТРОНАЖ"}}
    rows, count, _ = grid(request={"filterModel": text})
    assert rows and all("патронаж" in r["name"].lower() for r in rows)
    # unknown columns, filter types and junk values are ignored, never an error
    junk = {"nope": {"type": "contains", "filter": "x"}, "name": {"type": "drop table"}, "capacity": "x"}
    assert grid(request={"filterModel": junk})[1] == "Показани редове: 12"


def test_url_sync_writes_filters_to_links():
    nav_ids = [{"type": "nav", "page": "capacity"}]
    search, navs, toggle = sync_url(
        None,
        ["Дупница"],
        [2021],
        None,
        None,
        ["setting"],
        [{"page": "capacity", "view": "dim"}],
        nav_ids,
        "bg",
        "/capacity",
    )
    assert search.startswith("?municipality=") and "year=2021" in search and "dim=setting" in search
    assert navs == ["/capacity" + search]
    assert toggle.endswith("lang=en")


def test_missing_database_page_says_so(tmp_path):
    db.set_database(tmp_path / "absent.duckdb")
    page = page_shell("overview", {}, overview.body)
    assert "Базата данни не е намерена — изпълнете python -m etl build" in texts(page)


# --- sample plans: numbers read from data/plans/*.txt ------------------------------------------


def test_sample_dupnitsa_cop(sample):
    kpis, counts, fig = overview.update(None, ["Дупница"], None, None, ["COP"], "bg")
    shown = texts(kpis)
    # rows 1 and 2: ЦОП, "от 20 на 30 места", Делегирана от държавата дейност
    assert shown[0] == "2" and "60" in shown and "100,0 %" in shown
    _, stated, _, _ = capacity.update(None, ["Дупница"], None, None, ["COP"], "service_type", "bg")
    assert texts(stated).count("20") == 2 and texts(stated).count("30") == 2


def test_sample_dupnitsa_home_patronage(sample):
    fig = capacity.update(None, ["Дупница"], None, None, ["HOME_PATRONAGE"], "service_type", "bg")[0]
    assert bars(fig, "Дупница 2021") == {"Домашен социален патронаж": 220}
    mix = funding.update(None, ["Дупница"], None, None, ["HOME_PATRONAGE"], "services", "bg")[0]
    assert bars(mix, "Общински бюджет") == {"Дупница 2021": 100}


def test_sample_five_plans_loaded(sample):
    _, counts, fig = overview.update(*NO_FILTERS, "bg")
    assert counts.startswith("Заредени планове: 5; общини с план: 5 от 265")
    assert set(fig["data"][0]["x"]) == {"2013", "2015", "2020", "2021"}


def test_sample_stara_zagora_closes_two_institutions(sample):
    _, table = changes.update(None, ["Стара Загора"], [2015], None, None, "bg")
    shown = texts(table)
    assert shown.count("закрива се") == 2
    assert "ДДУИ с. Петрово" in shown


def test_sample_lyubimets_amounts(sample):
    _, _, fig, table = funding.update(None, ["Любимец"], None, None, None, "services", "bg")
    assert "244 440" in texts(table)  # Домашен социален патронаж, общо отпуснат 244440 лв.


def test_sample_oblast_filter(sample):
    rows, count, _ = grid((["Кюстендил"], None, None, None, None))
    assert {r["municipality"] for r in rows} == {"Дупница"}
    assert len(rows) == 39 and count == "Показани редове: 39"


def test_figures_are_plain_json(sample):
    """Figures are plain dicts of lists, numbers and strings (no plotly objects, no numpy values)."""
    import json

    figs = [
        *overview.update(*NO_FILTERS, "bg")[2:],
        *capacity.update(*NO_FILTERS, "target_group", "en")[::3],
        *funding.update(*NO_FILTERS, "capacity", "bg")[::2],
        changes.update(*NO_FILTERS, "bg")[0],
        coverage.update("dupnitsa-2021", None, None, "bg", None)[0],
        coverage.update_map(*NO_FILTERS, "services", "bg")[0],
    ]
    for fig in figs:
        assert isinstance(fig, dict) and set(fig) == {"data", "layout"}
        json.dumps(fig, allow_nan=False)


def test_many_plans_are_summed_per_year(sample):
    """More plans than fit as bars: one series per year, named with its number of municipalities."""
    from dashboard import figures

    fig = capacity.update(*NO_FILTERS, "setting", "bg")[0]
    assert {tr["name"] for tr in fig["data"]} == {"Дупница 2021", "Ихтиман 2020", "Стара Загора 2015"}
    chart = db.run_query("capacity_chart", max_series=2, **filter_params())
    fig = figures.capacity_by(chart, "setting", "en")
    assert [tr["name"] for tr in fig["data"]] == ["2015 (1 municipality)", "2020 (1 municipality)",
                                                 "2021 (1 municipality)"]
    assert figures.capacity_by(chart, "setting", "bg")["data"][0]["name"] == "2015 (1 община)"
    total = sum(sum(tr["x"]) for tr in fig["data"])
    assert total == db.run_query("capacity_chart", max_series=8, **filter_params())["capacity"].sum()


def test_data_grid_and_csv_show_where_a_docx_record_stands(tmp_path):
    """Provenance for Word/PDF sources: the grid and the CSV carry the table and row, not only a line."""
    from etl.build import build
    from etl.reference import load_reference
    from tests.fixtures.make_formats import build_docx
    from tests.helpers import REPO, reference_dir

    plans = tmp_path / "plans"
    plans.mkdir()
    build_docx(REPO / "data" / "plans" / "lyubimets-2013.txt", plans / "lyubimets-2013.docx")
    build(plans, tmp_path / "plans.duckdb", load_reference(reference_dir()))
    db.set_database(tmp_path / "plans.duckdb")
    rows, _, model = grid()
    patronage = next(r for r in rows if r["name"] == "Домашен социален патронаж")
    assert patronage["source_file"] == "lyubimets-2013.docx"
    assert patronage["source_ref"].startswith("табл. ") and ", ред " in patronage["source_ref"]
    table = download("data", grid=model)
    assert table["source_ref"].notna().all() and len(table) == 16


def find(component, cid):
    """The component with id `cid` in a Dash component tree, or None."""
    if isinstance(component, list | tuple):
        return next((f for c in component if (f := find(c, cid)) is not None), None)
    if getattr(component, "id", None) == cid:
        return component
    children = getattr(component, "children", None)
    return None if children is None else find(children, cid)


DRAWN_WITH_DATA = [
    (overview, "Дупница", (), {"overview-completeness-graph": 2}),
    (capacity, "Стара Загора", ("service_type",), {"capacity-by-group-graph": 0, "capacity-di-graph": 3}),
    (funding, "Любимец", ("services",), {"funding-mix-graph": 0, "funding-amounts-graph": 2}),
    (changes, "Стара Загора", (), {"changes-timeline-graph": 0}),
]


@pytest.mark.parametrize(("module", "municipality", "view", "graphs"), DRAWN_WITH_DATA,
                         ids=[m.__name__.rsplit(".", 1)[-1] for m, *_ in DRAWN_WITH_DATA])
def test_pages_are_drawn_with_their_data(sample, module, municipality, view, graphs):
    """A page arrives with its charts drawn for the URL's filters (no callback round trip on load), the
    same charts its callback draws when the filters change."""
    page = module.layout(municipality=municipality, lang="en")
    expected = module.update(None, [municipality], None, None, None, *view, "en")
    for graph_id, output in graphs.items():
        figure = find(page, graph_id).figure
        assert figure["data"], graph_id
        assert figure == expected[output]


def test_coverage_page_is_drawn_with_its_plan(sample):
    page = coverage.layout(municipality="Кресна")
    picker = find(page, coverage.PLAN_ID)
    assert [o["label"] for o in picker.options] == ["Кресна 2020"] and picker.value == "kresna-2020"
    matrix, _ = coverage.update("kresna-2020", [], [], "bg", picker.options)
    assert find(page, "coverage-matrix-graph").figure == matrix


def test_callbacks_of_pages_drawn_with_data_do_not_fire_on_load():
    """What the browser is told (/_dash-dependencies): the callbacks that redraw these charts wait for a
    change of their inputs."""
    outputs = {"overview-completeness-graph", "capacity-by-group-graph", "funding-mix-graph", "changes-timeline-graph",
               "coverage-matrix-graph", "coverage-map-graph"}
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    waiting = {o for dep in deps for o in outputs if f"{o}.figure" in dep["output"] and dep.get("prevent_initial_call")}
    assert waiting == outputs


def test_warming_draws_every_default_view_once(sample):
    """After app.warm_default_views (run by each gunicorn worker at start), the default view of every
    page is drawn without a query but the constant ones (filter options, reference counts)."""
    import dash

    def queries_run() -> list[str]:
        ran = []
        db.set_observer(lambda name, ms: ran.append(name))
        try:
            for page in dash.page_registry.values():
                page["layout"]()
        finally:
            db.set_observer(None)
        return ran

    db.set_database(db.database_path())  # forget everything remembered: drawing the pages runs queries
    assert {"completeness", "capacity_chart", "changes"} <= set(queries_run())
    db.set_database(db.database_path())
    app.warm_default_views()
    assert set(queries_run()) <= db.CONSTANT_QUERIES


def test_a_large_heatmap_shows_a_colour_scale_instead_of_cell_numbers():
    from dashboard import figures

    def plans(municipalities: int) -> pd.DataFrame:
        rows = [(f"Община {m:03}", y, m + y) for m in range(municipalities) for y in range(2013, 2027)]
        return pd.DataFrame(rows, columns=["municipality", "year", "items"])

    small = figures.completeness(plans(5), "bg")["data"][0]
    assert small["texttemplate"] == "%{z}" and small["showscale"] is False
    national = figures.completeness(plans(265), "bg")["data"][0]
    assert "texttemplate" not in national and national["showscale"] is True
    assert len(national["y"]) == 265 and national["z"][0][0] is not None  # the numbers are all still there


def test_page_arrives_with_its_clean_address_and_links(sample):
    """The address the page puts in the browser's bar (url-search) and its nav links are drawn with
    it: unknown values dropped, page options filled in; no sync_url round trip on load."""
    from urllib.parse import unquote

    page = capacity.layout(municipality="Нищо,Дупница", year="abc")
    assert unquote(find(page, "url-search").data) == "?municipality=Дупница&dim=service_type&combine=compare&types=old"
    link = find(page, {"type": "nav", "page": "funding"}).href
    assert unquote(link) == "/funding?municipality=Дупница&dim=service_type&combine=compare&types=old"
    page = coverage.layout(municipality="Кресна")
    assert unquote(find(page, "url-search").data) == "?municipality=Кресна&plan=kresna-2020&metric=services"
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    sync = next(d for d in deps if "url-search.data" in d["output"] and d.get("clientside_function") is None)
    assert sync.get("prevent_initial_call")


def test_data_grid_opens_with_the_plain_page_query(sample):
    """No column filter and no sort: data_page.sql; a sort or any number of filters: data_grid.sql, written for the
    grid's state — the same rows either way, with the grid's columns."""
    ran: list[str] = []
    db.set_observer(lambda name, ms: ran.append(name))
    # filters that keep every row of Дупница 2021 (39 rows; lines 6-69 of dupnitsa-2021.txt, year 2021)
    keep_all = {"source_line": {"filterType": "number", "type": "greaterThan", "filter": 0},
                "year": {"filterType": "number", "type": "equals", "filter": 2021},
                "municipality": {"filterType": "text", "type": "startsWith", "filter": "Дуп"},
                "source_file": {"filterType": "text", "type": "contains", "filter": "DUPNITSA-2021"},
                "source_text": {"filterType": "text", "type": "notBlank"}}
    pages = {}
    try:
        for n in (0, 1, 3, 4, 5):
            model = dict(list(keep_all.items())[:n])
            rows, count, _ = grid((None, ["Дупница"], None, None, None), {"startRow": 5, "endRow": 25, "filterModel": model})
            pages[n] = (ran[:], rows, count)
            ran.clear()
    finally:
        db.set_observer(None)
    assert [pages[n][0] for n in pages] == [["data_page"], ["data_grid"], ["data_grid"], ["data_grid"], ["data_grid"]]
    assert {pages[n][2] for n in pages} == {"Показани редове: 39"}
    assert len(pages[0][1]) == 20 and all(pages[n][1] == pages[0][1] for n in pages)
    assert all(list(pages[n][1][0]) == GRID_FIELDS for n in pages)  # no CSV column is sent


def test_grid_records_hold_the_same_values_as_the_query_frame(sample):
    """The grid's page comes as plain records (no DataFrame): the same values as the query's DataFrame."""
    request = {"startRow": 0, "endRow": 60, "sortModel": [], "filterModel": {}}
    rows, _, _ = grid(request=request)
    frame = db.run_query("data_page", **filter_params(), **data.grid_params(request, "bg", 60, 0))
    expected = frame.drop(columns=["total_rows"]).astype(object).where(frame.notna(), None).to_dict("records")
    assert len(rows) == 60 and rows == expected
    assert all(type(r["year"]) is int for r in rows)  # not numpy scalars: they must be plain JSON values


def test_a_database_built_by_another_version_is_named_on_every_page(tmp_path, caplog):
    """A database whose summary tables and macros came from another queries/derived.sql (built by an
    older version: before 02f150e the /data grid's sort failed on it) gets a notice on every page and a
    warning in the log; a current one does not."""
    path = make_tiny_db(tmp_path / "plans.duckdb")
    db.set_database(path)
    assert not db.derived_outdated()
    assert find(overview.layout(), "outdated-banner") is None
    import os

    import duckdb

    older = make_tiny_db(tmp_path / "older.duckdb")
    con = duckdb.connect(str(older))
    con.execute("delete from build_info where key = 'derived_sha256'")  # as written before it was recorded
    con.close()
    os.replace(older, path)  # as a build replaces the file
    for module in (overview, capacity, funding, coverage, changes, data):
        banner = find(module.layout(lang="en"), "outdated-banner")
        assert banner is not None and "python -m etl build" in banner.children
    assert "was built with another queries/derived.sql (not recorded" in caplog.text


def test_a_build_records_the_derived_sql_it_used(sample):
    import hashlib

    built = db.run_query("reference_counts").iloc[0]["derived_sha256"]
    assert built == hashlib.sha256(queries.path("derived").read_bytes()).hexdigest()
    assert not db.derived_outdated()


# widths in px at 12 px of Arial, from the font's own advance widths (Liberation Sans, Arial's metric twin)
ARIAL_12PX = {
    "Долна Митрополия": 106.96,
    "Център за настаняване от семеен тип": 212.87,
    "2021 (265 общини)": 104.83,
    "Residential care for adults with disabilities": 222.11,
}


@pytest.mark.parametrize("text", sorted(ARIAL_12PX))
def test_label_widths_are_estimated_a_little_wide(text):
    from dashboard import figures

    assert 1.0 <= figures.text_px(text) / ARIAL_12PX[text] <= 1.15


def test_figures_reserve_the_margins_their_labels_legend_and_colour_scale_need():
    from dashboard import figures

    longest = "Център за настаняване от семеен тип"
    bars = [{"type": "bar", "orientation": "h", "name": f"{2013 + i} (265 общини)", "y": [longest, "ЦОП"],
             "x": [1200.0, 80.0]} for i in range(14)]
    layout = figures.style("t", "x", "", "bg", height=2000, barmode="group")
    fig = figures.figure(bars, layout)
    margin = fig["layout"]["margin"]
    assert margin["l"] >= ARIAL_12PX[longest] + 28  # plotly.js: widest label + 28 px without a y title
    assert margin["l"] <= ARIAL_12PX[longest] + 28 + 40  # and not much more
    assert margin["r"] >= 10 + figures.text_px("1k") / 2  # the last x tick label's overhang
    # 14 legend entries of ~150 px take 3 rows of 1200 - l - r px, 67 px, which sit 3 % of the plot's height
    # (~55 px) above it: more than the 115 px the title leaves
    assert margin["t"] >= 67 + 55 + 10
    one_row = figures.figure(bars[:2], figures.style("t", "x", "", "bg", height=2000, barmode="group"))
    assert one_row["layout"]["margin"]["t"] == 115
    heat = {"type": "heatmap", "z": [[1, 250]], "x": ["2021", "2022"], "y": ["Дупница"], "colorbar": {"thickness": 12}}
    assert figures.figure([heat], figures.style("t", "", "y", "bg"))["layout"]["margin"]["r"] >= 12 + 53 + 20
    assert "margin" not in figures.empty("t", "bg")["layout"]  # nothing drawn, nothing reserved


def test_a_heatmap_row_without_a_plan_draws_and_a_cell_links_to_its_plan():
    """The completeness heatmap of an oblast lists its municipalities without a plan too (year null): the figure
    draws them as empty rows, and a cell's link is its row's municipality joined to its column's year."""
    from dashboard import figures

    df = pd.DataFrame([("Якоруда", None, None), ("Банско", 2020, 12), ("Банско", 2021, 14)],
                      columns=["municipality", "year", "items"])
    heat = figures.completeness(df, "bg")["data"][0]
    assert heat["y"] == ["Якоруда", "Банско"] and heat["x"] == ["2020", "2021"]
    assert heat["z"] == [[None, None], [12, 14]]
    rows, columns = heat["meta"]["rows"], heat["meta"]["columns"]
    assert unquote(rows[1]) == "municipality=Банско" and columns == ["year=2020", "year=2021"]
