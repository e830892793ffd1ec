"""Entry point: the Dash app (WSGI `app:server`) and `python app.py [--host H] [--port P] [--db PATH]`."""

from __future__ import annotations

import argparse

import dash
from flask import abort, send_file

from dashboard import db, downloads, plotly_bundle, polyfill, serialise

serialise.install()  # same JSON as Dash's own encoder, without plotly's cleaning walk (dashboard/serialise.py)

app = dash.Dash(
    __name__,
    use_pages=True,
    pages_folder="dashboard/pages",
    assets_folder="dashboard/assets",
    suppress_callback_exceptions=True,
    title="Социални услуги — планове",
)
server = app.server


def finish_setup(dash_app: dash.Dash) -> None:
    """Complete Dash's setup now, in this thread, before any request is served.

    Dash registers the pages' router and copies every callback into its map in before-request hooks of
    the first request, and marks each hook done before doing it: with several request threads, a fresh
    worker's concurrent first requests can find no callback (HTTP 500 "Callback function not found",
    seen under load once gunicorn recycles workers). One request here runs the hooks.
    """
    with dash_app.server.test_client() as client:
        client.get("/_dash-dependencies")


@server.route("/geo/municipalities.geojson")
def municipalities_geojson():
    """The municipality boundaries for the map, fetched once by the browser (not sent in every figure)."""
    path = db.municipalities_geojson_path()
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/geo+json", max_age=3600)


downloads.install(server)
plotly_bundle.install(server)  # the graphs' plotly.js, trimmed to the traces we draw
polyfill.install(server)  # the renderer's polyfill, trimmed to regenerator-runtime
finish_setup(app)


def warm_default_views() -> None:
    """Draw every page once with no filters (in Bulgarian), so that the first readers of a freshly started
    worker find the default views in the result cache. gunicorn runs it in a background thread of each
    worker (gunicorn.conf.py); a failure is logged, never raised."""
    for page in dash.page_registry.values():
        try:
            page["layout"]()
        except Exception:  # noqa: BLE001 — warming is an optimisation; the request will show the error
            server.logger.warning("warming %s failed", page["path"], exc_info=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the social-services plans dashboard.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--db", help="DuckDB file (default: $SSP_DB or data/build/plans.duckdb)")
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    if args.db:
        db.set_database(args.db)
    app.run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
