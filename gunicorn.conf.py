"""gunicorn settings for serving the dashboard: `gunicorn -c gunicorn.conf.py app:server` from the repository
root (what `make run` starts; gunicorn also reads this file by default from the current folder). The
database is $SSP_DB, else data/build/plans.duckdb.

Workers: gthread, 2 processes × 16 threads. A page view is a handful of short requests (the page, the Pages
router, its callbacks, static files); threads serve them concurrently within a process while its queries run
in DuckDB (which releases the GIL), each on a cursor of its own, and each process keeps one read-only DuckDB
database and its own result cache. Two processes use this machine's two cores; more only compete for them.

Threads are many because some requests hold one long while using little: a CSV download being read by a slow
client, a request waiting for a heavy-job place. The app bounds those per process (dashboard/db.py,
dashboard/downloads.py): at most SSP_HEAVY_JOBS (1) heavy jobs (the /data grid's filtered or sorted query, making a
CSV file) run at once, at most SSP_DOWNLOAD_STREAMS (4) files are being sent, and a request that finds no place
waits SSP_HEAVY_WAIT (1 s) then gets 503 with Retry-After; every query stops at its deadline (SSP_QUERY_TIMEOUT,
5 s; making a CSV file SSP_DOWNLOAD_TIMEOUT, 20 s). So at most 1 + 4 + the waiting requests of a process are
held by heavy work, and the other threads are left to page requests. Keep `threads` well above
SSP_DOWNLOAD_STREAMS + SSP_HEAVY_JOBS + a few waiting (docs/deploy.md). For page requests the thread count is not
what limits: `python -m bench --only load` serves the same load with 4, 8 and 16 threads (docs/performance.md);
with fewer, requests wait in the queue behind the long ones instead of in the cores, and the two cores stay the
limit.

The app is imported once, by the master, before it forks the workers (preload_app): a worker starts in
milliseconds, at start and when it is replaced, instead of each importing Dash, pandas and the pages (~0.8 s of
CPU each, two at once on two cores). Importing the app opens no database and starts no thread; each worker opens
its own DuckDB connection on its first query.

Worker recycling: under steady load a worker's resident memory grows by ~10–15 MB a minute outside the
Python heap (allocator caches of the request and DuckDB threads; Python objects stay flat). Each worker is
therefore replaced after about 2,000 requests (jitter so both do not restart at once); gunicorn lets the
old worker finish the requests it holds, so no request fails.

Start-up: the master prints which database it serves, when it was built, what it holds, whether it is
synthetic, and the address, once it listens and has imported the app (dashboard/startup.py). Each worker
answers at once; it draws the default view of every page in a background thread once it has answered its
first request (and again when a build replaces the database), so a (re)started worker's readers find them ready.
"""

bind = ["127.0.0.1:8050"]
worker_class = "gthread"
workers = 2
threads = 16
timeout = 60
preload_app = True
max_requests = 2000
max_requests_jitter = 200
graceful_timeout = 10
# no control socket: gunicorn's default path ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl) is one per user,
# so a second server (the tests', the benchmark's) would take it over from the first
control_socket_disable = True


def when_ready(server):
    """The master listens and has the app: say what is served, and where (just before the workers start)."""
    from dashboard import startup  # noqa: PLC0415

    urls = [startup.url(*listener.sock.getsockname()[:2]) for listener in server.LISTENERS
            if isinstance(listener.sock.getsockname(), tuple)]
    print("\n".join(startup.banner(startup.database_path(), urls)), flush=True)


def post_worker_init(worker):
    """The worker is about to serve: warm its caches in the background (a thread of its own, after the fork)."""
    import app  # noqa: PLC0415  (already imported: app:server)

    app.start_warming()
