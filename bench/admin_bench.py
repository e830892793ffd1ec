"""Seconds the /admin flow takes for one plan: upload, preview (the review subprocess; again from its cache),
a correction, publish (files moved and the incremental build subprocess).

    python bench/admin_bench.py [--site DIR]

A temporary site (plans, corrections, admin folder, database) is made from the sample plans, or `--site DIR`
names one that has plans/, corrections/ and plans.duckdb already built (e.g. a copy of a national-scale site:
only that copy is written). Each sample plan is uploaded again as a new version of itself (one line added), so
publishing replaces a loaded plan as an editor's republishing does. Requests go through Flask's test client in
this process; the review and the build run as the subprocesses they are in production.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/admin_bench.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark password"


def make_site(root: Path) -> Path:
    (root / "plans").mkdir(parents=True)
    (root / "corrections").mkdir()
    for plan in sorted((REPO / "data" / "plans").iterdir()):
        shutil.copyfile(plan, root / "plans" / plan.name)
    subprocess.run([sys.executable, "-m", "etl", "build", "--plans", str(root / "plans"), "--corrections",
                    str(root / "corrections"), "--db", str(root / "plans.duckdb"), "--quiet"], cwd=REPO, check=True)
    return root


def token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def timed(call, *args, **kwargs):
    """(call's result, seconds it took)."""
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - start


def correct_and_look(client, preview: str, data: dict):
    client.post(preview + "/correct", data=data)
    return client.get(preview)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a built site (plans/, corrections/, plans.duckdb); default: a "
                        "temporary one from the sample plans")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="admin-bench-"))
    site = args.site or make_site(work / "site")
    os.environ.update(SSP_ADMIN_DIR=str(work / "admin"), SSP_PLANS_DIR=str(site / "plans"),
                      SSP_CORRECTIONS_DIR=str(site / "corrections"))
    from etl import accounts

    accounts.add("bench", PASSWORD)
    import app
    from dashboard import db

    db.set_database(site / "plans.duckdb")
    client = app.server.test_client()
    client.post("/admin/signin", data={"csrf_token": token(client.get("/admin/signin")), "name": "bench",
                                       "password": PASSWORD})
    csrf = token(client.get("/admin/"))
    print(f"site: {site} ({len(list((site / 'plans').iterdir()))} plans)")
    print(f"{'plan':<24}{'upload':>8}{'preview':>9}{'again':>8}{'correct':>9}{'publish':>9}")
    for plan in sorted((REPO / "data" / "plans").iterdir()):
        content = plan.read_bytes() + b"\n"
        sent, upload_s = timed(client.post, "/admin/upload", content_type="multipart/form-data",
                               data={"csrf_token": csrf, "file": (io.BytesIO(content), plan.name)})
        preview = sent.headers["Location"]
        page, preview_s = timed(client.get, preview)
        _, again_s = timed(client.get, preview)
        line = re.search(r'<tr id="line-(\d+)"', page.get_data(as_text=True)).group(1)
        _, correct_s = timed(correct_and_look, client, preview, {
            "csrf_token": csrf, "source_line": line, "field": "provider", "value": "бенчмарк", "reason": "бенчмарк"})
        done, publish_s = timed(client.post, preview + "/publish", data={"csrf_token": csrf})
        assert done.status_code == 303 and "/report" in done.headers["Location"], done.status_code
        print(f"{plan.name:<24}{upload_s:>8.2f}{preview_s:>9.2f}{again_s:>8.2f}{correct_s:>9.2f}{publish_s:>9.2f}")
    print("seconds; 'correct' includes the preview drawn again (a new review); 'publish' includes the build")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
