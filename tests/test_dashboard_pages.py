"""Page callbacks called as plain functions: on the tiny fixture DB and on the sample plans."""

from __future__ import annotations

import pandas as pd
import pytest

import app  # noqa: F401  (creates the Dash app, which registers the pages)
from dashboard import db
from dashboard.components import page_shell, sync_url
from dashboard.pages import capacity, changes, coverage, data, funding, overview
from tests.fixtures.make_tiny_db import make_tiny_db

NO_FILTERS = (None, None, None, None, None)


def texts(component) -> list[str]:
    """All strings inside a Dash component tree (what a reader sees)."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [s for c in component for s in texts(c)]
    return texts(getattr(component, "children", None))


def bars(fig, name: str) -> dict:
    """{category: value} of the horizontal bar trace `name`."""
    trace = next(tr for tr in fig.data if tr.name == name)
    return {y: x for y, x in zip(trace.y, trace.x, strict=True) if x == x and x is not None}


@pytest.fixture()
def tiny(tmp_path):
    db.set_database(make_tiny_db(tmp_path / "plans.duckdb"))


@pytest.fixture()
def sample(sample_db):
    db.set_database(sample_db)


# --- tiny database: behaviour -------------------------------------------------------------


def test_overview_headline_on_tiny(tiny):
    kpis, counts, fig = overview.update(*NO_FILTERS, "bg")
    shown = texts(kpis)
    assert "11" in shown and "672" in shown and "45,5 %" in shown
    assert counts.startswith("Заредени планове: 3; общини с план: 2 от 3")
    assert fig.data[0].type == "heatmap"


def test_empty_selection_shows_a_message_not_a_blank_chart(tiny):
    fig, stated, observed, di = capacity.update(None, ["Няма такава"], None, None, None, "service_type", "bg")
    assert fig.layout.meta == {"empty": True}
    assert fig.layout.annotations[0].text == "Няма данни за избраните филтри"
    assert "Няма данни за избраните филтри" in texts(stated)


def test_observed_changes_between_consecutive_plans(tiny):
    _, _, observed, _ = capacity.update(None, ["Дупница"], None, None, None, "service_type", "bg")
    rows = texts(observed)
    assert "Дом за стари хора" in rows and "-20" in rows and "2020" in rows


def test_changes_combine_stated_and_observed(tiny):
    fig, table = changes.update(None, ["Дупница"], None, None, None, "bg")
    shown = texts(table)
    assert "липсва в следващия план" in shown and "сравнение на планове" in shown
    assert "разширена" in shown


def test_language_switches_labels(tiny):
    fig = capacity.update(None, None, None, None, None, "setting", "en")[0]
    assert fig.layout.title.text == "Capacity by setting"
    assert "Institution" in bars(fig, "Дупница 2020")


def test_coverage_marks_municipality_wide_services(tiny):
    options, value = coverage.plan_options(None, ["Дупница"], [2021], None, None, None)
    assert value == "dupnitsa-2021" and len(options) == 1
    fig, unserved = coverage.update("dupnitsa-2021", None, None, "bg", options)
    assert "Цялата община" in fig.data[0].x
    assert "с. Крайници" in texts(unserved) and "с. Самораново" in texts(unserved)


def test_map_notice_without_boundaries(tiny, monkeypatch, tmp_path):
    monkeypatch.setenv("SSP_REFERENCE_DIR", str(tmp_path / "none"))
    fig, notice = coverage.update_map(*NO_FILTERS, "bg")
    assert "Картата не е налична" in texts(notice)[0]


def test_data_csv_has_exactly_the_filtered_rows(tiny):
    rows = data.update(None, ["Кресна"], None, None, None, "bg")
    assert len(rows) == 3 and rows[0]["source_text"]
    csv = data.download_rows(1, rows[:2])
    table = pd.read_csv(pd.io.common.StringIO(csv["content"].lstrip("\ufeff")))
    assert list(table["source_line"]) == [20, 21]
    assert table.columns[0] == "plan_id"


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
    assert set(fig.data[0].x) == {"2013", "2015", "2020", "2021"}


def test_sample_stara_zagora_closes_two_institutions(sample):
    _, table = changes.update(None, ["Стара Загора"], [2015], None, None, "bg")
    shown = texts(table)
    assert shown.count("закрива се") == 2
    assert "ДДУИ с. Петрово" in shown


def test_sample_lyubimets_amounts(sample):
    _, _, fig, table = funding.update(None, ["Любимец"], None, None, None, "services", "bg")
    assert "244 440" in texts(table)  # Домашен социален патронаж, общо отпуснат 244440 лв.


def test_sample_oblast_filter(sample):
    rows = data.update(["Кюстендил"], None, None, None, None, "bg")
    assert {r["municipality"] for r in rows} == {"Дупница"}
    assert len(rows) == 39
