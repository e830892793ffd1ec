"""From a number to its source in two clicks (issue 19, item 6): a click on a bar of a page chart opens /data narrowed
to exactly the records behind the bar; a row chosen there shows its whole original text, file and line; the /data
CSV gives the same records; the filter bar changed on /data keeps the narrowing in the grid, the notice and the
address alike.

Expected values are read from the sample plan data/plans/dupnitsa-2021.txt:
- line 40, "Домашен социален патронаж ... капацитет 220 места", funded "Община Дупница – местна дейност";
- the services it funds from the municipal budget alone: line 25 (Център за кризисно настаняване на бездомни лица,
  "Община Дупница – местна дейност"), line 40 (the home patronage) and line 45 (Клуб на пенсионера, "Община
  Дупница – местни приходи."); line 46 (Клуб на инвалида, "местни приходи, НП") is mixed, and line 70 ("Местни
  приходи") is an activity, not a service."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, quote, urlsplit

from selenium.webdriver.common.action_chains import ActionChains

from dashboard import db
from tests.helpers import until

from .test_browser_pages import choose, dash_app, open_page, traces  # noqa: F401  (the app on the sample database)

DUPNITSA = quote("Дупница")


def click_bar(dash_duo, graph_id: str, trace_name: str, category: str, axis: str = "y") -> None:
    """A pointer click on the bar of trace `trace_name` at `category` of its `axis` ('y': a horizontal bar, 'x': a
    column); plotly turns it into clickData."""
    def where():
        for i, trace in enumerate(traces(dash_duo, graph_id) or []):
            categories = trace[axis] or []
            if trace["name"] == trace_name and category in categories:
                return i, categories.index(category)
        return None

    index, position = until(dash_duo, where, timeout=15)
    bar = dash_duo.driver.execute_script(
        "return document.querySelectorAll(arguments[0] + ' .barlayer .trace')[arguments[1]]"
        ".querySelectorAll('.point path')[arguments[2]];", f"#{graph_id}", index, position)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.3).click().perform()


def grid_rows(dash_duo) -> list[dict]:
    """The rows the /data grid holds (every loaded row: the grid's blocks are 100 rows)."""
    return dash_duo.driver.execute_script(
        "const api = dash_ag_grid.getApi('data-grid'); const out = [];"
        "api.forEachNode(n => { if (n.data) { out.push(n.data); } }); return out;")


def query(dash_duo) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(dash_duo.driver.current_url).query).items()}


def wait_rows(dash_duo, count: int) -> list[dict]:
    until(dash_duo, lambda: "/data" in dash_duo.driver.current_url, timeout=15)
    dash_duo.wait_for_element("#data-grid", timeout=20)
    return until(dash_duo, lambda: (lambda rows: rows if len(rows) == count else None)(grid_rows(dash_duo)),
                 timeout=20)


def test_a_capacity_bar_opens_the_records_behind_it(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/capacity?municipality={DUPNITSA}&year=2021")
    click_bar(dash_duo, "capacity-by-group-graph", "Дупница 2021", "Домашен социален патронаж")
    rows = wait_rows(dash_duo, 1)
    assert query(dash_duo) == {"municipality": "Дупница", "year": "2021", "service_type": "HOME_PATRONAGE"}
    (row,) = rows
    assert (row["source_file"], row["source_line"], row["capacity"]) == ("dupnitsa-2021.txt", 40, 220)
    assert "капацитет 220 места" in row["source_text"]
    # the second click: the row's whole original text, as text, with its file and line
    dash_duo.find_element(f".ag-row[row-id='{row['item_id']}'] .ag-cell[col-id='name']").click()
    text = until(dash_duo, lambda: dash_duo.find_element("#data-source-text").text)
    assert "Община Дупница – местна дейност" in text and "капацитет 220 места" in text
    place = dash_duo.find_element("#data-source-place").text
    assert "dupnitsa-2021.txt" in place and "40" in place


def test_a_setting_bar_narrows_to_its_setting(dash_duo, dash_app):  # noqa: F811
    """The setting has no control in the filter bar: the bar's narrowing is a /data-only key, shown in a notice."""
    open_page(dash_duo, dash_app, f"/capacity?municipality={DUPNITSA}&year=2021&service_type=HOME_PATRONAGE&dim=setting")
    click_bar(dash_duo, "capacity-by-group-graph", "Дупница 2021", "В домашна среда")
    (row,) = wait_rows(dash_duo, 1)
    assert query(dash_duo) == {"municipality": "Дупница", "year": "2021", "service_type": "HOME_PATRONAGE",
                               "setting": "home"}
    assert row["source_line"] == 40
    assert "В домашна среда" in dash_duo.find_element("#data-narrowed").text


def test_a_funding_mix_bar_opens_its_services(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, f"/funding?municipality={DUPNITSA}&year=2021")
    click_bar(dash_duo, "funding-mix-graph", "Общински бюджет", "Дупница 2021")
    rows = wait_rows(dash_duo, 3)
    assert query(dash_duo) == {"municipality": "Дупница", "year": "2021", "funding_mix": "municipal",
                               "only": "services"}
    assert sorted(r["source_line"] for r in rows) == [25, 40, 45]
    assert {r["source_file"] for r in rows} == {"dupnitsa-2021.txt"}
    notice = dash_duo.find_element("#data-narrowed").text
    assert "Общински бюджет" in notice
    # the CSV of /data: the same records (the address's narrowing, sent with the click)
    search = urlsplit(dash_duo.driver.current_url).query
    body = dash_duo.driver.execute_script(
        "const r = new XMLHttpRequest(); r.open('GET', '/download/data.csv?' + arguments[0], false); r.send();"
        "return r.responseText;", search)
    lines = sorted(int(r["source_line"]) for r in csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert lines == [25, 40, 45]


def test_the_filter_bar_keeps_the_narrowing_in_grid_notice_and_address(dash_duo, dash_app):  # noqa: F811
    """Changing the filter bar on /data keeps the chart's narrowing: the grid, the notice and the address agree; the
    notice's link to the whole selection follows the filter bar."""
    open_page(dash_duo, dash_app, f"/data?municipality={DUPNITSA}&year=2021&funding_mix=municipal&only=services")
    assert sorted(r["source_line"] for r in wait_rows(dash_duo, 3)) == [25, 40, 45]
    choose(dash_duo, "service-type", "Домашен социален патронаж")
    rows = until(dash_duo, lambda: (lambda r: r if len(r) == 1 else None)(grid_rows(dash_duo)), timeout=20)
    assert rows[0]["source_line"] == 40
    until(dash_duo, lambda: query(dash_duo).get("service_type") == "HOME_PATRONAGE")
    assert query(dash_duo)["funding_mix"] == "municipal" and query(dash_duo)["only"] == "services"
    link = until(dash_duo, lambda: (lambda h: h if "HOME_PATRONAGE" in h else None)(
        dash_duo.find_element("#data-narrowed a").get_attribute("href")))
    assert "funding_mix" not in link and "only=" not in link
    # the nav links to the other pages do not carry /data's narrowing
    capacity = dash_duo.find_element("#navbar-links a[href*='/capacity'], a[href*='/capacity']").get_attribute("href")
    assert "funding_mix" not in capacity and "HOME_PATRONAGE" in capacity


def test_an_unknown_narrowing_value_is_dropped_with_a_notice(sample_db):
    """A hand-edited address: a value outside the fixed list narrows nothing and is named in the notice."""
    import app  # noqa: F401  (registers the pages)
    from dashboard.pages import data

    db.set_database(sample_db)
    page = str(data.layout(municipality="Дупница", setting=["home", "x'; drop"]))
    assert "x&#x27;; drop" in page or "x'; drop" in page  # named in the notice of ignored values
    assert "data-narrowed" in page  # the valid value still narrows


def test_page_tables_show_the_source_line(sample_db):
    """dupnitsa-2021.txt lines 12 and 13: two ЦОП, each "от 20 на 30 места" — alike but for the line, which the
    stated-changes table shows; the project-only and amounts tables show file:line too."""
    import app  # noqa: F401  (registers the pages)
    from dashboard.pages import capacity, funding

    db.set_database(sample_db)
    stated = str(capacity.update(None, ["Дупница"], None, None, None, "service_type", "bg")[1])
    assert "dupnitsa-2021.txt:12" in stated and "dupnitsa-2021.txt:13" in stated
    project_only = str(funding.update(None, ["Дупница"], None, None, None, "services", "bg")[1])
    # line 22: ЦНСТ за деца без увреждания, funded by the project "Дом и подкрепа за всяко дете" alone
    assert "dupnitsa-2021.txt:22" in project_only
