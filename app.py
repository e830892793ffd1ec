"""Entry point: the Dash app (WSGI `app:server`) and `python app.py [--host H] [--port P] [--db PATH]`."""

from __future__ import annotations

import argparse

import dash

from dashboard import db

app = dash.Dash(
    __name__,
    use_pages=True,
    pages_folder="dashboard/pages",
    assets_folder="dashboard/assets",
    suppress_callback_exceptions=True,
    title="Социални услуги — планове",
)
server = app.server


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
