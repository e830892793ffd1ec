"""The benchmark's own bookkeeping (bench/): which queries the 30 ms page target applies to, and what the load
clients count as a failed answer. The timings themselves are measured by `python -m bench`, never here."""

from __future__ import annotations

import json

from bench.load import response_ok
from bench.query_bench import query_uses

from .helpers import QUERIES


def test_queries_only_a_csv_download_runs_are_bulk_and_the_charts_queries_are_page_queries():
    uses = query_uses()
    # the charts' CSV files: the per-municipality rows behind the capacity, deinstitutionalisation and funding charts
    assert {q for q, use in uses.items() if use == "download"} == {"capacity_by_group", "deinstitutionalisation",
                                                                  "funding_mix"}
    # what the pages draw is a page query, under the 30 ms target
    for name in ("capacity_chart", "deinstitutionalisation_chart", "funding_mix_chart", "review_counts", "admin_plans"):
        assert uses[name] == "page", name
    # the rest are run by python -m etl only (export, report, build summary)
    rest = {p.stem for p in QUERIES.glob("*.sql")} - set(uses) - {"schema", "derived"}
    assert rest and all(name.startswith(("export_", "report_")) for name in rest), rest


def test_the_grids_error_notice_is_a_failed_answer():
    body = json.dumps({"response": {"data-grid": {"getRowsResponse": {"rowData": [], "rowCount": 0}},
                                    "data-grid-count": {"children": {"props": {"id": "data-grid-error"}}}}}).encode()
    assert response_ok(200, body, "callback") is not None
    fine = json.dumps({"response": {"data-grid": {"getRowsResponse": {"rowData": [{"a": 1}], "rowCount": 1}}}}).encode()
    assert response_ok(200, fine, "callback") is None
    assert response_ok(503, fine, "callback") == "HTTP 503"
