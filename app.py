"""Entry point: the Dash app (WSGI `app:server`) and `python app.py [--host H] [--port P] [--db PATH]`.

Production: `gunicorn -c gunicorn.conf.py app:server` (127.0.0.1:8050; what `make run` starts).
Both print at start which database is served, when it was built, what it holds, whether it is synthetic,
and the address (dashboard/startup.py). Importing this module does no work beyond creating the app:
the default views are drawn in a background thread once the server answers (start_warming).
"""

from __future__ import annotations

import argparse
import os
import re
import threading

import dash
from flask import Response, abort, request, send_file
from werkzeug.exceptions import BadRequest, InternalServerError

from dashboard import admin, db, downloads, startup
from dashboard.components import EMBEDS
from dashboard.grid import GridRequestTooLarge
from dashboard.i18n import t
from dashboard.state import MAX_JSON_DEPTH, json_problem

app = dash.Dash(
    __name__,
    use_pages=True,
    pages_folder="dashboard/pages",
    assets_folder="dashboard/assets",  # plotly.min.js there (dashboard/plotly/build.mjs) is what dcc.Graph uses
    suppress_callback_exceptions=True,
    title="Социални услуги — планове",
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],  # phones: 375 px wide
)
server = app.server


def finish_setup(dash_app: dash.Dash) -> None:
    """Complete Dash's setup now, in this thread, before the server takes requests (≈ 15 ms): on import
    (`app:server`: gunicorn imports the app before it forks the workers), or by main() once it knows whether
    Dash must add its dev tools first (`python app.py --debug`).

    Dash registers the pages' router and copies every callback into its map in before-request hooks of
    the first request, and marks each hook done before doing it: with several request threads, a fresh
    worker's concurrent first requests can find no callback (HTTP 500 "Callback function not found",
    seen under load once gunicorn recycles workers). One request here runs the hooks.
    """
    with dash_app.server.test_client() as client:
        client.get("/_dash-dependencies")
    _answered.clear()  # this request does not count as the server's first answer


@server.route("/geo/municipalities.geojson")
def municipalities_geojson():
    """The municipality boundaries for the map, fetched once by the browser (not sent in every figure)."""
    path = db.municipalities_geojson_path()
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/geo+json", max_age=3600)


_answered = threading.Event()  # the server has answered a request (start_warming waits for it)


@server.after_request
def _note_first_answer(response):
    if not _answered.is_set():
        _answered.set()
    return response


# Every response: scripts, styles, data and workers from this server only, no framing, no referrer, no content
# sniffing. 'unsafe-inline': Dash's renderer and the clientside callbacks are inline scripts; 'unsafe-eval': the
# /data grid's number formatter is a dash-ag-grid {"function": ...} (compiled with new Function); blob:/data:
# for the workers and images of plotly and maplibre.
SECURITY_HEADERS = {
    "Content-Security-Policy": "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


# The one exception to "no framing": /embed/<chart> (dashboard/pages/embed.py) is made to be shown in an <iframe> on
# any site, so its page may be framed by anyone (frame-ancestors *, no X-Frame-Options). Only the page itself: the
# scripts, data and callbacks it loads are not documents and are not framed.
EMBED_PREFIX = "/embed/"


def _is_embed() -> bool:
    return request.path.startswith(EMBED_PREFIX)


@server.after_request
def _security_headers(response):
    embed = _is_embed()
    for name, value in SECURITY_HEADERS.items():
        if embed and name == "X-Frame-Options":
            continue
        if embed and name == "Content-Security-Policy":
            value = value.replace("frame-ancestors 'none'", "frame-ancestors *")
        response.headers.setdefault(name, value)
    return response


def _is_page(path: str) -> bool:
    """Whether `path` is the address of a page (dash.page_registry: a path, or a path template such as
    /embed/<chart>)."""
    path = "/" + (app.strip_relative_path(path) or "")
    for page in dash.page_registry.values():
        if page.get("module", "").split(".")[-1] == "not_found_404":
            continue
        template = page.get("path_template")
        if template and re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", re.escape(template)), path):
            return True
        if not template and page.get("path") == path:
            return True
    return False


def _names_nothing(path: str) -> bool:
    """Whether `path` is a page template whose parameter names nothing: /embed/<a chart that is not one of
    components.EMBEDS>, /municipality/<a code of no municipality in EKATTE or in the plans> (the pages say so in the
    UI's language). While the database cannot be read, no municipality is said not to exist."""
    path = "/" + (app.strip_relative_path(path) or "")
    parts = path.split("/")
    if len(parts) != 3:
        return False
    if parts[1] == "embed":
        return parts[2] not in EMBEDS
    if parts[1] == "municipality":
        code = parts[2].strip().upper()
        if not (code.isascii() and code.isalnum()):
            return True
        try:
            return db.run_query("municipality_identity", code=code).empty
        except (db.DatabaseMissing, db.Unavailable):
            return False
    return False


@server.after_request
def _not_found_status(response):
    """An address that is no page gets the page of dashboard/pages/not_found_404.py (in the UI's language) with
    status 404, not 200; so does a page whose address names nothing (_names_nothing), with its own sentence."""
    index = app.config.routes_pathname_prefix  # Dash's index page and its catch-all route for every other path
    if request.endpoint in (index, index + "<path:path>") and response.status_code == 200 and (
            not _is_page(request.path) or _names_nothing(request.path)):
        response.status_code = 404
    return response


# --- malformed requests: 400 with a short reason, never 500 ------------------------------------------------


def _is_callback() -> bool:
    return request.method == "POST" and request.path.endswith("/_dash-update-component")


@server.before_request
def _refuse_malformed_callbacks():
    """A callback body that is not JSON, nested deeper than MAX_JSON_DEPTH, holds an integer no browser sends or
    text that is not Unicode (a lone surrogate) is refused before Dash reads it (Dash reuses the parsed body)."""
    if not _is_callback():
        return None
    try:
        body = request.get_json(silent=False)
    except RecursionError:
        abort(400, f"callback: nested deeper than {MAX_JSON_DEPTH} levels")
    problem = json_problem(body, "callback")
    if problem:
        abort(400, problem)
    return None


@server.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    """A refused request: the reason as one line of plain text."""
    return Response(f"400 Bad Request: {error.description}\n", status=400, mimetype="text/plain")


MALFORMED = (TypeError, ValueError, LookupError, AttributeError, UnicodeError, RecursionError, OverflowError)


def _malformed(error: Exception):
    """A callback or a download that fails on the values it was sent (a dict where a text belongs, ...) answers
    400, logged with its traceback; anywhere else such an error is the server's (500)."""
    if _is_callback() or request.path.startswith("/download/"):
        server.logger.warning("malformed request %s: %s", request.path, error, exc_info=error)
        return _bad_request(BadRequest(f"malformed request ({type(error).__name__})"))
    server.logger.error("Exception on %s [%s]", request.path, request.method, exc_info=error)
    return InternalServerError(original_exception=error)


for _error in MALFORMED:
    server.register_error_handler(_error, _malformed)


@server.errorhandler(GridRequestTooLarge)
def _grid_too_large(error: GridRequestTooLarge):
    """A /data grid request beyond the limits of dashboard/grid.py (too many filters, a filter text too long)."""
    return _bad_request(BadRequest(str(error)))


@server.errorhandler(db.Unavailable)
def _unavailable(error: db.Unavailable):
    """No database, a query past its deadline, heavy work at its limit: 503 and one sentence in the request's
    language (never a server path), with Retry-After; the cause goes to the log."""
    server.logger.warning("503 for %s: %s", request.path, error)
    lang = "en" if request.args.get("lang") == "en" else "bg"
    return Response(t(error.key, lang) + "\n", status=503, mimetype="text/plain",
                    headers={"Retry-After": str(db.RETRY_AFTER)})


downloads.install(server)
admin.install(server)  # /admin: signed-in editors add, correct, publish and withdraw plans
if __name__ != "__main__":  # python app.py: main() does it
    finish_setup(app)


def warm_default_views() -> None:
    """Draw every page once with no filters (in Bulgarian), so that the first readers of a freshly started
    server find the default views in the result cache. Run in a background thread (start_warming) and again
    after a build replaces the database; a failure is logged, never raised."""
    if not db.database_available():
        return
    for page in dash.page_registry.values():
        try:
            page["layout"]()
        except Exception:  # noqa: BLE001 — warming is an optimisation; the request will show the error
            server.logger.warning("warming %s failed", page["path"], exc_info=True)


def start_warming(wait: float = 2.0) -> threading.Thread:
    """Draw the default views in a background thread once the server has answered its first request (or
    after `wait` seconds without one), and again whenever a build replaces the database. Called when the
    server starts serving: by main() below, and for gunicorn by each worker (gunicorn.conf.py)."""

    def run() -> None:
        _answered.wait(wait)
        warm_default_views()

    thread = threading.Thread(target=run, name="warm-default-views", daemon=True)
    thread.start()
    db.on_replaced(warm_default_views)
    return thread


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the social-services plans dashboard (development server; "
                                     "production: gunicorn -c gunicorn.conf.py app:server).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--db", help="DuckDB file (default: $SSP_DB or data/build/plans.duckdb)")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    if args.db:
        db.set_database(args.db)
    reloaded = os.environ.get("WERKZEUG_RUN_MAIN") == "true"  # --debug: the reloader's serving child
    if not reloaded:
        lines = startup.banner(db.database_path(), [startup.url(args.host, args.port)], db.CONNECTION_CONFIG)
        print("\n".join(lines), flush=True)
    if not args.debug:  # --debug: Dash adds its dev tools when it starts, so its setup stays in the first request
        finish_setup(app)
    if reloaded or not args.debug:
        start_warming()
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
