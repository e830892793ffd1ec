"""The plotly.js the dashboard's graphs use: dashboard/assets/plotly.min.js, built by dashboard/plotly/build.mjs
(plotly.js's custom-bundle route: lib/core + the trace modules the figures draw).

It must be the plotly.js release the Python plotly package ships (what dcc.Graph would load otherwise), register
every trace type the figures draw, and be what the committed build script makes from the committed lock file.
The browser tests (test_browser_pages.py) check the served page: the graphs use this bundle, not dcc's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import plotly
import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "dashboard" / "assets" / "plotly.min.js"
BUILD = REPO / "dashboard" / "plotly"
HEADER = re.compile(r"/\*\*\s*\* plotly\.js v(\d+\.\d+\.\d+)(?: \(([\w, ]+)\))?")


def header(path: Path) -> tuple[str, list[str]]:
    """(plotly.js version, trace types) from a bundle's licence header."""
    with path.open(encoding="utf-8") as f:
        found = HEADER.match(f.read(400))
    assert found, f"no plotly.js header in {path}"
    return found.group(1), (found.group(2) or "").split(", ")


def python_plotly_js_version() -> str:
    """The plotly.js release the Python plotly package ships (dcc.Graph's own bundle)."""
    return header(Path(plotly.__file__).parent / "package_data" / "plotly.min.js")[0]


def build_traces() -> list[str]:
    """The trace types build.mjs registers (its TRACES), scatter first: it is part of plotly.js's core."""
    found = re.search(r"export const TRACES = \[([^\]]*)\]", (BUILD / "build.mjs").read_text(encoding="utf-8"))
    return ["scatter", *re.findall(r"'(\w+)'", found.group(1))]


def figure_trace_types() -> set[str]:
    """The trace types written in the dashboard's figure code (`"type": "bar"`, …), told from axis types
    (`"type": "category"`) by plotly's list of trace types."""
    import plotly.graph_objects as go

    traces = {name.lower() for name in go.__all__ if isinstance(getattr(go, name), type)
              and issubclass(getattr(go, name), plotly.basedatatypes.BaseTraceType)}
    written = set()
    for path in [REPO / "dashboard" / "figures.py", *(REPO / "dashboard" / "pages").glob("*.py")]:
        written |= set(re.findall(r"""["']type["']\s*:\s*["'](\w+)["']""", path.read_text(encoding="utf-8")))
    return written & traces


def test_the_bundle_is_the_plotly_js_release_the_python_package_ships():
    version, _ = header(BUNDLE)
    assert version == python_plotly_js_version()
    package = json.loads((BUILD / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"]["plotly.js"] == version  # an exact version, not a range
    lock = json.loads((BUILD / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version


def test_the_bundle_registers_every_trace_type_the_figures_draw():
    _, registered = header(BUNDLE)
    assert registered == build_traces()
    used = figure_trace_types()
    assert used, "no trace type found in the figure code"
    assert used <= set(registered), f"drawn but not in the bundle: {sorted(used - set(registered))}"


def test_the_page_loads_the_bundle_from_the_assets():
    import app

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    (address,) = re.findall(r'<script src="(/assets/plotly\.min\.js[^"]*)"', page)
    response = client.get(address)
    assert response.status_code == 200 and response.data == BUNDLE.read_bytes()
    assert "package_data/plotly.min.js" not in page  # dcc's own bundle is loaded only when window.Plotly is missing


@pytest.mark.slow
@pytest.mark.skipif(not (BUILD / "node_modules" / "plotly.js").is_dir() or not shutil.which("node"),
                    reason="needs node and `npm ci` in dashboard/plotly")
def test_the_build_script_makes_the_committed_bundle(tmp_path):
    out = tmp_path / "plotly.min.js"
    done = subprocess.run(["node", "build.mjs"], cwd=BUILD, env={"PATH": os.environ["PATH"],
                          "PLOTLY_BUNDLE_OUT": str(out)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == BUNDLE.read_bytes(), "rebuild it: cd dashboard/plotly && npm ci && npm run build"
