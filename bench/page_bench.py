"""First load of each page in headless Chromium: seconds from navigation until the page is drawn.

A fresh browser (empty cache and profile) per page, against gunicorn on 127.0.0.1. "Drawn" means: the
Dash renderer has put the page in (`#<page>-page`), nothing is loading any more, every graph has its
SVG (`.js-plotly-plot .main-svg`), every table card has its table or its "no data" note, and an AG Grid,
if there is one, shows rows (or its no-rows overlay).

Also measured: where the browser's main thread spent the first load (Chromium's sampling profiler,
self time per script: plotly.js, AG Grid, the Dash renderer, ...; "(idle)" is waiting for the server
or the network), and a second and third load of the same page in the same browser: what a returning
reader sees. Chromium's HTTP cache serves the scripts from the second visit on, but V8 stores a script's
compiled code only when it is loaded a second time, and uses it from the third: compiling plotly.js is most
of its cost here (a static page with only plotly.min.js: ≈ 2.5-3.4 s on the first two visits, 0.5-0.7 s
from the third, measured on this machine under load).
"""

from __future__ import annotations

import http.server
import shutil
import tempfile
import time
from pathlib import Path

from bench.load import PAGES, Server

PAGE_IDS = {"/": "overview", "/capacity": "capacity", "/funding": "funding", "/coverage": "coverage",
            "/changes": "changes", "/data": "data"}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PLOTLY_JS = Path(__file__).resolve().parents[1] / "dashboard" / "assets" / "plotly.min.js"  # what dcc.Graph uses

# true when the page is drawn (argument: the page's container id)
DRAWN = """
const page = document.getElementById(arguments[0]) || document.getElementById('_pages_content');
if (!page) return false;
if (document.querySelector('[data-dash-is-loading="true"]')) return false;
const graphs = page.querySelectorAll('.dash-graph');
for (const g of graphs) { if (!g.querySelector('.js-plotly-plot .main-svg')) return false; }
const tables = page.querySelectorAll('[id$="-table"]');
for (const t of tables) { if (!t.children.length) return false; }
for (const h of page.querySelectorAll('.page-table[data-table]')) { if (!h.querySelector('tbody')) return false; }
const grid = page.querySelector('.ag-root-wrapper');
if (grid && !grid.querySelector('.ag-center-cols-container .ag-row, .ag-overlay-no-rows-center, .ag-overlay-no-rows-wrapper')) return false;
return graphs.length + tables.length + (grid ? 1 : 0) > 0;
"""


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = CHROMIUM
    options.page_load_strategy = "none"  # get() returns at once; readiness is polled below
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    return driver, profile


def script_name(url: str) -> str:
    """A profiler call frame's script as a short name: 'plotly.min.js', 'dash_ag_grid…min.js', '(idle)'."""
    if not url:
        return ""
    name = url.split("?")[0].rsplit("/", 1)[-1]
    return name.split(".v")[0] + ".js" if ".v" in name and name.endswith(".js") else name


def self_times(profile: dict) -> dict[str, float]:
    """Milliseconds of main-thread self time per script in a CDP Profiler profile; frames without a
    script under their function name ('(idle)', '(program)', '(garbage collector)')."""
    frames = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    spent: dict[str, float] = {}
    for node, delta in zip(profile["samples"][1:], profile["timeDeltas"][1:], strict=True):
        frame = frames[node]
        key = script_name(frame["url"]) or frame["functionName"] or "(anonymous)"
        spent[key] = spent.get(key, 0.0) + delta / 1000
    return dict(sorted(spent.items(), key=lambda kv: -kv[1]))


def wait_drawn(driver, page_id: str, start: float, timeout: float) -> dict:
    from selenium.common.exceptions import TimeoutException, WebDriverException

    while True:
        try:
            drawn = driver.execute_script(DRAWN, page_id)
        except TimeoutException:  # the renderer is busy (drawing): ask again
            drawn = False
        except WebDriverException as exc:  # the document is being replaced while loading
            if "javascript error" in str(exc).lower():
                raise
            drawn = False
        elapsed = time.perf_counter() - start
        if drawn:
            return {"seconds": elapsed, "drawn": True}
        if elapsed > timeout:
            return {"seconds": None, "drawn": False, "error": f"not drawn within {timeout:.0f} s"}
        time.sleep(0.05)


def first_load(url: str, page_id: str, timeout: float, revisits: bool = True) -> dict:
    driver, profile = new_driver()
    try:
        driver.set_script_timeout(5)
        driver.execute_cdp_cmd("Profiler.enable", {})
        driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": 2000})  # µs: light sampling
        driver.execute_cdp_cmd("Profiler.start", {})
        result = wait_drawn(driver, page_id, _navigate(driver, url), timeout)
        result["main_thread_ms"] = self_times(driver.execute_cdp_cmd("Profiler.stop", {})["profile"])
        for key in ("repeat_seconds", "third_seconds"):  # the 2nd and 3rd visit in the same browser
            if not result["drawn"] or not revisits:
                break
            driver.get("about:blank")
            result[key] = wait_drawn(driver, page_id, _navigate(driver, url), timeout)["seconds"]
        return result
    except Exception as exc:  # noqa: BLE001 — a page that fails is a result too
        return {"seconds": None, "drawn": False, "error": f"{type(exc).__name__}: {exc}".splitlines()[0][:200]}
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _navigate(driver, url: str) -> float:
    start = time.perf_counter()
    driver.get(url)
    return start


FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<div id="chart" style="width:900px;height:450px"></div>
<script src="plotly.min.js"></script>
<script>Plotly.newPlot('chart', [{type: 'bar', x: ['a', 'b', 'c'], y: [1, 3, 2]}]);</script>
</body></html>"""


def floor_load(timeout: float = 60) -> dict:
    """The floor a page with a chart is compared with: a static page holding nothing but the plotly.js
    bundle the dashboard serves (dashboard/assets/plotly.min.js) and one bar chart, from a local static server, in a fresh
    browser, until the chart's SVG is there. No Dash, no data."""
    import functools
    import threading

    folder = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    shutil.copyfile(PLOTLY_JS, folder / "plotly.min.js")
    (folder / "index.html").write_text(FLOOR_PAGE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    driver, profile = new_driver()
    result: dict = {"drawn": True}
    try:
        for key in ("seconds", "repeat_seconds", "third_seconds"):  # three visits, as the pages
            driver.get("about:blank")
            start = _navigate(driver, f"http://127.0.0.1:{httpd.server_address[1]}/index.html")
            while not driver.execute_script("return !!document.querySelector('#chart .main-svg')"):
                if time.perf_counter() - start > timeout:
                    return {**result, key: None, "drawn": False, "error": f"not drawn within {timeout:.0f} s"}
                time.sleep(0.05)
            result[key] = time.perf_counter() - start
        return result
    finally:
        driver.quit()
        httpd.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def median_run(runs: list[dict]) -> dict:
    """Runs of one page as one result: a failed run if any (with its error), else the run of median time (its
    main-thread profile), the 2nd/3rd visits of the run that made them, and every run's seconds."""
    failed = [r for r in runs if not r.get("drawn")]
    if failed:
        return failed[0]
    ordered = sorted(runs, key=lambda r: r["seconds"])
    result = {**ordered[(len(ordered) - 1) // 2], "runs": [r["seconds"] for r in runs]}
    for key in ("repeat_seconds", "third_seconds"):
        result[key] = next((r[key] for r in runs if r.get(key) is not None), None)
    return result


def bench_pages(db, scale: str, pages=PAGES, timeout: float = 60, log=None, rounds: int = 3) -> list[dict]:
    """Each page's first load `rounds` times (a fresh browser each time; the pages taken in turn, so that a
    busy moment of the host falls on all of them), reported by the median; the 2nd and 3rd visits once."""
    rows = []
    floor = {"scale": scale, "page": "floor: plotly.js + 1 chart", **median_run([floor_load(timeout) for _ in range(rounds)])}
    rows.append(floor)
    print(f"[pages] {scale:10} floor (static page: plotly.min.js and one bar chart) "
          f"{floor['seconds'] or float('nan'):.2f} s", flush=True)
    with Server(db, log=log) as server:
        runs: dict[str, list[dict]] = {page: [] for page in pages}
        for n in range(rounds):
            for page in pages:
                runs[page].append(first_load(server.url + page, f"{PAGE_IDS[page]}-page", timeout, revisits=n == 0))
        for page in pages:
            result = {"scale": scale, "page": page, **median_run(runs[page])}
            rows.append(result)
            shown = "—" if result["seconds"] is None else f"{result['seconds']:.2f} s"
            each = " ".join(f"{s:.2f}" for s in result.get("runs", []))
            again = "" if result.get("third_seconds") is None else (
                f" (2nd visit {result['repeat_seconds']:.2f} s, 3rd {result['third_seconds']:.2f} s)")
            print(f"[pages] {scale:10} {page:10} {shown} [{each}]{again} {result.get('error', '')}", flush=True)
    return rows
