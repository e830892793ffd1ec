"""Re-take the dashboard screenshots in docs/screenshots/ (headless Chromium against a database).

    python bench/screenshots.py --db PATH --out docs/screenshots [--port 8059]

Serves the app (`python app.py --db PATH`) in a child process, opens every page in headless Chromium
at 1440 × 1657, waits until its charts or grid are drawn and saves one PNG per page.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from selenium import webdriver
from selenium.webdriver.common.by import By

REPO = Path(__file__).resolve().parents[1]
SHOTS = {
    "overview": "/",
    "capacity": "/capacity?dim=setting",
    "capacity-en": "/capacity?dim=setting&lang=en",
    "funding": "/funding",
    "coverage": "/coverage?municipality=" + quote("Дупница"),
    "changes": "/changes",
    "data": "/data",
}


def wait_for_server(url: str, timeout: float = 30) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 — our own local server
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the dashboard did not start at {url}")


def drawn(driver) -> bool:
    """Every chart has its plot, or the grid has rows, and no loading spinner is left."""
    return driver.execute_script(
        "const graphs = document.querySelectorAll('.dash-graph');"
        "const plots = document.querySelectorAll('.dash-graph .main-svg');"
        "const grid = document.querySelectorAll('.ag-row').length;"
        "const loading = document.querySelectorAll('._dash-loading, .dash-spinner').length;"
        "return loading === 0 && ((graphs.length > 0 && plots.length >= graphs.length) || grid > 0);"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--port", type=int, default=8059)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--db", args.db, "--port", str(args.port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument("--window-size=1440,1657")
    driver = None
    try:
        wait_for_server(base + "/")
        driver = webdriver.Chrome(options=options)
        # the viewport (not the window) is 1440 × 1657, as the screenshots always were
        driver.get(base + "/")
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
        driver.set_window_size(1440 + 1440 - inner[0], 1657 + 1657 - inner[1])
        for name, path in SHOTS.items():
            driver.get(base + path)
            driver.find_element(By.CSS_SELECTOR, "body")
            end = time.time() + 30
            while not drawn(driver) and time.time() < end:
                time.sleep(0.3)
            time.sleep(1.5)  # transitions, map tiles of the blank style, fonts
            driver.save_screenshot(str(out / f"{name}.png"))
            print(out / f"{name}.png")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
