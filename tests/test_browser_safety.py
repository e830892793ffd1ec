"""Safety in real Chromium (issue #5) and the synthetic banner: hostile text from a plan is shown as
text, a hand-edited URL gives a notice, a rebuilt database is picked up. Run with `pytest --headless`."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.common.exceptions import NoAlertPresentException

import app  # creates the Dash app, which registers the pages
from dashboard import db
from dashboard.pages import data
from dashboard.state import filter_params
from tests.helpers import current_query, run_etl, severe_logs, until

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
HOSTILE_NAME = "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) {{7*7}}"
HOSTILE_TEXT = '<script>alert(1)</script> <a href="javascript:alert(1)">връзка</a> javascript:alert(1)'
HOSTILE_PLACE = 'с. Бобошево <a href="https://evil.example/phish">Кликни тук</a> <sup>x</sup>'


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """Дупница 2021 with row 3's service name, description and place replaced by hostile text."""
    out = tmp_path_factory.mktemp("hostile")
    plans = out / "plans"
    plans.mkdir()
    lines = (REPO / "data" / "plans" / "dupnitsa-2021.txt").read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("3.\t"))
    cells = lines[row].split("\t")
    cells[1] = "Център за социална рехабилитация и интеграция за деца " + HOSTILE_NAME
    cells[2] = HOSTILE_TEXT
    cells[3] = HOSTILE_PLACE  # a settlement the coverage chart names in a tick label and hover text
    lines[row] = "\t".join(cells)
    (plans / "dupnitsa-2021.txt").write_text("\n".join(lines), encoding="utf-8")
    run_etl("build", "--plans", str(plans), "--db", str(out / "plans.duckdb"), "--quiet")
    return out / "plans.duckdb"


def start(dash_duo, path: str, database: Path) -> None:
    db.set_database(database)
    dash_duo.start_server(app.app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_page(dash_duo.server_url + path)
    dash_duo.wait_for_element("#filters-municipality", timeout=15)


def no_alert(dash_duo) -> None:
    with pytest.raises(NoAlertPresentException):
        dash_duo.driver.switch_to.alert.text  # noqa: B018 — raises when no dialog is open


def no_injected_elements(dash_duo) -> None:
    found = dash_duo.driver.execute_script(
        "return {img: document.querySelectorAll('img[src=\"x\"]').length,"
        " js: document.querySelectorAll('a[href^=\"javascript\"]').length,"
        " script: Array.from(document.scripts).filter(s => s.text.includes('alert(1)')).length,"
        " bold: Array.from(document.querySelectorAll('strong, b')).filter(b => b.textContent === 'bold').length};"
    )
    assert found == {"img": 0, "js": 0, "script": 0, "bold": 0}


def page_text(dash_duo) -> str:
    return dash_duo.driver.execute_script("return document.body.innerText;")


def test_hostile_text_is_shown_as_text_in_the_grid_and_source_view(dash_duo, hostile_db):
    start(dash_duo, "/data?municipality=" + quote("Дупница"), hostile_db)
    stored = db.run_query("data_grid", **filter_params(), **data.grid_params(None, "bg", None, csv=True))
    stored = stored[stored["name"].str.contains("onerror", na=False)]
    assert len(stored) == 1
    until(dash_duo, lambda: "onerror" in page_text(dash_duo), timeout=15)
    time.sleep(1)  # give any injected handler the chance to fire
    no_alert(dash_duo)
    no_injected_elements(dash_duo)
    text = page_text(dash_duo)
    assert stored["name"].iloc[0] in text  # the name as stored, character for character
    assert "<script>alert(1)</script>" in text  # the original line (source view), verbatim
    assert "{{7*7}}" in text and "49" not in text.split("{{7*7}}")[0][-5:]
    assert "**bold** [x](javascript:alert(1))" in text


@pytest.mark.parametrize("path", ["/capacity", "/funding", "/changes", "/coverage"])
def test_hostile_text_on_other_pages(dash_duo, hostile_db, path):
    start(dash_duo, path + "?municipality=" + quote("Дупница"), hostile_db)
    until(dash_duo, lambda: dash_duo.find_elements(".js-plotly-plot"), timeout=15)
    time.sleep(1.5)
    no_alert(dash_duo)
    no_injected_elements(dash_duo)


@pytest.mark.parametrize("path", ["/capacity", "/coverage"])
def test_document_markup_in_charts_is_text(dash_duo, hostile_db, path):
    """plotly.js reads <a href>, <sup>, <b> in chart texts: a settlement's name from a plan is drawn as
    written, with no link and no element of its own (issue #17, item 4)."""
    start(dash_duo, path + "?municipality=" + quote("Дупница"), hostile_db)
    until(dash_duo, lambda: len(dash_duo.find_elements(".js-plotly-plot .main-svg")) >= 2, timeout=15)
    time.sleep(1.5)
    found = dash_duo.driver.execute_script(
        "const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));"
        "const links = plots.flatMap(p => Array.from(p.querySelectorAll('a')))"
        "  .filter(a => (a.getAttribute('href') || a.getAttribute('xlink:href') || '').includes('evil.example')"
        "    || a.outerHTML.includes('evil.example'));"
        "return {links: links.length + document.querySelectorAll('a[href*=\"evil.example\"]').length,"
        " text: plots.map(p => p.textContent).join(' ')};"
    )
    assert found["links"] == 0
    if path == "/coverage":  # the settlement's name is a tick label, character for character
        assert 'Бобошево <a href="https://evil.example/phish">Кликни тук</a> <sup>x</sup>' in found["text"]
    no_alert(dash_duo)
    no_injected_elements(dash_duo)


def test_bad_url_gives_a_notice_not_an_error(dash_duo, sample_db):
    query = "?municipality=" + quote("Нищо,Дупница") + "&year=abc,1800&oblast=X&service_type=NOPE&dim=zzz"
    start(dash_duo, "/capacity" + query, sample_db)
    notice = dash_duo.wait_for_element("#url-notice", timeout=10).text
    for part in ("община = Нищо", "година = abc", "година = 1800", "област = X", "вид услуга = NOPE"):
        assert part in notice
    until(dash_duo, lambda: dash_duo.find_elements("#capacity-by-group-graph .js-plotly-plot"))
    assert "Дупница" in dash_duo.find_element("#filters-municipality").text
    until(dash_duo, lambda: "municipality=Дупница" in current_query(dash_duo))
    assert "Нищо" not in current_query(dash_duo) and "year=" not in current_query(dash_duo)
    time.sleep(1)
    assert severe_logs(dash_duo) == []
    assert not dash_duo.find_elements(".dash-fe-error__title")


def test_synthetic_banner(dash_duo, tmp_path):
    run_etl("synth", "--out", str(tmp_path / "corpus"), "--municipalities", "3", "--years", "2020-2020", "--seed", "1")
    run_etl("build", "--plans", str(tmp_path / "corpus" / "plans"), "--db", str(tmp_path / "s.duckdb"), "--quiet")
    start(dash_duo, "/funding", tmp_path / "s.duckdb")
    banner = dash_duo.wait_for_element("#synthetic-banner").text
    assert "Синтетични данни — не са реални планове" in banner and "Synthetic data — not real plans" in banner


def test_rebuilt_database_is_picked_up_without_restart(dash_duo, tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(REPO / "data" / "plans" / "kresna-2020.txt", plans)
    path = tmp_path / "plans.duckdb"
    run_etl("build", "--plans", str(plans), "--db", str(path), "--quiet")
    start(dash_duo, "/data", path)
    first = until(dash_duo, lambda: dash_duo.find_element("#data-count").text)
    shutil.copy(REPO / "data" / "plans" / "dupnitsa-2021.txt", plans)
    run_etl("build", "--plans", str(plans), "--db", str(path), "--quiet")
    dash_duo.wait_for_page(dash_duo.server_url + "/data?municipality=" + quote("Дупница"))
    dash_duo.wait_for_text_to_equal("#data-count", "Показани редове: 39", timeout=15)
    assert first != "Показани редове: 39"
    assert not dash_duo.find_elements("#url-notice")
    assert severe_logs(dash_duo) == []
