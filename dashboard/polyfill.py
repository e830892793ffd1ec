"""The polyfill Dash loads before React (@babel/polyfill 7.12), cut down to the one part the dashboard's
scripts use: regenerator-runtime.

Why: the rest is core-js 2, polyfills of ES2015-2017 for browsers older than any that can run the dashboard
(AG Grid's bundle is checked for ES2018, so a browser that needs them fails there anyway). In this Chromium it
is not only dead weight, it makes the page slower:
- evaluating it takes 85-155 ms of main thread on a first load (a static page with only polyfill.min.js, 4
  fresh browsers; an empty script: 6-25 ms);
- its feature tests fail on current engines (it expects U+180E to be white space, which Unicode 6.3 undid), so
  it replaces the browser's native `String.prototype.trim`, `parseFloat`, `parseInt`, `Number.parseFloat`
  and `Number.parseInt` with JavaScript versions, which plotly.js and AG Grid call for every number and
  style value they read;
- it defines `setImmediate`, which React's scheduler then prefers to its own MessageChannel loop.

What is needed: the renderer, dcc and dash-bootstrap-components call the global `regeneratorRuntime` (Babel's
compiled async functions) when they load a lazy component.

How: polyfill.min.js is a browserify bundle, `!function(...){…}({1:[function(t,n,r){…},{deps}],…},{},[306]);`:
modules run only when required, and the list at the end names the entry. The entry requires core-js and
regenerator-runtime; we make regenerator-runtime (a module with no dependencies that sets the global) the
entry instead, so the rest is parsed but never run.

Safety: if the file does not have this shape (another Dash release), the original is served and a warning is
logged: slower, never broken. The browser tests check that the served file defines `regeneratorRuntime` and
leaves the browser's own functions in place, on every page without a console error.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import flask

from dashboard.plotly_bundle import Bundle, load, requested, respond

# the end of the bundle: no module cache given, then the entry list
_ENTRY = re.compile(rb"\},\{\},\[(\d+)\]\);?\s*$")
# a module's header in the bundle's object: `ID:[function(require,module,exports){`
_MODULE = re.compile(rb"[{,](\d+):\[function\(\w+,\w+,\w+\)\{")
# regenerator-runtime's last statement sets the global, and the module depends on nothing
_SETS_GLOBAL = b'Function("r","regeneratorRuntime = r")'
KEPT = ("regenerator-runtime",)  # what the trimmed polyfill runs


def _relative_path() -> str:
    """The polyfill's path in Dash's package, as Dash lists it for its renderer."""
    from dash import _dash_renderer

    paths = [p for dep in _dash_renderer._js_dist_dependencies for p in dep["relative_package_path"]["prod"]]
    (path,) = [p for p in paths if Path(p).name.startswith("polyfill@")]
    return path


def served_path(relative: str) -> re.Pattern:
    """The address the browser asks for: Dash inserts its fingerprint (`.v4_4_1m123`) after the file name's
    first part (`polyfill@7` `.12.1.min.js`)."""
    directory, name = relative.rsplit("/", 1) if "/" in relative else ("", relative)
    head, _, rest = name.partition(".")
    return re.compile("/_dash-component-suites/dash/" + re.escape(directory + "/" + head if directory else head)
                      + r"(?:\.v\w+)?\." + re.escape(rest))


def trim(bundle: bytes) -> bytes:
    """The bundle with regenerator-runtime as its only entry. Raises ValueError, naming what was not as
    expected, if it cannot be done safely."""
    entry = _ENTRY.search(bundle)
    if not entry:
        raise ValueError("no browserify entry list at the end")
    setters = [m.start() for m in re.finditer(re.escape(_SETS_GLOBAL), bundle)]
    if len(setters) != 1:
        raise ValueError(f"expected one module setting regeneratorRuntime, found {len(setters)}")
    headers = [m for m in _MODULE.finditer(bundle, 0, setters[0])]
    if not headers:
        raise ValueError("no module header before regenerator-runtime")
    module = headers[-1]
    body_end = bundle.find(b"},{}],", setters[0])
    following = _MODULE.search(bundle, setters[0])
    if body_end < 0 or (following and following.start() < body_end):
        raise ValueError(f"module {module.group(1).decode()} (regenerator-runtime) does not end without dependencies")
    return bundle[:entry.start(1)] + module.group(1) + bundle[entry.end(1):]


@functools.lru_cache(maxsize=1)
def bundle() -> Bundle:
    """The polyfill served to the browser, made once per process from Dash's file."""
    import dash

    return load(Path(dash.__file__).parent / _relative_path(), lambda full: (trim(full), KEPT), "whole polyfill")


def serve() -> flask.Response | None:
    """A before-request hook: answers the renderer's request for the polyfill with the trimmed one."""
    if not requested(_served()):
        return None
    served = bundle()
    return respond(served, {"X-Polyfill": ",".join(served.registered) or "whole"})


@functools.lru_cache(maxsize=1)
def _served() -> re.Pattern:
    return served_path(_relative_path())


def install(server: flask.Flask) -> None:
    """Serve the trimmed polyfill from this server (made now, ≈ 1 ms)."""
    bundle()
    server.before_request(serve)
