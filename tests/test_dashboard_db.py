"""dashboard.db: read-only queries with bound parameters, reopen after an atomic replace."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

import app  # creates the Dash app (the page modules need it, also when this file runs alone)
from dashboard import db
from dashboard.state import filter_params
from tests.fixtures.make_tiny_db import make_tiny_db

REPO = Path(__file__).resolve().parents[1]
# the queries the dashboard runs (queries/ also holds the ETL's export and report queries)
QUERY_NAMES = sorted(
    {
        name
        for path in (REPO / "dashboard").rglob("*.py")
        for name in re.findall(r'(?:run_query|run_records|run_arrow|Download)\(\s*"(\w+)"', path.read_text(encoding="utf-8"))
    }
)


@pytest.fixture()
def tiny(tmp_path) -> Path:
    path = make_tiny_db(tmp_path / "plans.duckdb")
    db.set_database(path)
    return path


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_query_runs_with_the_shared_parameters(tiny, name):
    from dashboard.pages import data

    page = {"plan_id": "dupnitsa-2021", "limit": 100, "max_series": 8, "max_municipalities": 12,
            **data.grid_params(None, "bg", 100),
            # the municipality page's: its EKATTE code, population lists (dashboard/population.py)
            "code": "KNL48", "codes": ["KNL48"], "people": [43263], "ekattes": ["68789"], "settlement_people": [1000]}
    df = db.run_query(name, **page, **filter_params())
    assert df is not None


def test_query_names_match_the_dashboard():
    assert db.dashboard_queries() == QUERY_NAMES


def test_parameters_are_bound_not_pasted(tiny):
    hostile = "Дупница') or 1=1 --"
    assert db.run_query("completeness", **filter_params(municipality=[hostile])).empty
    assert len(db.run_query("completeness", **filter_params(municipality=["Дупница"]))) == 2


def test_unused_parameters_are_ignored_and_missing_ones_named(tiny):
    assert db.run_query("reference_counts", municipalities=["x"]).iloc[0]["plans"] == 3
    with pytest.raises(TypeError, match="plan_id"):
        db.run_query("coverage_unserved")


def test_connection_is_read_only(tiny):
    with pytest.raises(duckdb.Error):
        db.DB.query("create table x (a int)", {})


def test_missing_database_raises_database_missing(tmp_path):
    db.set_database(tmp_path / "nothing.duckdb")
    assert not db.database_available()
    with pytest.raises(db.DatabaseMissing):
        db.run_query("reference_counts")


def replace_without_kresna(tiny: Path, tmp_path: Path) -> None:
    """Replace the tiny database atomically (as a build does) by one without the Kresna plan."""
    newer = make_tiny_db(tmp_path / "next.duckdb")
    con = duckdb.connect(str(newer))
    con.execute("delete from items where plan_id = 'kresna-2020'")
    con.execute("delete from plans where plan_id = 'kresna-2020'")
    con.close()
    os.replace(newer, tiny)


def test_atomic_replacement_is_noticed(tiny, tmp_path):
    assert db.run_query("reference_counts").iloc[0]["plans"] == 3
    replace_without_kresna(tiny, tmp_path)
    assert db.run_query("reference_counts").iloc[0]["plans"] == 2


def test_a_broken_file_is_reported_then_recovered(tiny, tmp_path):
    assert db.run_query("reference_counts").iloc[0]["plans"] == 3
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    shutil.move(broken, tiny)
    assert not db.database_available()
    os.replace(make_tiny_db(tmp_path / "good.duckdb"), tiny)
    assert db.run_query("reference_counts").iloc[0]["plans"] == 3


def test_no_sql_text_in_python():
    sql = re.compile(r"\b(select|insert|delete|update)\b[^\n\"]*\b(from|into|set)\b", re.IGNORECASE)
    for path in [REPO / "app.py", *(REPO / "dashboard").rglob("*.py")]:
        assert not sql.search(path.read_text(encoding="utf-8")), path


def test_queries_bind_every_filter_value():
    """No query is formatted with values: its only slots are {{name}} ones, which take SqlText a page composes from
    its fixed lists (data_grid.sql), and a plain string there is refused."""
    slotted = set()
    for name in QUERY_NAMES:
        text = db.query_text(name)
        if db.SLOT.search(text):
            slotted.add(name)
        assert "{" not in db.SLOT.sub("", db.without_comments(text)) and "%s" not in text, name
    assert slotted == {"data_grid"}
    with pytest.raises(TypeError, match="SqlText"):
        db.bound("data_grid", {"sort_key": "1; drop table items"})


def test_remembered_results_last_until_the_file_is_replaced(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 8)
    calls = []

    @db.remembered
    def plans_in(municipalities):
        calls.append(municipalities)
        return int(db.run_query("reference_counts").iloc[0]["plans"])

    assert plans_in(["Дупница"]) == 3
    assert plans_in(["Дупница"]) == 3
    assert calls == [["Дупница"]]  # the second call was served from the cache
    assert plans_in(["Кресна"]) == 3 and len(calls) == 2  # other arguments: computed
    replace_without_kresna(tiny, tmp_path)
    assert plans_in(["Дупница"]) == 2  # a rebuilt database: computed again, the new count
    assert len(calls) == 3


def test_constants_last_until_the_file_is_replaced_even_with_the_result_cache_off(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 0)  # as the callback bench runs
    calls = []

    @db.constant
    def plans_in(lang):
        calls.append(lang)
        return int(db.run_query("reference_counts").iloc[0]["plans"])

    assert plans_in("bg") == 3 and plans_in("bg") == 3 and plans_in("en") == 3
    assert calls == ["bg", "en"]  # once per argument
    replace_without_kresna(tiny, tmp_path)
    assert plans_in("bg") == 2  # a rebuilt database: computed again, the new count
    assert calls == ["bg", "en", "bg"]


def test_the_filter_bar_choices_follow_the_database(tiny, tmp_path, monkeypatch):
    from dashboard import components

    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 0)
    ran = []
    db.set_observer(lambda name, ms: ran.append(name))
    try:
        first = components.filter_choices("bg")["municipality"]
        assert components.filter_choices("bg")["municipality"] == first
        assert "Кресна" in components.accepted_values()["municipality"]
        assert ran == ["filter_options", "filter_options"]  # each built once (not per call), whatever the result cache
        replace_without_kresna(tiny, tmp_path)
        assert "Кресна" not in components.accepted_values()["municipality"]
        assert len(components.filter_choices("bg")["municipality"]) == len(first) - 1
    finally:
        db.set_observer(None)


def test_remembered_is_bounded_and_can_be_turned_off(tiny, monkeypatch):
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 2)
    calls = []

    @db.remembered
    def echo(x):
        calls.append(x)
        return x

    for x in (1, 2, 3, 1):  # 1 was the least recently used when 3 came: dropped, computed again
        echo(x)
    assert calls == [1, 2, 3, 1]
    echo(3)
    assert calls == [1, 2, 3, 1]
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 0)
    echo(3)
    assert calls == [1, 2, 3, 1, 3]


def test_remembered_callbacks_answer_as_computed(tiny, monkeypatch):
    """A page callback served from the cache sends the same response as one computed afresh, and runs
    no query to do it."""
    from dashboard.pages import overview

    filters = [("filters-oblast", []), ("filters-municipality", ["Дупница"]), ("filters-year", []),
               ("filters-target-group", []), ("filters-service-type", [])]
    outputs = [("overview-kpis", "children"), ("overview-counts", "children"),
               ("overview-completeness-graph", "figure")]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": "value", "value": v} for i, v in filters],
        "state": [{"id": "filters-lang", "property": "data", "value": "bg"}],
        "changedPropIds": [],
    }
    client = app.server.test_client()
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 0)
    fresh = client.post("/_dash-update-component", json=body)
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 8)
    first = client.post("/_dash-update-component", json=body)
    monkeypatch.setattr(overview, "run_query", lambda *a, **k: pytest.fail("a query ran: not from the cache"))
    second = client.post("/_dash-update-component", json=body)
    assert fresh.status_code == first.status_code == second.status_code == 200
    assert "Дупница" in fresh.get_data(as_text=True)
    assert fresh.get_data() == first.get_data() == second.get_data()


def test_remembered_results_are_bounded_in_bytes(tiny, monkeypatch):
    monkeypatch.setattr(db, "RESULT_CACHE_SIZE", 100)
    monkeypatch.setattr(db, "RESULT_CACHE_BYTES", 25_000)
    calls = []

    @db.remembered
    def text(n):
        calls.append(n)
        return "x" * 10_000  # 10,002 bytes of JSON

    for n in (1, 2, 3):  # the third would make 30 kB: the least recently used (1) goes
        text(n)
    entries, size = db.DB.remembered_bytes()
    assert entries == 2 and size == 20_004
    text(2)
    text(1)
    assert calls == [1, 2, 3, 1]


def test_hooks_run_when_the_database_is_replaced(tiny, tmp_path, monkeypatch):
    import threading

    ran = threading.Event()
    monkeypatch.setattr(db, "_replaced_hooks", [ran.set])
    assert db.run_query("reference_counts").iloc[0]["plans"] == 3
    assert not ran.wait(0.2)  # the first open is not a replacement
    os.replace(make_tiny_db(tmp_path / "next.duckdb"), tiny)
    db.run_query("reference_counts")
    assert ran.wait(10)


def test_a_database_built_by_another_version_answers_that_it_must_be_rebuilt(tmp_path):
    """A database made by another queries/derived.sql lacks what this version's queries need: a query that meets
    the gap says the database must be rebuilt (503, db.DatabaseOutdated), never an internal error."""
    import duckdb

    from dashboard.pages import data

    path = make_tiny_db(tmp_path / "plans.duckdb")
    con = duckdb.connect(str(path))
    con.execute("drop macro item_narrowed")
    con.execute("update build_info set value = 'another' where key = 'derived_sha256'")
    con.close()
    db.set_database(path)
    assert db.derived_outdated()
    with pytest.raises(db.DatabaseOutdated):
        db.run_records("data_page", **filter_params(), **data.grid_params(None, "bg", 10))
    import app

    response = app.server.test_client().get("/download/data.csv")
    assert response.status_code == 503 and "python -m etl build" in response.get_data(as_text=True)
