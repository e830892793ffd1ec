"""gunicorn settings for serving the dashboard (`gunicorn app:server` from the repository root reads this file).

Worker recycling: under steady load a worker's resident memory grows by ~10–15 MB a minute outside the
Python heap (tracemalloc inside the workers shows Python objects flat at ~4 MB; the growth is native —
allocator caches of the request and DuckDB threads). Its source is not removed yet, so each worker is
replaced after about 2,000 requests (jitter so both do not restart at once); gunicorn lets the old worker
finish the requests it holds, so no request fails. See README "Performance".

Warm-up: each new worker draws the default view of every page in a background thread (app.warm_default_views),
so the first reader of a (re)started worker does not wait for the queries; again when a build replaces the database.
"""

import threading

max_requests = 2000
max_requests_jitter = 200
graceful_timeout = 10


def post_worker_init(worker):
    import app  # noqa: PLC0415  (already imported by the worker: app:server)

    threading.Thread(target=app.warm_default_views, name="warm-default-views", daemon=True).start()
    app.db.on_replaced(app.warm_default_views)  # and again after each build that replaces the database
