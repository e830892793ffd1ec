"""CSV downloads (GET /download/<name>.csv, dashboard/downloads.py), in process through the Flask test
client with the response streamed: seconds until the first rows arrive (the query has run and the
first batch is written), seconds until the whole file has arrived, its size and rows.

Each download is asked for with no filters, one oblast and one municipality (the /data rows also with a
grid column filter), as a reader's click would.
"""

from __future__ import annotations

import csv
import io
import statistics
import time
from pathlib import Path

MB = 1024 * 1024


def cases(oblast: str, municipality: str) -> list[tuple[str, dict]]:
    return [("all", {}), ("oblast", {"oblast": oblast}), ("municipality", {"municipality": municipality})]


def fetch(client, name: str, query: dict, keep: list | None = None) -> tuple[float, float, int]:
    """(seconds to the first rows, seconds to the end, bytes) of one download; its chunks added to `keep`."""
    start = time.perf_counter()
    response = client.get(f"/download/{name}.csv", query_string=query, buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"{name} {query}: HTTP {response.status_code}")
    first, size = None, 0
    for chunk in response.iter_encoded():
        size += len(chunk)
        if keep is not None:
            keep.append(chunk)
        if first is None and size > 3:  # past the BOM: the header and the first batch of rows
            first = time.perf_counter() - start
    response.close()
    return first or time.perf_counter() - start, time.perf_counter() - start, size


def records(chunks: list[bytes]) -> int:
    """CSV records in a downloaded file, less the header (text cells may hold line breaks)."""
    return sum(1 for _ in csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig")))) - 1


def bench_downloads(db_path: Path, repeat: int = 5, budget: float = 10) -> list[dict]:
    import app
    from dashboard import db, downloads

    db.set_database(db_path)
    client = app.server.test_client()
    plans = db.run_query("completeness", oblasts=[], municipalities=[], years=[], target_groups=[], service_types=[])
    first = plans.iloc[0]
    grid = '{"filterModel": {"name": {"filterType": "text", "type": "contains", "filter": "център"}}}'
    rows = []
    for name in downloads.DOWNLOADS:
        for label, query in cases(first["oblast"], first["municipality"]):
            query = {**query, "plan": first["plan_id"]}
            variants = [(label, query)] + ([(label + ", grid filter", {**query, "grid": grid})] if name == "data" else [])
            for case, q in variants:
                body: list[bytes] = []
                fetch(client, name, q, body)  # warm: the query text, the connection
                firsts, totals, started = [], [], time.perf_counter()
                for _ in range(repeat):
                    f, total, size = fetch(client, name, q)
                    firsts.append(f)
                    totals.append(total)
                    if time.perf_counter() - started > budget:
                        break
                rows.append({"download": name, "case": case, "runs": len(totals), "rows": records(body), "bytes": size,
                             "first_p50_s": statistics.median(firsts), "p50_s": statistics.median(totals),
                             "p95_s": sorted(totals)[min(len(totals) - 1, round(0.95 * (len(totals) - 1)))]})
                print(f"[downloads] {name:22} {case:28} {rows[-1]['rows']:>8} rows {size / MB:7.2f} MB "
                      f"first {rows[-1]['first_p50_s']:.3f} s, whole {rows[-1]['p50_s']:.3f} s", flush=True)
    return rows
