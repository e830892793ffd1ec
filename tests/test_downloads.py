"""CSV downloads streamed by the server (dashboard/downloads.py): GET /download/<name>.csv?<view's query>."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

import app
from dashboard import db, downloads, grid
from dashboard.state import filter_params
from etl.spreadsheet import defuse


def get(name: str, **query):
    params = {k: (json.dumps(v) if k == "grid" else v) for k, v in query.items()}
    return app.server.test_client().get(f"/download/{name}.csv", query_string=params)


def rows(response) -> list[dict]:
    """The CSV rows as text, exactly as written (no number parsing)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    assert body.startswith(downloads.BOM)
    return list(csv.DictReader(io.StringIO(body[len(downloads.BOM):].decode("utf-8"))))


@pytest.fixture()
def sample(sample_db):
    db.set_database(sample_db)


# --- golden values read from data/plans/dupnitsa-2021.txt ----------------------------------------------


def test_capacity_csv_holds_the_plans_numbers_as_written(sample):
    # line 20: "Център за настаняване от семеен тип за деца/младежи с увреждания ... капацитет 14 места"
    # line 22: "Център за настаняване от семеен тип за деца без увреждания ... капацитет 12 места"
    # line 34: "Център за настаняване от семеен тип за стари хора ... с капацитет 15 места"
    got = rows(get("capacity-by-group", municipality="Дупница", year="2021"))
    capacity = {r["service_type"]: r["capacity"] for r in got}
    assert capacity["CNST_CHILDREN_DISABLED"] == "14"  # "14", not a float's "14.0"
    assert capacity["CNST_CHILDREN"] == "12"
    assert capacity["CNST_ELDERLY"] == "15"
    assert {r["municipality"] for r in got} == {"Дупница"} and {r["year"] for r in got} == {"2021"}


def test_data_csv_traces_each_row_to_its_line(sample):
    got = rows(get("data", municipality="Дупница"))
    assert len(got) == 39  # the plan's 39 records, as the /data grid counts them (browser test)
    line20 = next(r for r in got if r["source_line"] == "20")
    assert line20["source_file"] == "dupnitsa-2021.txt" and line20["capacity"] == "14"
    assert "с увреждания" in line20["name"] and "капацитет 14 места" in line20["source_text"]
    assert list(got[0]) == grid.CSV_COLUMNS


def test_data_csv_follows_the_grids_filters_and_sort(sample):
    model = {"filterModel": {"source_line": {"filterType": "number", "type": "lessThan", "filter": 23}},
             "sortModel": [{"colId": "source_line", "sort": "desc"}]}
    got = rows(get("data", municipality="Дупница", grid=model))
    lines = [int(r["source_line"]) for r in got]
    assert lines == sorted(lines, reverse=True) and max(lines) <= 22 and 20 in lines and 22 in lines


def test_coverage_matrix_is_the_chosen_plans(sample):
    response = get("coverage-matrix", plan="dupnitsa-2021")
    assert 'filename="coverage_dupnitsa-2021.csv"' in response.headers["Content-Disposition"]
    got = rows(response)
    assert got and any(r["service_type"] == "CNST_ELDERLY" for r in got)
    assert rows(get("coverage-matrix", plan="kresna-2020")) != got


# --- every download is its query, whole ------------------------------------------------------------------

STATES = [{}, {"municipality": "Дупница"}, {"year": "2020"}, {"oblast": "Благоевград", "year": "2020"}]


@pytest.mark.parametrize("name", sorted(downloads.DOWNLOADS))
def test_download_equals_its_query(sample, name):
    spec = downloads.DOWNLOADS[name]
    for query in STATES:
        state = downloads.request_state(_Args({**query, "plan": "dupnitsa-2021"}))
        expected = db.run_query(
            spec.query,
            **filter_params(*(state[k] for k in ("oblast", "municipality", "year", "target_group", "service_type"))),
            **spec.extra(state),
        ).drop(columns=["total_rows"], errors="ignore")
        if spec.columns:
            expected = expected[list(spec.columns())]
        body = get(name, plan="dupnitsa-2021", **query).get_data()[len(downloads.BOM):].decode()
        got = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
        assert list(got.columns) == list(expected.columns), (name, query)
        assert len(got) == len(expected), (name, query)
        for column in expected.columns:
            assert [_text(v) for v in expected[column]] == [_number_text(v) for v in got[column]], (name, column)


class _Args(dict):
    """A request's args (werkzeug MultiDict) for request_state."""

    def getlist(self, key):
        return [self[key]]


def _text(value) -> str:
    """A query's value as the CSV should write it (text defused by the open-data export's rule)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return defuse(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number_text(text: str) -> str:
    return str(int(float(text))) if text.endswith(".0") else text


# --- the response ----------------------------------------------------------------------------------------


def test_streamed_in_batches_with_one_header(sample):
    table = downloads.table_for("data", downloads.request_state(_Args({})))
    whole = b"".join(downloads.csv_chunks(table, batch_rows=10**6))
    chunks = list(downloads.csv_chunks(table, batch_rows=7))
    assert len(chunks) == 1 + -(-table.num_rows // 7) and b"".join(chunks) == whole
    assert whole.count(b'"plan_id","municipality"') == 1


def test_an_empty_selection_is_the_header_alone(sample):
    response = get("capacity-by-group", municipality="Нищо")
    body = response.get_data()[len(downloads.BOM):].decode()
    assert response.status_code == 200 and body.splitlines() == [body.splitlines()[0]]
    assert body.startswith('"municipality","year","service_type"')


def test_headers_name_the_file_and_forbid_caching(sample):
    response = get("funding-amounts")
    assert response.mimetype == "text/csv" and response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"] == 'attachment; filename="funding_amounts.csv"'
    assert response.headers["Cache-Control"] == "no-store"


def test_bad_requests(sample, tmp_path):
    assert app.server.test_client().get("/download/nothing.csv").status_code == 404
    assert app.server.test_client().get("/download/data.csv?grid={not json").status_code == 400
    db.set_database(tmp_path / "missing.duckdb")
    assert get("capacity-by-group").status_code == 503


def test_every_download_button_has_its_route(sample):
    """The download buttons of all pages are exactly the registered downloads, each with its click callback."""
    import dash

    buttons = set()
    for page in dash.page_registry.values():
        buttons |= _ids(page["layout"]())
    assert {b.removesuffix("-csv-button") for b in buttons if b.endswith("-csv-button")} == set(downloads.DOWNLOADS)
    assert all(f"{name}-csv.data" in app.app.callback_map for name in downloads.DOWNLOADS)


def _ids(component) -> set[str]:
    if isinstance(component, list | tuple):
        return set().union(*(_ids(c) for c in component)) if component else set()
    found = {component.id} if isinstance(getattr(component, "id", None), str) else set()
    children = getattr(component, "children", None)
    return found | (_ids(children) if children is not None and not isinstance(children, str) else set())


def test_cells_that_would_run_as_formulas_are_defused(tmp_path):
    """As in the open-data export: a document's cell "=HYPERLINK(...)" arrives as text in a spreadsheet."""
    from etl.build import build
    from etl.reference import load_reference
    from tests.helpers import REPO, reference_dir

    plans = tmp_path / "plans"
    plans.mkdir()
    text = (REPO / "data" / "plans" / "dupnitsa-2021.txt").read_text(encoding="utf-8")
    assert "Община Дупница – местна дейност" in text  # line 25's funding cell
    hostile = text.replace("Община Дупница – местна дейност", '=HYPERLINK("http://evil.example","x")')
    (plans / "dupnitsa-2021.txt").write_text(hostile, encoding="utf-8")
    build(plans, tmp_path / "plans.duckdb", load_reference(reference_dir()))
    db.set_database(tmp_path / "plans.duckdb")
    line25 = next(r for r in rows(get("data")) if r["source_line"] == "25")
    assert line25["funding_raw"] == '\'=HYPERLINK("http://evil.example","x")'
    amounts = rows(get("funding-amounts"))
    assert all(not r["funding_raw"].startswith("=") for r in amounts)
