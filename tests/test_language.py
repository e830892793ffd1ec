"""Language and polish (issue 19, item 9): Bulgarian throughout the Bulgarian UI, a complete English UI with names
transliterated, <html lang>, a 404 page in the UI's language, no plotly cloud button, accessible charts, usable at
375 px. Browser tests: `pytest --headless`."""

from __future__ import annotations

import re
import time

import pytest

from dashboard import db
from dashboard.i18n import latin
from tests.helpers import until

from .test_browser_pages import dash_app, open_page  # noqa: F401

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# the texts the product writes itself (not the documents' text): navbar, labels, buttons, headings, options,
# table headers, dropdown placeholders
STATIC = ("nav a, label, button, h1, h5, .form-check-label, th, .Select-placeholder, .dash-dropdown-placeholder, "
          ".ag-header-cell-text, .ag-paging-panel")


def static_texts(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText.trim()).filter(t => t);",
        STATIC)


def test_transliteration_follows_the_2009_act():
    assert [latin(n) for n in ["Стара Загора", "София", "Дупница", "с. Бистрица", "Любимец", "Щипско", "Ябълково"]] == [
        "Stara Zagora", "Sofia", "Dupnitsa", "s. Bistritsa", "Lyubimets", "Shtipsko", "Yabalkovo"]


def test_bulgarian_ui_has_no_english_grid_texts_and_html_lang_bg(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, "/data")
    until(dash_duo, lambda: dash_duo.find_elements(".ag-row"))
    until(dash_duo, lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == "bg")
    grid = dash_duo.find_element("#data-grid").text
    assert "Страница" in grid  # the paging panel: "Страница 1 от 2"
    for word in ("Page", "of", "to", "Select All", "First", "Next", "Loading"):
        assert not re.search(rf"\b{word}\b", grid), word
    labels = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#data-grid [aria-label], #data-grid [title]'))"
        ".map(e => (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('title') || ''));")
    assert not [text for text in labels if re.search(r"\b(Page|Filter|Select All|Next|Previous)\b", text)]


def test_charts_have_no_cloud_button_a_name_a_table_and_bulgarian_tools(dash_duo, dash_app):  # noqa: F811
    open_page(dash_duo, dash_app, "/capacity?municipality=Ихтиман&dim=setting")
    until(dash_duo, lambda: dash_duo.find_elements("#capacity-by-group-graph .modebar-btn"))
    titles = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title'));")
    assert titles and not [t for t in titles if re.search(r"cloud|chart studio|share|plotly", t, re.I)]
    assert "Изтегли като PNG" in titles and all(CYRILLIC.search(t) for t in titles)
    assert not dash_duo.find_elements(".modebar-btn--logo")
    # out of the tab order; the chart named after its title; its numbers in a visually hidden table
    focusable = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn')).filter(b => b.tabIndex >= 0).length;")
    assert focusable == 0
    figure = dash_duo.find_element("#capacity-by-group-graph").find_element("xpath", "ancestor::*[@role='figure']")
    assert figure.get_attribute("aria-label") == "Капацитет по среда"
    rows = until(dash_duo, lambda: dash_duo.driver.execute_script(
        "const f = document.querySelector('#capacity-by-group-graph').closest('[role=figure]');"
        "return Array.from(f.querySelectorAll('.chart-table tr')).map(r => Array.from(r.cells).map(c => c.textContent));"))
    assert ["Ихтиман 2020", "В домашна среда", "228"] in rows  # 100 + 5 + 123 (ihtiman-2020.txt lines 28, 39, 40)
    # plotly's numbers in the Bulgarian format: no "k" abbreviation, the language's separators
    ticks = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#capacity-by-group-graph .xtick text')).map(t => t.textContent);")
    assert ticks and not [t for t in ticks if t.endswith("k")]


def test_english_ui_has_no_cyrillic_in_its_own_texts(dash_duo, dash_app):  # noqa: F811
    for path in ["/capacity?lang=en&municipality=Дупница", "/coverage?lang=en", "/data?lang=en"]:
        open_page(dash_duo, dash_app, path)
        until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot") or dash_duo.find_elements(".ag-row"))
        until(dash_duo, lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == "en")
        time.sleep(0.5)
        # (the language switch names the other language in its own script: "Български")
        leaks = [text for text in static_texts(dash_duo) if CYRILLIC.search(text) and text != "Български"]
        assert leaks == [], path


def test_english_charts_name_municipalities_in_latin(sample_db):
    from dashboard.pages import capacity, coverage

    db.set_database(sample_db)
    fig = capacity.update(None, ["Дупница", "Ихтиман"], None, None, None, "setting", "en")[0]
    assert sorted(t["name"] for t in fig["data"]) == ["Dupnitsa 2021", "Ihtiman 2020"]
    towns, town, options, plan = coverage.plan_options(None, ["Дупница"], None, None, None, None, None, "en")
    assert towns == [{"label": "Dupnitsa", "value": "Дупница"}] and options[0]["label"] == "Dupnitsa 2021"


@pytest.mark.parametrize("lang, title", [("bg", "Страницата не е намерена"), ("en", "Page not found")])
def test_404_page_in_the_ui_language(dash_duo, dash_app, lang, title):  # noqa: F811
    response = dash_app.server.test_client().get("/no-such-page" + ("?lang=en" if lang == "en" else ""))
    assert response.status_code == 404
    dash_duo.start_server(dash_app)
    dash_duo.wait_for_page(dash_duo.server_url + "/no-such-page" + ("?lang=en" if lang == "en" else ""))
    dash_duo.wait_for_text_to_equal("#not-found-title", title)
    until(dash_duo, lambda: dash_duo.driver.execute_script("return document.documentElement.lang") == lang)


@pytest.mark.parametrize("path", ["/", "/capacity?municipality=Дупница", "/funding", "/coverage", "/changes", "/data"])
def test_usable_at_375_px(dash_duo, dash_app, path):  # noqa: F811
    dash_duo.start_server(dash_app)
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 375, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    dash_duo.wait_for_page(dash_duo.server_url + path)
    until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot") or dash_duo.find_elements(".ag-row"))
    time.sleep(1)
    width = dash_duo.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth];")
    assert width[1] == 375 and width[0] <= 375, width
    # the navbar folds its links under the menu button
    assert dash_duo.find_element("#navbar-toggler").is_displayed()
    assert not dash_duo.find_element("#navbar-collapse").is_displayed()
    plots = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => g.getBoundingClientRect().width);")
    assert all(0 < w <= 375 for w in plots)
