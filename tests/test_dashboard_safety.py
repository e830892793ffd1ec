"""Safety of the dashboard (issue #5) and the synthetic-data banner: hand-edited URLs, a database
replaced while the app runs, a database built from a synthetic corpus."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import app  # creates the Dash app, which registers the pages
from dashboard import db, downloads
from dashboard.components import known_values, page_shell
from dashboard.pages import capacity, changes, coverage, data, funding, overview
from dashboard.state import state_from_query, validate_state
from tests.fixtures.make_tiny_db import make_tiny_db
from tests.helpers import run_etl, texts

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "overview": overview,
    "capacity": capacity,
    "funding": funding,
    "coverage": coverage,
    "changes": changes,
    "data": data,
}
KNOWN = {
    "oblast": {"Кюстендил"},
    "municipality": {"Дупница", "Кресна"},
    "year": {2020, 2021},
    "target_group": {"elderly"},
    "service_type": {"COP"},
}


@pytest.fixture()
def tiny(tmp_path):
    db.set_database(make_tiny_db(tmp_path / "plans.duckdb"))


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory) -> Path:
    """A database built from a small synthetic corpus (build_info synthetic = 'true')."""
    out = tmp_path_factory.mktemp("synth")
    run_etl("synth", "--out", str(out / "corpus"), "--municipalities", "3", "--years", "2020-2020", "--seed", "1")
    run_etl("build", "--plans", str(out / "corpus" / "plans"), "--db", str(out / "plans.duckdb"), "--quiet")
    return out / "plans.duckdb"


# --- URL parameters --------------------------------------------------------------------------


def test_unknown_values_and_malformed_years_are_dropped_and_named():
    query = {
        "oblast": "Атлантида",
        "municipality": "Дупница,Няма такава",
        "year": ["abc", "1800", "2021"],
        "service_type": "NOPE",
        "target_group": "elderly",
    }
    state, ignored = validate_state(state_from_query(query), KNOWN, query)
    assert state["municipality"] == ["Дупница"] and state["year"] == [2021]
    assert state["oblast"] == [] and state["service_type"] == [] and state["target_group"] == ["elderly"]
    assert set(ignored) == {
        ("oblast", "Атлантида"),
        ("municipality", "Няма такава"),
        ("year", "abc"),
        ("year", "1800"),
        ("service_type", "NOPE"),
    }


def test_a_clean_url_has_nothing_to_report():
    query = {"municipality": "Кресна", "year": "2020"}
    state, ignored = validate_state(state_from_query(query), KNOWN, query)
    assert ignored == [] and state["municipality"] == ["Кресна"] and state["year"] == [2020]


def test_year_odd_spellings():
    for raw in ("", "2021.0", "-2021", "２０２１", "99999999999999999999999", "2021;drop"):
        state, ignored = validate_state(state_from_query({"year": raw}), KNOWN, {"year": raw})
        assert state["year"] == [] and all(key == "year" for key, _ in ignored), raw


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_a_notice_for_a_bad_url_and_no_error(tiny, page):
    query = {"municipality": "Нищо", "year": "abc", "oblast": "<b>x</b>", "service_type": "X", "lang": "xx"}
    shell = page_shell(page, query, PAGES[page].body)
    shown = " ".join(texts(shell))
    assert "Пренебрегнати параметри от адреса" in shown
    assert "община = Нищо" in shown and "година = abc" in shown and "област = <b>x</b>" in shown


def test_filter_values_from_the_url_are_the_known_ones(tiny):
    shell = page_shell("capacity", {"municipality": "Дупница,Нищо", "year": "1800"}, capacity.body)
    dropdowns = {}

    def walk(c):
        if isinstance(c, list | tuple):
            for x in c:
                walk(x)
        elif hasattr(c, "children") or hasattr(c, "value"):
            if getattr(c, "id", None) in ("filters-municipality", "filters-year"):
                dropdowns[c.id] = c.value
            walk(getattr(c, "children", None))

    walk(shell)
    assert dropdowns == {"filters-municipality": ["Дупница"], "filters-year": []}


def test_callbacks_survive_junk_values(tiny):
    """What a hand-made request could send: unknown codes, text years, wrong view options."""
    junk = (["<script>"], ["Нищо"], ["abc", "1800"], ["x"], ["y"])
    overview.update(*junk, "bg")
    capacity.update(*junk, "nope", "xx")
    funding.update(*junk, "nope", "bg")
    changes.update(*junk, "bg")
    coverage.plan_options(*junk, "<b>", "nope")
    coverage.update("no-such-plan", ["x"], ["y"], "bg", None)
    data.rows_page({"startRow": -5, "endRow": 3, "filterModel": {"year": {"type": 1}}}, *junk, "bg")
    junk_grid = json.dumps({"filterModel": "junk", "sortModel": [{"colId": "drop"}]})
    for name in downloads.DOWNLOADS:
        response = app.server.test_client().get(
            f"/download/{name}.csv",
            query_string={"oblast": junk[0], "municipality": junk[1], "year": ["1800"], "target_group": junk[3],
                          "service_type": junk[4], "plan": "no-such-plan", "grid": junk_grid, "lang": "xx"},
        )
        assert response.status_code == 200 and response.get_data().startswith(downloads.BOM)
    # a malformed year in a download is refused, not read as "every year" (tests/test_http_safety.py)


def test_known_values_come_from_the_database(tiny):
    known = known_values(db.run_query("filter_options"))
    assert "Дупница" in known["municipality"] and 2021 in known["year"]


# --- synthetic banner --------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_synthetic_database_shows_the_banner_on_every_page(synthetic_db, page):
    db.set_database(synthetic_db)
    for lang, text in (("bg", "Синтетични данни — не са реални планове"), ("en", "Synthetic data — not real plans")):
        shown = texts(page_shell(page, {"lang": lang}, PAGES[page].body))
        assert text in shown


def test_real_database_has_no_banner(tiny):
    assert not db.is_synthetic()
    assert "Синтетични данни — не са реални планове" not in texts(page_shell("overview", {}, overview.body))


# --- a rebuilt database is picked up without a restart ---------------------------------------------


def test_rebuild_is_picked_up_in_process(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("dupnitsa-2021.txt", "kresna-2020.txt"):
        shutil.copy(REPO / "data" / "plans" / name, plans)
    path = tmp_path / "plans.duckdb"
    run_etl("build", "--plans", str(plans), "--db", str(path), "--quiet")
    db.set_database(path)
    assert db.run_query("reference_counts").iloc[0]["plans"] == 2
    options = db.run_query("filter_options")  # cached per database file
    assert "Любимец" not in set(options["value"])
    rows_before = data.rows_page({"startRow": 0, "endRow": 100}, None, None, None, None, None, "bg")[1]

    shutil.copy(REPO / "data" / "plans" / "lyubimets-2013.txt", plans)
    run_etl("build", "--plans", str(plans), "--db", str(path), "--quiet")  # os.replace of the file
    assert db.run_query("reference_counts").iloc[0]["plans"] == 3
    assert "Любимец" in set(db.run_query("filter_options")["value"])
    rows_after = data.rows_page({"startRow": 0, "endRow": 100}, None, None, None, None, None, "bg")[1]
    assert rows_after != rows_before
    shell = texts(page_shell("overview", {"municipality": "Любимец"}, overview.body))
    assert "Пренебрегнати параметри от адреса" not in " ".join(shell)
