"""The plotly.js the dashboard's graphs load: the plotly package's own bundle, registering only the trace
types the dashboard draws.

Why: in a fresh browser on the 2-core machine, a static page holding only plotly.min.js and one bar chart
takes ≈ 2.45 s to draw, and ≈ 0.95 s of that is plotly running the set-up code of its 46 trace types and
the calendars component, most of which we never draw (median of 4 fresh-browser loads each; the same
page with only bar, heatmap and choroplethmap registered: ≈ 1.5 s). A partial bundle built by plotly's
own tooling needs npm, which this project does not use; this module trims the shipped bundle instead.

How: plotly.min.js is an esbuild bundle. Every module is a function that runs only when it is first
called, and the bundle's entry registers the trace modules in one call, `R.register([A(),B(),…])`. Each
entry `A` is a one-line module `…exports=B()` whose module `B` is the trace's index, which names the
trace (`moduleType:"trace",name:"bar"`). We keep the entries whose trace is in TRACES and drop the
others, so their code is parsed but never run. Scatter is part of plotly's core and always registered.

Safety: if the bundle does not have this shape (another plotly release), or a trace in TRACES is not found
exactly once, the full bundle is served and a warning is logged: slower, never broken. The browser tests
check that the served bundle registers exactly the traces the dashboard's figures use.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flask

log = logging.getLogger(__name__)

# the trace types the dashboard's figures use (dashboard/figures.py); scatter comes with plotly's core
TRACES = ("bar", "heatmap", "choroplethmap")
ALWAYS = ("scatter",)

# where dcc.Graph loads plotly.js from (window._dashPlotlyJSURL), with or without Dash's fingerprint
SERVED_PATH = re.compile(r"/_dash-component-suites/plotly/package_data/plotly\.min(?:\.v[\w.]+)?\.js")

_IDENT = rb"[\w$]+"
_REGISTER = re.compile(rb"(" + _IDENT + rb")\.register\(\[((?:" + _IDENT + rb"\(\),)*" + _IDENT + rb"\(\))\]\)")
_IDENT_TAIL = re.compile(_IDENT + rb"$")
_TRACE_NAME = re.compile(rb'moduleType:"(\w+)",name:"(\w+)"')


@dataclass(frozen=True)
class Bundle:
    source: str  # the file it was made from
    text: bytes
    trimmed: bool
    registered: tuple[str, ...]  # what it keeps: the trace types it registers besides ALWAYS (empty when whole)
    etag: str


# The bundle is handled as bytes (its patterns are ASCII): bytes.find is a memchr scan, str.find over a
# 4.8 MB text with non-ASCII characters is several times slower, and a regex search per name takes seconds.

def _declaration(bundle: bytes, name: bytes, pattern: bytes) -> re.Match | None:
    """The first `var NAME=…` or `,NAME=…` in the bundle that matches `pattern` from the `NAME=`."""
    compiled = re.compile(pattern)
    for lead in (b"var ", b","):
        at = bundle.find(lead + name + b"=")
        while at >= 0:
            found = compiled.match(bundle, at + len(lead))
            if found:
                return found
            at = bundle.find(lead + name + b"=", at + 1)
    return None


def _entry_name(bundle: bytes, entry: bytes) -> str | None:
    """The trace (or component) a register entry stands for, or None if its modules do not have the
    expected shape: `entry = W((a, m) => {"use strict"; m.exports = index()})`, and the first module
    header after `index = W((` names it, with no other module declared in between."""
    wrapper = _declaration(bundle, entry, re.escape(entry) + b"=(" + _IDENT + rb")\(\((" + _IDENT + b"),("
                           + _IDENT + rb")\)=>\{\"use strict\";\3\.exports=(" + _IDENT + rb")\(\)\}\)")
    if not wrapper:
        return None
    module_wrap, index = wrapper.group(1), wrapper.group(4)
    declared = _declaration(bundle, index, re.escape(index) + b"=" + re.escape(module_wrap) + rb"\(\(")
    if not declared:
        return None
    named = _TRACE_NAME.search(bundle, declared.end())
    if not named or b"=" + module_wrap + b"((" in bundle[declared.end():named.start()]:
        return None
    kind, name = named.group(1).decode(), named.group(2).decode()
    return name if kind == "trace" else f"{kind}:{name}"


def _register_calls(bundle: bytes):
    """Every `X.register([A(),B(),…])` in the bundle."""
    at = bundle.find(b".register([")
    while at >= 0:
        name = _IDENT_TAIL.search(bundle, max(0, at - 64), at)
        call = name and _REGISTER.match(bundle, name.start())
        if call:
            yield call
        at = bundle.find(b".register([", at + 1)


def trim(bundle: bytes, keep: tuple[str, ...] = TRACES) -> tuple[bytes, tuple[str, ...]]:
    """The bundle registering only the traces in `keep`, and those traces in their order in the bundle.
    Raises ValueError, naming what was not as expected, if the bundle cannot be trimmed safely."""
    calls = [m for m in _register_calls(bundle) if m.group(2).count(b"()") > len(keep)]
    if len(calls) != 1:
        raise ValueError(f"expected one register call listing the trace modules, found {len(calls)}")
    call = calls[0]
    entries = re.findall(b"(" + _IDENT + rb")\(\)", call.group(2))
    names = {entry: _entry_name(bundle, entry) for entry in entries}
    kept = [entry for entry in entries if names[entry] in keep]
    found = [names[entry] for entry in kept]
    missing = sorted(set(keep) - set(found))
    if missing or len(found) != len(set(found)):
        raise ValueError(f"trace modules not found exactly once: {missing or sorted(found)}")
    register = call.group(1) + b".register([" + b",".join(entry + b"()" for entry in kept) + b"])"
    return bundle[:call.start()] + register + bundle[call.end():], tuple(found)


@functools.lru_cache(maxsize=1)
def bundle() -> Bundle:
    """The bundle served to the browser, made once per process from the plotly package's file."""
    import plotly

    return load(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", trim, "full plotly.js")


def serve() -> flask.Response | None:
    """A before-request hook: answers dcc.Graph's request for plotly.js with the trimmed bundle."""
    if not requested(SERVED_PATH):
        return None
    served = bundle()
    return respond(served, {"X-Plotly-Traces": ",".join(served.registered) or "all"})


# Serving a trimmed copy of a package's script (this bundle, and dashboard/polyfill.py's polyfill)

def load(path: Path, trimmer: Callable[[bytes], tuple[bytes, tuple[str, ...]]], whole: str) -> Bundle:
    """The script at `path` as `trimmer` makes it (text, what it keeps), or the whole file, with a warning
    naming it (`whole`), when the trimmer raises ValueError: slower, never broken."""
    full = path.read_bytes()
    try:
        text, kept = trimmer(full)
        trimmed = True
    except ValueError as exc:
        log.warning("serving the %s (%s): cannot trim it: %s", whole, path, exc)
        text, kept, trimmed = full, (), False
    return Bundle(str(path), text, trimmed, kept, hashlib.sha256(text).hexdigest()[:32])


def requested(path: re.Pattern) -> bool:
    """Whether the current request reads the script at `path` (GET or HEAD)."""
    return flask.request.method in ("GET", "HEAD") and bool(path.fullmatch(flask.request.path))


def respond(served: Bundle, headers: dict[str, str]) -> flask.Response:
    """A trimmed script as the response to the current request. Its address carries no fingerprint of the
    trimming, so it is never cached for long: it has an ETag and the browser revalidates it (304 when
    unchanged)."""
    response = flask.Response(served.text, mimetype="text/javascript")
    response.set_etag(served.etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers.update(headers)
    return response.make_conditional(flask.request)


def install(server: flask.Flask) -> None:
    """Serve the trimmed bundle from this server; made now (≈ 0.2 s), not on a reader's first graph."""
    bundle()
    server.before_request(serve)
