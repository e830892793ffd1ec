"""Serving benchmarks: gunicorn on loopback, real Dash callback payloads, and a bounded load generator.

    Server(db)                       gunicorn -c gunicorn.conf.py -b 127.0.0.1:PORT app:server (SSP_DB=db):
                                     the production settings (workers, threads, timeouts) on a free loopback port
    DashSite(transport).visit(...)   the requests a browser makes to show one page: GET the page, the Dash
                                     Pages router POST, then every callback the page fires on load, in the
                                     renderer's order, with inputs/state taken from the layout the router
                                     returned (the URL-state defaults) and from the outputs of earlier ones
    run_load(port, visits, ...)      N client threads (http.client, keep-alive, 127.0.0.1 only) replaying
                                     random visits for D seconds; every request is checked (200, and for
                                     callbacks a JSON body with a `response` key); the server's RSS is sampled

Only loopback is ever contacted. Every request has a timeout, and the run stops issuing requests at the
deadline, so a run lasts at most duration + timeout seconds.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlencode

REPO = Path(__file__).resolve().parents[1]
CALLBACK_PATH = "/_dash-update-component"
ROUTER_OUTPUT = "_pages_content.children"
PAGES = ["/", "/capacity", "/funding", "/coverage", "/changes", "/data"]
FILTER_IDS = ["filters-oblast", "filters-municipality", "filters-year"]
# a state the renderer fills from the component itself, not from a callback: the grid's rows after its
# own filtering, which equal the rows a callback gave it when no grid filter is set
PROP_ALIASES = {"virtualRowData": "rowData"}
# props a component sets itself once it is drawn (not in the layout): what the browser sends then.
# getRowsRequest: the first block an AG Grid with server-side rows asks for.
PROP_DEFAULTS = {"getRowsRequest": {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}}


# ---------------------------------------------------------------------------------------------- stats


def percentile(values, q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of a list of numbers; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


# ----------------------------------------------------------------------------------- processes, memory


def descendants(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _status_kb(pid: int, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rss_bytes(pids) -> int:
    """Sum of the resident set sizes of pids."""
    return sum(_status_kb(p, b"VmRSS:") for p in pids) * 1024


def pss_bytes(pids) -> int:
    """Sum of the proportional set sizes (shared pages split between the processes sharing them): the
    memory a process tree really uses, e.g. a parent and its forked workers. Falls back to RSS."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            total += rss_bytes([p])
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving app:server on 127.0.0.1 with SSP_DB=db; a context manager that always stops it."""

    workers = 2  # as gunicorn.conf.py: the server is ready when they are up

    def __init__(self, db: str | os.PathLike, port: int | None = None,
                 log: str | os.PathLike | None = None, timeout: float = 90, env: dict | None = None):
        self.db = Path(db)
        self.env = dict(env or {})
        self.port = port or free_port()
        self.log_path = Path(log) if log else None
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "SSP_DB": str(self.db), **self.env}
        cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}",
               "app:server"]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode} (log: {self.log_path})")
            if len(descendants(self.proc.pid)) >= self.workers + 1:
                try:
                    status, _ = HTTPTransport(self.port, timeout=10).get("/")
                except OSError:
                    status = None
                if status == 200:
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn not ready within {self.timeout} s (log: {self.log_path})")

    def pids(self) -> list[int]:
        return descendants(self.proc.pid) if self.proc and self.proc.poll() is None else []

    def rss(self) -> int:
        """Resident memory of the master and its workers together, in bytes."""
        return rss_bytes(self.pids())

    def stop(self) -> None:
        """SIGTERM to the master, then SIGKILL to the process group this object started (if anything is left)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session started for this gunicorn only
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------ transports


class HTTPTransport:
    """One keep-alive connection to 127.0.0.1:port (one per thread); reconnects after a failure."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except BaseException:
            self.close()
            raise

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return self.request("POST", path, body)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


class FlaskTransport:
    """The same requests to the app in this process (Flask test client): no network, same dispatch."""

    def __init__(self, server):
        self.client = server.test_client()

    def get(self, path: str) -> tuple[int, bytes]:
        r = self.client.get(path)
        return r.status_code, r.get_data()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        r = self.client.post(path, data=body, content_type="application/json")
        return r.status_code, r.get_data()


# ------------------------------------------------------------------------------- Dash callback payloads


@dataclass
class Request:
    kind: str  # "page" (GET of a page), "router" (Dash Pages layout callback) or "callback"
    name: str  # "GET /capacity", "pages.router", "capacity.update"
    method: str
    path: str
    body: bytes | None = None
    output: str = ""  # the callback's output key (callback_map key)
    inputs: list = field(default_factory=list)  # payload inputs + state, for calling the function in process


@dataclass
class Visit:
    page: str
    search: str
    label: str
    requests: list[Request]


def id_key(cid) -> str:
    """A component id as Dash writes it in output keys and responses."""
    if isinstance(cid, dict):
        return json.dumps(cid, sort_keys=True, separators=(",", ":"))
    return cid


def is_wildcard(cid) -> bool:
    return isinstance(cid, dict) and any(isinstance(v, list) for v in cid.values())


def matches(pattern, cid) -> bool:
    """Does component id cid match a (pattern-matching) dependency id?"""
    if not is_wildcard(pattern):
        return id_key(pattern) == id_key(cid)
    if not isinstance(cid, dict) or set(cid) != set(pattern):
        return False
    return all(isinstance(v, list) or cid[k] == v for k, v in pattern.items())


def walk_components(node, found: dict) -> None:
    """Every component with an id in a layout tree: id key -> (id, props)."""
    if isinstance(node, list):
        for child in node:
            walk_components(child, found)
    elif isinstance(node, dict):
        if "props" in node and "type" in node and isinstance(node["props"], dict):
            props = node["props"]
            if "id" in props:
                found[id_key(props["id"])] = (props["id"], props)
            for value in props.values():
                walk_components(value, found)
        else:
            for value in node.values():
                walk_components(value, found)


def normalise_dep(dep: dict) -> dict:
    """/_dash-dependencies writes dict ids as JSON strings; the payloads carry them as objects."""
    def fix(entry: dict) -> dict:
        cid = entry["id"]
        return {**entry, "id": json.loads(cid) if isinstance(cid, str) and cid.startswith("{") else cid}

    return {**dep, **{k: [fix(e) for e in dep[k]] for k in ("inputs", "state", "outputs") if k in dep}}


def callback_name(app, output: str) -> str:
    """'capacity.update' from the function registered for output (Dash Pages' own router: pages.router)."""
    if ROUTER_OUTPUT in output:
        return "pages.router"
    entry = app.callback_map.get(output) if app is not None else None
    fn = getattr(entry.get("callback"), "__wrapped__", None) if entry else None
    if fn is None:
        return output.strip(".").split(".")[0]
    return f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"


def response_ok(status: int, body: bytes, kind: str, full: bool = False) -> str | None:
    """None when the reply is right: 200, not the /data grid's error notice, and for callbacks JSON with a `response`
    key (checked on the whole body when full, else on its first bytes, which keeps the load client light)."""
    if status != 200:
        return f"HTTP {status}"
    if b'"data-grid-error"' in body:  # the /data grid's answer when its query was interrupted or refused (200)
        return "grid error notice (query interrupted, server busy or no database)"
    if kind == "page":
        return None if b"_dash-config" in body else "page without the Dash config"
    if full:
        try:
            reply = json.loads(body)
        except ValueError:
            return "callback reply is not JSON"
        return None if isinstance(reply, dict) and reply.get("response") else "callback reply without response"
    return None if b'"response"' in body[:64] else "callback reply without response"


class DashSite:
    """Builds the requests of page visits from the app's /_dash-dependencies and the pages' layouts."""

    def __init__(self, transport, app=None):
        self.transport = transport
        self.app = app  # the Dash app, when in process (callback names from the functions)
        status, body = transport.get("/")  # the first request registers the Pages router
        if status != 200:
            raise RuntimeError(f"GET / answered {status}")
        status, body = transport.get("/_dash-dependencies")
        if status != 200:
            raise RuntimeError(f"GET /_dash-dependencies answered {status}")
        self.deps = [normalise_dep(d) for d in json.loads(body)]
        self.router = next(d for d in self.deps if ROUTER_OUTPUT in d["output"])
        self.names = {d["output"]: self._name(d) for d in self.deps}

    def _name(self, dep: dict) -> str:
        if self.app is not None:
            return callback_name(self.app, dep["output"])
        if ROUTER_OUTPUT in dep["output"]:
            return "pages.router"
        first = dep["output"].strip(".").split("...")[0]
        return first.rsplit(".", 1)[0] + " callback"

    def call(self, request: Request) -> dict:
        status, body = self.transport.post(request.path, request.body)
        problem = response_ok(status, body, request.kind, full=True)
        if problem:
            raise RuntimeError(f"{request.name}: {problem}: {body[:300]!r}")
        return json.loads(body)["response"]

    def layout(self, page: str, search: str) -> tuple[Request, dict]:
        """The router request for page+search and the components of the layout it returns."""
        request = self.router_request(page, search)
        reply = self.call(request)
        components: dict = {}
        walk_components(reply["_pages_content"]["children"], components)
        return request, components

    def router_request(self, page: str, search: str) -> Request:
        inputs = [{"id": "_pages_location", "property": "pathname", "value": page},
                  {"id": "_pages_location", "property": "search", "value": search}]
        payload = {"output": self.router["output"],
                   "outputs": [{"id": "_pages_content", "property": "children"},
                               {"id": "_pages_store", "property": "data"}],
                   "inputs": inputs, "changedPropIds": ["_pages_location.pathname", "_pages_location.search"]}
        return Request("router", "pages.router", "POST", CALLBACK_PATH, json.dumps(payload).encode(),
                       self.router["output"], inputs)

    def filter_options(self) -> dict[str, list]:
        """The choices of the shared filters (from the overview page's filter bar)."""
        _, components = self.layout("/", "")
        return {cid: [o["value"] for o in props.get("options") or []]
                for cid, (_, props) in components.items() if cid.startswith("filters-")}

    def visit(self, page: str, search: str = "", label: str = "", execute: str = "chained",
              downloads: bool = False) -> Visit:
        """The requests that show page+search: GET, router, and the callbacks fired on load, in order.
        execute: 'chained' runs (once, now) only callbacks whose outputs feed later ones, so their
        payloads carry real values (the coverage plan picker); 'all' runs every one. downloads: also the
        'download CSV' callbacks, as if each button were clicked once, and the callbacks that redraw a page
        drawn with its data (fired by every filter change, not on load), as if their inputs changed."""
        router, components = self.layout(page, search)
        values = {key: dict(props) for key, (_, props) in components.items()}
        ids = {key: cid for key, (cid, _) in components.items()}
        pending = [d for d in self.deps if self._fires(d, ids, downloads)]
        produced = {(id_key(o["id"]), o["property"]) for d in pending for o in self._outputs(d, ids, flat=True)}
        requests = [Request("page", f"GET {page}", "GET", page + search), router]
        changed: set[tuple[str, str]] = set()
        done_outputs: set[tuple[str, str]] = set()
        while pending:
            ready = [d for d in pending if not any(
                (id_key(i["id"]), i["property"]) in produced - done_outputs
                for i in self._deps_inputs(d, ids, flat=True))]
            dep = (ready or pending)[0]
            pending.remove(dep)
            outputs = self._outputs(dep, ids)
            inputs = [self._entry(i, ids, values) for i in dep["inputs"]]
            state = [self._entry(s, ids, values) for s in dep["state"]]
            if downloads and dep.get("prevent_initial_call"):
                for entry in inputs:
                    if isinstance(entry, dict) and entry["property"] == "n_clicks":
                        entry["value"] = 1
            flat_inputs = [e for i in inputs for e in (i if isinstance(i, list) else [i])]
            triggered = [f"{id_key(e['id'])}.{e['property']}" for e in flat_inputs
                         if (id_key(e["id"]), e["property"]) in changed]
            if downloads and dep.get("prevent_initial_call"):
                triggered = [f"{id_key(e['id'])}.{e['property']}" for e in flat_inputs if e["property"] == "n_clicks"]
            payload = {"output": dep["output"], "outputs": outputs, "inputs": inputs, "changedPropIds": triggered}
            if state:
                payload["state"] = state
            request = Request("callback", self.names[dep["output"]], "POST", CALLBACK_PATH,
                              json.dumps(payload).encode(), dep["output"], inputs + state)
            requests.append(request)
            flat_outputs = {(id_key(o["id"]), o["property"]) for o in self._outputs(dep, ids, flat=True)}
            done_outputs |= flat_outputs
            feeds = flat_outputs & {(id_key(i["id"]), i["property"]) for d in pending
                                    for i in self._deps_inputs(d, ids, flat=True)}
            feeds_alias = any(p == "rowData" and (k, "virtualRowData") in self._all_inputs(pending, ids)
                              for k, p in flat_outputs)
            if execute == "all" or feeds or feeds_alias:
                for key, props in self.call(request).items():
                    values.setdefault(key, {}).update(props)
                    changed |= {(key, p) for p in props}
        return Visit(page, search, label, requests)

    # -- helpers over dependency entries

    def _fires(self, dep: dict, ids: dict, downloads: bool) -> bool:
        if dep.get("clientside_function") or dep is self.router:
            return False
        if dep.get("prevent_initial_call") and not downloads:
            return False
        plain = [x["id"] for x in dep["inputs"] + dep["state"] if not is_wildcard(x["id"])]
        outs = [o["id"] for o in self._dep_outputs(dep) if not is_wildcard(o["id"])]
        return all(id_key(i) in ids for i in plain + outs)

    @staticmethod
    def _dep_outputs(dep: dict) -> list[dict]:
        if "outputs" in dep:  # not in every Dash version: otherwise parse the output key
            return dep["outputs"]
        out = []
        parts = dep["output"][2:-2].split("...") if dep["output"].startswith("..") else [dep["output"]]
        for part in parts:
            cid, _, prop = part.rpartition(".")
            out.append({"id": json.loads(cid) if cid.startswith("{") else cid, "property": prop})
        return out

    def _outputs(self, dep: dict, ids: dict, flat: bool = False):
        outs = []
        for o in self._dep_outputs(dep):
            if is_wildcard(o["id"]):
                group = [{"id": ids[k], "property": o["property"]} for k in ids if matches(o["id"], ids[k])]
                outs.extend(group) if flat else outs.append(group)
            else:
                outs.append({"id": o["id"], "property": o["property"]})
        if not flat and len(outs) == 1 and not dep["output"].startswith(".."):
            return outs[0]
        return outs

    def _deps_inputs(self, dep: dict, ids: dict, flat: bool = False) -> list[dict]:
        out = []
        for i in dep["inputs"]:
            if is_wildcard(i["id"]):
                out.extend({"id": ids[k], "property": i["property"]} for k in ids if matches(i["id"], ids[k]))
            else:
                out.append(i)
        return out

    def _all_inputs(self, deps: list[dict], ids: dict) -> set[tuple[str, str]]:
        return {(id_key(i["id"]), i["property"]) for d in deps for i in self._deps_inputs(d, ids)}

    @staticmethod
    def _entry(dep_input: dict, ids: dict, values: dict):
        def one(cid) -> dict:
            entry = {"id": cid, "property": dep_input["property"]}
            props = values.get(id_key(cid), {})
            prop = dep_input["property"]
            if prop in props:
                entry["value"] = props[prop]
            elif PROP_ALIASES.get(prop) in props:
                entry["value"] = props[PROP_ALIASES[prop]]
            elif prop in PROP_DEFAULTS:
                entry["value"] = PROP_DEFAULTS[prop]
            return entry

        if is_wildcard(dep_input["id"]):
            return [one(ids[k]) for k in ids if matches(dep_input["id"], ids[k])]
        return one(dep_input["id"])


# ------------------------------------------------------------------------------------------- scenarios


def local_app():
    """The Dash app imported here (only to name callbacks after their functions), or None."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        import app  # noqa: PLC0415
    except Exception:  # noqa: BLE001 — names then come from the outputs
        return None
    return app.app


def scenarios(options: dict[str, list], variety: int = 1) -> list[tuple[str, str]]:
    """(label, query string) of the dashboard's filter states: all, one oblast, one municipality, a year
    range (the last three years with plans) and, with variety > 1, that many different oblasts and
    municipalities, English, and page options."""
    oblasts = options.get("filters-oblast") or []
    munis = options.get("filters-municipality") or []
    years = sorted(int(y) for y in options.get("filters-year") or [])
    out = [("all", "")]
    step_o, step_m = max(1, len(oblasts) // variety), max(1, len(munis) // variety)
    for o in oblasts[::step_o][:variety]:
        out.append((f"oblast={o}", "?" + urlencode({"oblast": o})))
    for m in munis[::step_m][:variety]:
        out.append((f"municipality={m}", "?" + urlencode({"municipality": m})))
    if years:
        span = ",".join(str(y) for y in years[-3:])
        out.append((f"year={span}", "?" + urlencode({"year": span}, safe=",")))
    if variety > 1:
        if years:
            out.append((f"year={years[0]}", f"?year={years[0]}"))
        if munis:
            out.append((f"{munis[-1]}, lang=en", "?" + urlencode({"municipality": munis[-1], "lang": "en"})))
        out.append(("dim=target_group", "?dim=target_group"))
        out.append(("measure=capacity", "?measure=capacity"))
    return out


def record_visits(port: int, pages=PAGES, variety: int = 1, timeout: float = 120) -> list[Visit]:
    """Every page in every filter scenario, recorded against the server on port."""
    site = DashSite(HTTPTransport(port, timeout=timeout), local_app())
    cases = scenarios(site.filter_options(), variety)
    return [site.visit(page, search, label) for label, search in cases for page in pages]


# ---------------------------------------------------------------------------------------------- load


@dataclass
class Sample:
    start: float  # seconds since the run began
    kind: str
    name: str
    seconds: float
    error: str | None
    case: str = ""  # the visit's filter case


def replay_visits(port: int, visits: list[Visit], rng: random.Random, began: float, deadline: float,
                  timeout: float = 30, full_check: bool = False) -> list[Sample]:
    """One client: visits chosen at random, each request of a visit in turn (as a browser makes them), over one
    connection until `deadline` (time.monotonic()); a Sample per request (its start counted from `began`), checked
    by response_ok()."""
    transport = HTTPTransport(port, timeout=timeout)
    mine: list[Sample] = []
    try:
        while time.monotonic() < deadline:
            visit = rng.choice(visits)
            for request in visit.requests:
                if time.monotonic() >= deadline:
                    break
                start = time.monotonic()
                try:
                    status, body = transport.request(request.method, request.path, request.body)
                    error = response_ok(status, body, request.kind, full=full_check)
                except (OSError, http.client.HTTPException) as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
                mine.append(Sample(start - began, request.kind, request.name, time.monotonic() - start, error,
                                   f"{visit.page}{visit.search}"))
    finally:
        transport.close()
    return mine


def run_load(port: int, visits: list[Visit], clients: int = 20, duration: float = 30, timeout: float = 30,
             server: Server | None = None, warmup: float = 0, full_check: bool = False, seed: int = 1,
             rss_every: float = 1.0) -> dict:
    """`clients` threads replay random visits (each request of a visit in turn, as a browser does) for
    `duration` seconds; returns figures and every sample. warmup: the RSS `warmup` seconds in is reported
    as rss_after_warmup (memory growth is measured from there)."""
    samples: list[Sample] = []
    lock = threading.Lock()
    began = time.monotonic()
    deadline = began + duration
    stop_sampling = threading.Event()
    rss_timeline: list[tuple[float, int]] = []

    def client(index: int) -> None:
        mine = replay_visits(port, visits, random.Random(seed * 1000 + index), began, deadline, timeout, full_check)
        with lock:
            samples.extend(mine)

    def sampler() -> None:
        while not stop_sampling.is_set():
            rss_timeline.append((time.monotonic() - began, server.rss()))
            stop_sampling.wait(rss_every)

    rss_start = server.rss() if server else None
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    watcher = threading.Thread(target=sampler, daemon=True) if server else None
    if watcher:
        watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, deadline + timeout + 5 - time.monotonic()))
    elapsed = time.monotonic() - began
    stop_sampling.set()
    if watcher:
        watcher.join(5)
    stuck = sum(t.is_alive() for t in threads)
    rss_end = server.rss() if server else None
    after_warmup = next((r for t, r in rss_timeline if t >= warmup), rss_start) if server else None
    with lock:
        done = list(samples)
    return summarise(done, elapsed, clients, duration, stuck, rss_start, after_warmup, rss_end, rss_timeline)


def stats(rows: list[Sample]) -> dict:
    times = [s.seconds * 1000 for s in rows]
    return {"requests": len(rows), "errors": sum(1 for s in rows if s.error),
            "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "max_ms": max(times, default=None)}


def summarise(samples: list[Sample], elapsed: float, clients: int, duration: float, stuck: int,
              rss_start, rss_warm, rss_end, timeline) -> dict:
    by_name: dict[str, list[Sample]] = {}
    for s in samples:
        by_name.setdefault(f"{s.kind}: {s.name}", []).append(s)
    errors: dict[str, int] = {}
    for s in samples:
        if s.error:
            key = f"{s.name} ({unquote(s.case)}): {s.error}"
            errors[key] = errors.get(key, 0) + 1
    result = {
        "clients": clients, "duration_s": duration, "elapsed_s": elapsed, "stuck_clients": stuck,
        **stats(samples), "requests_per_s": len(samples) / elapsed if elapsed else None,
        "by_kind": {k: stats([s for s in samples if s.kind == k]) for k in ("page", "router", "callback")},
        "by_request": {k: stats(v) for k, v in sorted(by_name.items())},
        "error_messages": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:10]),
        "rss_start": rss_start, "rss_after_warmup": rss_warm, "rss_end": rss_end,
        "rss_timeline": [(round(t, 1), r) for t, r in timeline],
    }
    result["errors"] += stuck
    return result


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.load --db DB [--clients N] [--duration S] [--warmup S] [--json OUT]`: gunicorn on the database,
    page visits recorded from the running app, N clients for S seconds; the figures as JSON (stdout or OUT)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.load", description=main.__doc__.splitlines()[0])
    p.add_argument("--db", required=True)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--warmup", type=float, default=0)
    p.add_argument("--variety", type=int, default=3, help="filter states per page among the visits")
    p.add_argument("--log", help="gunicorn's log file")
    p.add_argument("--json", help="write the figures here (default: stdout)")
    args = p.parse_args(argv)
    server = Server(args.db, log=args.log)
    try:
        server.start()
        visits = record_visits(server.port, variety=args.variety)
        result = run_load(server.port, visits, clients=args.clients, duration=args.duration, timeout=30,
                          server=server, warmup=args.warmup, full_check=True)
        result["kinds"] = sorted({r.kind for v in visits for r in v.requests})
        result["filter_states"] = len({v.search for v in visits})
    finally:
        server.stop()
    result["server_stopped"] = server.proc is not None and server.proc.poll() is not None
    text = json.dumps(result, ensure_ascii=False, default=str)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
