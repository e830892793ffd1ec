"""Hostile HTTP requests (issue 17 items 6-7): malformed requests answer 400 with a short reason, never 500;
every response carries the security headers."""

from __future__ import annotations

import json

import pytest

import app
from dashboard import db, downloads
from dashboard.state import MAX_JSON_DEPTH

from .fixtures.make_tiny_db import make_tiny_db

FILTERS = [("filters-oblast", "value"), ("filters-municipality", "value"), ("filters-year", "value"),
           ("filters-target-group", "value"), ("filters-service-type", "value")]
DEEP = "[" * 5000 + "]" * 5000


@pytest.fixture()
def client(tmp_path):
    db.set_database(make_tiny_db(tmp_path / "plans.duckdb"))
    return app.server.test_client()


def callback(outputs, inputs, state) -> dict:
    """A /_dash-update-component body, as the browser sends it."""
    return {"output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": inputs, "state": state, "changedPropIds": []}


def grid_callback(request) -> dict:
    """The /data grid asking for a page of rows."""
    return callback([("data-grid", "getRowsResponse"), ("data-count", "children"), ("data-grid-model", "data")],
                    [{"id": "data-grid", "property": "getRowsRequest", "value": request}],
                    [{"id": i, "property": p, "value": []} for i, p in FILTERS]
                    + [{"id": "filters-lang", "property": "data", "value": "bg"},
                       {"id": "data-narrow", "property": "data", "value": {}}])  # no chart click narrowed them


def funding_callback(measure, municipality=()) -> dict:
    outputs = [("funding-mix-graph", "figure"), ("funding-project-only-table", "children"),
               ("funding-amounts-graph", "figure"), ("funding-amounts-table", "children")]
    inputs = [{"id": i, "property": p, "value": list(municipality) if i == "filters-municipality" else []}
              for i, p in FILTERS]
    inputs.append({"id": {"page": "funding", "view": "measure"}, "property": "value", "value": measure})
    inputs.append({"id": {"page": "funding", "view": "combine"}, "property": "value", "value": "compare"})
    return callback(outputs, inputs, [{"id": "filters-lang", "property": "data", "value": "bg"}])


def post(client, body: dict | None = None, raw: str | None = None):
    data = raw if raw is not None else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type="application/json")


def refused(response, reason: str) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, text[:300])
    assert reason in text and len(text) < 200 and "Traceback" not in text and "/work" not in text


# --- malformed requests: 400, never 500 -------------------------------------------------------------------------


def test_well_formed_requests_still_answer(client):
    assert post(client, grid_callback({"startRow": 0, "endRow": 10})).status_code == 200
    assert post(client, funding_callback("services", ["Дупница"])).status_code == 200
    ok = client.get("/download/data.csv", query_string={"year": "2021", "grid": json.dumps({"startRow": 0})})
    assert ok.status_code == 200 and ok.get_data().startswith(downloads.BOM)


def test_callback_with_a_huge_row_number(client):
    refused(post(client, grid_callback({"startRow": 10**30, "endRow": 10**30 + 100})), "out of range")


def test_callback_with_a_dict_where_a_text_belongs(client):
    refused(post(client, funding_callback({})), "malformed request")


def test_callback_with_a_lone_surrogate(client):
    # json.dumps writes "\ud800" as the escape a hostile client sends
    refused(post(client, funding_callback("services", ["\ud800"])), "lone surrogate")
    body = grid_callback({"startRow": 0, "endRow": 10,
                          "filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "\ud800"}}})
    refused(post(client, body), "lone surrogate")


def test_callback_nested_5000_levels(client):
    raw = json.dumps(grid_callback(None)).replace('"value": null', '"value": ' + DEEP)
    refused(post(client, raw=raw), f"deeper than {MAX_JSON_DEPTH}")


def test_callback_that_is_not_a_callback(client):
    for raw in ("{}", "[]", "12", "not json"):
        assert post(client, raw=raw).status_code == 400


def test_download_with_a_huge_row_number(client):
    refused(client.get("/download/data.csv", query_string={"grid": json.dumps({"startRow": 10**30})}), "out of range")


def test_download_with_a_lone_surrogate(client):
    grid = '{"filterModel":{"name":{"filterType":"text","type":"contains","filter":"\\ud800"}}}'
    refused(client.get("/download/data.csv", query_string={"grid": grid}), "lone surrogate")
    # a percent-encoded surrogate in a parameter is decoded as U+FFFD by Werkzeug: an unknown value, no rows
    response = client.get("/download/data.csv?municipality=%ED%A0%80")
    assert response.status_code == 200 and response.get_data().count(b"\n") == 1


def test_download_with_a_grid_nested_5000_levels(client):
    refused(client.get("/download/data.csv", query_string={"grid": DEEP}), f"deeper than {MAX_JSON_DEPTH}")


@pytest.mark.parametrize("year", ["abc", "99999", "2021.0", "2021,xx"])
def test_download_with_a_malformed_year_says_so(client, year):
    for name in ("data", "capacity-by-group"):
        refused(client.get(f"/download/{name}.csv", query_string={"year": year}), "year: not a year")


def test_download_with_an_unknown_measure_is_the_default_view(client):
    # a query string holds text: measure={} is the text "{}", an unknown view option, ignored as on a page
    response = client.get("/download/funding-mix.csv", query_string={"measure": "{}"})
    assert response.status_code == 200 and response.get_data().startswith(downloads.BOM)


# --- headers on every response ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/data?lang=en", "/download/capacity-by-group.csv", "/assets/app.css",
                                  "/_dash-layout", "/no-such-page", "/download/data.csv?year=abc"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code in (200, 400, 404)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "connect-src 'self'", "base-uri 'self'",
                      "object-src 'none'"):
        assert directive in csp
    assert "*" not in csp and "http" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Python" not in headers.get("Server", "") and "Werkzeug" not in headers.get("Server", "")
