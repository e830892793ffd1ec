"""Hostile traffic cannot stall the dashboard (issue 17 items 3 and 7): every query has a deadline (DuckDB's
interrupt), grid requests are capped, heavy work waits for a place or is refused with 503, CSV files are made in
bounded memory, and a database that is gone, damaged or unreadable gives a notice without server paths.

The fast tests run in process on the sample database; the slow one runs bench/hostile_load.py (gunicorn with
gunicorn.conf.py on the national synthetic database) for a short while."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import threading
import time

import pytest

import app
from dashboard import db, downloads, grid

from .helpers import REPO

FILTERS = [("filters-oblast", "value"), ("filters-municipality", "value"), ("filters-year", "value"),
           ("filters-target-group", "value"), ("filters-service-type", "value")]
# a statement that runs for minutes unless stopped (no table: the same on any database)
SLOW_SQL = "select count(*) from range(100000000000) t(a) where a % 7 = 3"


@pytest.fixture()
def sample_copy(sample_db, tmp_path):
    """A copy of the sample database that a test may delete or damage."""
    path = tmp_path / "served" / "plans.duckdb"
    path.parent.mkdir()
    shutil.copy(sample_db, path)
    db.set_database(path)
    return path


def grid_callback(request: dict, lang: str = "bg") -> dict:
    """The /data grid asking for a block of rows, as the browser sends it."""
    outputs = [("data-grid", "getRowsResponse"), ("data-count", "children"), ("data-grid-model", "data")]
    return {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "data-grid", "property": "getRowsRequest", "value": request}],
            "state": [{"id": i, "property": p, "value": []} for i, p in FILTERS]
            + [{"id": "filters-lang", "property": "data", "value": lang},
               {"id": "data-narrow", "property": "data", "value": {}}],  # no chart click narrowed the records
            "changedPropIds": ["data-grid.getRowsRequest"]}


def post(client, body: dict):
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def every_column_filtered(text: str = "zz") -> dict:
    return {col: ({"filterType": "number", "type": "notEqual", "filter": -1} if kind in ("number", "year")
                  else {"filterType": "text", "type": "notContains", "filter": text})
            for col, (_, _, kind) in grid.COLUMNS.items()}


@contextlib.contextmanager
def heavy_places_taken():
    """Every heavy-job place of this process held by another thread (as by running downloads) until the end."""
    done = threading.Event()
    # heavy_job is reentrant within a thread: one thread per place
    holders = []
    events = []
    for _ in range(db.HEAVY_JOBS):
        ready = threading.Event()
        events.append(ready)

        def one(ready=ready) -> None:
            with db.heavy_job(wait=0):
                ready.set()
                done.wait(30)

        holders.append(threading.Thread(target=one, daemon=True))
        holders[-1].start()
    for ready in events:
        assert ready.wait(5)
    try:
        yield
    finally:
        done.set()
        for t in holders:
            t.join(5)


# --- a deadline on every query --------------------------------------------------------------------------------


def test_a_query_past_its_deadline_is_interrupted_with_a_message(sample_copy):
    start = time.monotonic()
    with pytest.raises(db.QueryTimeout) as caught:
        db.DB.query(SLOW_SQL, {}, seconds=0.3)
    elapsed = time.monotonic() - start
    assert 0.25 <= elapsed < 3, elapsed
    assert caught.value.key == "query_timeout"
    # the connection goes on serving
    assert db.run_query("reference_counts").iloc[0]["plans"] > 0


def test_the_deadline_is_read_from_the_environment(sample_db):
    code = (f"import time; from dashboard import db; db.set_database({str(sample_db)!r}); t = time.monotonic()\n"
            f"try:\n    db.DB.query({SLOW_SQL!r}, {{}})\nexcept db.QueryTimeout:\n"
            f"    print(db.QUERY_SECONDS, round(time.monotonic() - t, 2))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**_env(), "SSP_QUERY_TIMEOUT": "0.4"})
    assert done.returncode == 0, done.stderr
    limit, elapsed = map(float, done.stdout.split())
    assert limit == 0.4 and 0.35 <= elapsed < 3, done.stdout


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("SSP_QUERY")}


def test_queries_of_several_threads_run_at_once(sample_copy):
    """A long query does not hold up a short one (each runs on a cursor of its own)."""
    outcome = []

    def long_query() -> None:
        try:
            db.DB.query(SLOW_SQL, {}, seconds=2)
        except db.QueryTimeout:
            outcome.append("stopped")

    long = threading.Thread(target=long_query)
    long.start()
    time.sleep(0.2)
    start = time.monotonic()
    assert db.run_query("reference_counts").iloc[0]["plans"] > 0
    assert time.monotonic() - start < 1.0
    long.join(10)
    assert outcome == ["stopped"]


# --- caps on the grid's request --------------------------------------------------------------------------------


def test_a_filter_on_every_column_is_served(sample_copy):
    response = post(app.server.test_client(), grid_callback({"startRow": 0, "endRow": 100,
                                                             "filterModel": every_column_filtered()}))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(("request_", "reason"), [
    ({"filterModel": {f"col{i}": {"filterType": "text", "type": "contains", "filter": "a"} for i in range(40)}},
     "40 column filters"),
    ({"filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "я" * 5000}}},
     "filter text longer than"),
    ({"filterModel": {"name": {"operator": "OR", "conditions": [{"type": "contains", "filter": "a"}] * 50}}},
     "50 conditions"),
    ({"sortModel": [{"colId": "name", "sort": "asc"}] * 500}, "500 sort entries"),
])
def test_a_grid_request_beyond_the_limits_answers_400_with_the_reason(sample_copy, request_, reason):
    response = post(app.server.test_client(), grid_callback({"startRow": 0, "endRow": 100, **request_}))
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and reason in text and len(text) < 200, (response.status_code, text[:300])
    download = app.server.test_client().get("/download/data.csv", query_string={"grid": json.dumps(request_)})
    assert download.status_code == 400 and reason in download.get_data(as_text=True)


# --- heavy work: a place or a 503 ------------------------------------------------------------------------------


def test_a_download_finds_every_heavy_place_taken_and_answers_503(sample_copy):
    client = app.server.test_client()
    with heavy_places_taken():
        start = time.monotonic()
        bg = client.get("/download/capacity-by-group.csv")
        en = client.get("/download/capacity-by-group.csv", query_string={"lang": "en"})
        waited = (time.monotonic() - start) / 2
    assert bg.status_code == 503 and en.status_code == 503
    assert bg.headers["Retry-After"] == str(db.RETRY_AFTER)
    assert bg.get_data(as_text=True).startswith("Сървърът е зает")
    assert en.get_data(as_text=True).startswith("The server is busy")
    assert db.HEAVY_WAIT * 0.9 <= waited < db.HEAVY_WAIT + 2
    assert client.get("/download/capacity-by-group.csv").status_code == 200  # places free again


def test_the_grid_shows_why_it_has_no_rows_when_heavy_work_is_full(sample_copy):
    from dashboard.pages import data

    request = {"startRow": 0, "endRow": 100, "filterModel": every_column_filtered("busy-test")}
    with heavy_places_taken():
        response, count, _ = data.rows_page(request, None, None, None, None, None, "en")
    assert response == {"rowData": [], "rowCount": 0}
    assert count.children.startswith("The server is busy") and count.id == "data-grid-error"
    # not remembered: once the places are free, the same request gets its rows
    response, count, _ = data.rows_page(request, None, None, None, None, None, "en")
    assert response["rowCount"] > 0 and isinstance(count, str)


def test_light_queries_never_wait_for_heavy_places(sample_copy):
    with heavy_places_taken():
        start = time.monotonic()
        assert db.run_query("reference_counts").iloc[0]["plans"] > 0
        assert time.monotonic() - start < db.HEAVY_WAIT


def test_heavy_job_is_reentrant_and_refuses_when_full():
    with db.heavy_job(wait=0), db.heavy_job(wait=0):  # the same thread: one place
        pass
    with heavy_places_taken(), pytest.raises(db.Busy):
        with db.heavy_job(wait=0.05):
            pass


# --- CSV files in bounded memory --------------------------------------------------------------------------------


def test_a_file_made_batch_by_batch_is_the_same_as_from_the_whole_table(sample_copy, tmp_path):
    state = downloads.request_state(_Args({}))
    whole = b"".join(downloads.csv_chunks(downloads.table_for("data", state)))
    with open(tmp_path / "out.csv", "w+b") as out:
        size = downloads.write_file("data", state, out)
        out.seek(0)
        spooled = out.read()
    assert size == len(spooled) and spooled == whole
    # small batches: the same bytes (one header)
    response = app.server.test_client().get("/download/data.csv")
    assert response.get_data() == whole and response.headers["Content-Length"] == str(len(whole))


def test_downloads_release_their_places(sample_copy):
    client = app.server.test_client()
    for _ in range(downloads.STREAMS + db.HEAVY_JOBS + 2):
        assert client.get("/download/capacity-by-group.csv").status_code == 200
    unread = client.get("/download/capacity-by-group.csv", buffered=False)  # a client that went away
    unread.close()
    assert client.get("/download/capacity-by-group.csv").status_code == 200


class _Args(dict):
    def getlist(self, key):
        return [self[key]]


# --- a database gone, damaged or unreadable ----------------------------------------------------------------------


def assert_notice_without_paths(path) -> None:
    """Pages show the notice; data endpoints answer 503 with a sentence; no server path anywhere."""
    import dash

    client = app.server.test_client()
    page = next(p for p in dash.page_registry.values() if p["path"] == "/")["layout"]()
    text = json.dumps(page.to_plotly_json(), default=str, ensure_ascii=False)
    assert "db-missing" in text and str(path.parent) not in text and "/tmp" not in text
    for url in ("/download/capacity-by-group.csv", "/download/data.csv?lang=en"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, (url, response.status_code, body[:200])
        assert str(path.parent) not in body and "/" not in body and len(body) < 200, body
    grid_response = post(client, grid_callback({"startRow": 0, "endRow": 100}))
    assert str(path.parent) not in grid_response.get_data(as_text=True)


def test_a_deleted_database_is_noticed_not_served_from_the_open_handle(sample_copy):
    assert db.run_query("reference_counts").iloc[0]["plans"] > 0
    kept = sample_copy.with_name("kept.duckdb")
    sample_copy.rename(kept)  # gone from its place (the open handle would still read it)
    assert not db.database_available()
    with pytest.raises(db.DatabaseMissing):
        db.run_query("reference_counts")
    assert_notice_without_paths(sample_copy)
    kept.rename(sample_copy)  # back: served again
    assert db.run_query("reference_counts").iloc[0]["plans"] > 0


def test_a_damaged_database_gives_the_notice(sample_copy, tmp_path):
    db.run_query("reference_counts")
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"\x00garbage" * 50_000)
    damaged.replace(sample_copy)
    assert_notice_without_paths(sample_copy)


def test_a_truncated_database_gives_the_notice(sample_copy, tmp_path):
    data = sample_copy.read_bytes()
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(data[: len(data) // 3])
    truncated.replace(sample_copy)
    assert_notice_without_paths(sample_copy)


def test_an_unreadable_database_gives_the_notice(sample_copy):
    sample_copy.unlink()
    sample_copy.mkdir()  # a folder where the file should be: cannot be opened, whoever runs the server
    assert_notice_without_paths(sample_copy)


# --- the load test -------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_clients_leave_page_requests_fast_and_workers_small(tmp_path):
    """10 hostile clients (uncached grids with a filter on every column, full CSV downloads, slow readers) for
    15 s against gunicorn as configured, on the national synthetic database, while a light client is timed."""
    from bench import hostile_load

    done = subprocess.run([sys.executable, "-m", "bench.hostile_load", "--duration", "15", "--grid", "4",
                           "--downloads", "3", "--slow", "3", "--light", "1", "--timeout", "30",
                           "--json", str(tmp_path / "out.json"), "--log", str(tmp_path / "gunicorn.log")],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    print(done.stdout)
    result = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert result["server_stopped"] and result["stuck_clients"] == 0
    assert result["light_requests"] >= 20
    assert result["light_errors"] == 0, result["light_error_messages"]
    assert result["light_p95_ms"] <= 3000, result  # the target is 1 s; generous on a shared 2-core machine
    assert max(result["worker_rss_peak_mb"]) <= 1024, result["worker_rss_peak_mb"]
    assert any(k.startswith("grid") for k in result["hostile"]), "the hostile clients did not run"
    assert hostile_load.SLOW_RATE > 0
