"""Presentation stage: the view state (filters, language, page options) <-> the URL query string."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

FILTER_KEYS = ("oblast", "municipality", "year", "target_group", "service_type")
VIEW_KEYS = ("dim", "measure", "plan", "combine", "metric", "check", "types")  # page options that also live in the URL
# /data only: a chart's bar or cell narrows the records to the ones behind it (docs/design.md "From a number to its
# records") by the chart dimensions the filter bar has no control for. Each key's allowed values are fixed here.
NARROW_VALUES = {
    "setting": {"community", "residential", "family", "home", "institution"},
    "funding_mix": {"state_delegated", "state_other", "national_programme", "municipal", "project", "other", "mixed",
                    "unknown"},
    "ssa_kind": {"information_consulting", "advocacy_mediation", "community_work", "therapy_rehabilitation",
                 "skills_training", "work_skills", "day_care", "residential_care", "shelter", "assistant_support",
                 "none"},
    "only": {"services",  # only the records that are services (a service type recognised)
             "amounts"},  # only the records that state an amount in leva (the amounts chart)
    # a change of the changes timeline: stated in the plan (its status), or observed between consecutive plans
    "event": {"new", "expanded", "reduced", "closing", "planned", "transformed", "appeared", "disappeared"},
}
# keys whose values are not a fixed list but must match a pattern: the year of the plan in which a change is
# seen (for 'disappeared': the next plan's year, not the record's own) and a coverage cell's settlement (its
# EKATTE code, or 'whole': the services given for the whole municipality)
NARROW_PATTERNS = {
    "event_year": re.compile(r"\d{4}"),
    "settlement": re.compile(r"\d{5}|whole"),
}
NARROW_KEYS = (*NARROW_VALUES, *NARROW_PATTERNS)

# filter key -> run_query parameter
PARAM_NAMES = {
    "oblast": "oblasts",
    "municipality": "municipalities",
    "year": "years",
    "target_group": "target_groups",
    "service_type": "service_types",
}


def as_list(value) -> list[str]:
    """A query-string or dropdown value as a list: 'a,b' / ['a', 'b,c'] / None -> list of strings."""
    if value is None or value == "":
        return []
    values = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for v in values:
        out.extend(part.strip() for part in str(v).split(",") if part.strip())
    return out


def is_year(value: str) -> bool:
    """'2021' — four ASCII digits (not '２０２１', '2021.0' or a number too large for the database)."""
    return len(value) == 4 and value.isascii() and value.isdigit()


def as_years(value) -> list[int]:
    return [int(v) for v in as_list(value) if is_year(v)]


def state_from_query(query: dict) -> dict:
    """The view state from the page's query parameters (as Dash pages passes them to layout)."""
    state = {key: as_list(query.get(key)) for key in FILTER_KEYS}
    state["year"] = as_years(query.get("year"))
    state["lang"] = "en" if query.get("lang") == "en" else "bg"
    for key in VIEW_KEYS:
        value = query.get(key)
        state[key] = value[0] if isinstance(value, list) else value
    for key in NARROW_KEYS:
        state[key] = as_list(query.get(key))
    return state


def validate_state(state: dict, known: dict[str, set], query: dict | None = None) -> tuple[dict, list]:
    """Drop filter values the database does not know; (clean state, [(key, value as written), ...]).

    `known`: key -> the allowed values (years as ints). `query`: the raw query parameters, so a
    malformed year ('abc', '20x1') is reported too, not only an unknown one ('1800').
    """
    clean, ignored = dict(state), []
    for key in FILTER_KEYS:
        if key not in known:
            continue
        if key == "year":
            raw = as_list((query or {}).get("year")) if query is not None else [str(y) for y in state["year"]]
            keep = []
            for value in raw:
                if is_year(value) and int(value) in known["year"]:
                    if int(value) not in keep:
                        keep.append(int(value))
                else:
                    ignored.append((key, value))
            clean[key] = keep
        else:
            clean[key] = [v for v in state[key] if v in known[key]]
            ignored.extend((key, v) for v in state[key] if v not in known[key])
    for key in NARROW_KEYS:
        values = state.get(key) or []
        clean[key] = [v for v in values if narrow_allowed(key, v)]
        ignored.extend((key, v) for v in values if not narrow_allowed(key, v))
    return clean, ignored


def narrow_allowed(key: str, value) -> bool:
    """Whether `value` may narrow /data under `key` (NARROW_VALUES: one of a fixed list; NARROW_PATTERNS: matching
    the key's pattern in full)."""
    if key in NARROW_VALUES:
        return value in NARROW_VALUES[key]
    return isinstance(value, str) and value.isascii() and bool(NARROW_PATTERNS[key].fullmatch(value))


def query_string(state: dict) -> str:
    """'?municipality=Дупница,Кресна&year=2021&lang=en' — empty filters and Bulgarian omitted."""
    pairs = []
    for key in FILTER_KEYS:
        values = [str(v) for v in state.get(key) or []]
        if values:
            pairs.append((key, ",".join(values)))
    for key in VIEW_KEYS:
        if state.get(key):
            pairs.append((key, str(state[key])))
    for key in NARROW_KEYS:
        values = [str(v) for v in state.get(key) or []]
        if values:
            pairs.append((key, ",".join(values)))
    if state.get("lang") == "en":
        pairs.append(("lang", "en"))
    return "?" + urlencode(pairs, safe=",") if pairs else ""


def filter_values(state: dict) -> list:
    """The shared filters of a URL state in FILTER_KEYS order: the page callbacks' first arguments."""
    return [state[key] for key in FILTER_KEYS]


def filter_params(oblast=None, municipality=None, year=None, target_group=None, service_type=None) -> dict:
    """The shared filter values as run_query parameters (lists; empty = all)."""
    return {
        "oblasts": as_list(oblast),
        "municipalities": as_list(municipality),
        "years": as_years(year),
        "target_groups": as_list(target_group),
        "service_types": as_list(service_type),
    }


def search_for(
    lang: str | None, oblast=None, municipality=None, year=None, target_group=None, service_type=None
) -> str:
    """The query string of the shared filters in `lang` (for links that keep the selection)."""
    values = dict(zip(FILTER_KEYS, (oblast, municipality, year, target_group, service_type), strict=True))
    return query_string(state_from_query({**{k: v for k, v in values.items() if v}, "lang": lang}))


def without_narrowing(state: dict) -> dict:
    """`state` with no /data narrowing (NARROW_KEYS empty): what the other pages, and the nav links to them, carry."""
    return {**state, **{key: [] for key in NARROW_KEYS}}


def narrow_params(state: dict | None) -> dict:
    """The /data-only narrowing of a URL state (NARROW_KEYS, values already validated) as parameters of
    queries/data_page.sql and data_grid.sql: settings, funding_mixes, ssa_kinds, events, event_years, settlements
    (EKATTE codes) (lists; empty = all), services_only, amounts_only and whole_municipality (true: only those)."""
    state = state or {}

    def allowed(key):
        return [v for v in as_list(state.get(key)) if narrow_allowed(key, v)]

    settlements = allowed("settlement")
    return {"settings": allowed("setting"), "funding_mixes": allowed("funding_mix"), "ssa_kinds": allowed("ssa_kind"),
            "services_only": "services" in allowed("only"), "amounts_only": "amounts" in allowed("only"),
            "events": allowed("event"), "event_years": [int(y) for y in allowed("event_year")],
            "settlements": [s for s in settlements if s != "whole"], "whole_municipality": "whole" in settlements}


def link_query(narrowing: dict) -> str:
    """'municipality=Дупница&year=2021&service_type=HOME_PATRONAGE' (percent-encoded): what a chart's bar or cell
    narrows the selection to (the link the browser merges into the page's own query string to open /data). A value
    None is left out (the page's own value stays); an empty text removes the key from the page's query ('year=': a
    change's year is not its records' own, see event_year)."""
    return urlencode([(k, str(v)) for k, v in narrowing.items() if v is not None])


MAX_JSON_DEPTH = 64  # a grid model or a callback body is a few levels deep
MAX_JSON_INT = 2**53  # what a browser's JSON can send exactly (a grid row number is far below it)


def json_problem(value, what: str = "request") -> str | None:
    """Why a JSON value from a request cannot be served (None: it can): nested deeper than MAX_JSON_DEPTH,
    an integer beyond ±MAX_JSON_INT, or a string with a lone surrogate (not UTF-8: the database and the
    responses cannot hold it). Iterative, so any depth json.loads returned is walked safely."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return f"{what}: nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(item, dict):
            stack.extend((k, depth) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"{what}: text that is not valid Unicode (a lone surrogate)"
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_JSON_INT:
            return f"{what}: a number out of range"
    return None


def parse_json(text: str, what: str):
    """`text` as JSON, or ValueError with a short reason (not JSON, too deep, out of range, not Unicode)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"{what}: nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise ValueError(f"{what}: not JSON") from None
    problem = json_problem(value, what)
    if problem:
        raise ValueError(problem)
    return value


def year_problem(value) -> str | None:
    """Why a `year` request parameter is not a list of years (None: it is): 'abc', '99999', '2021.0'."""
    bad = [v for v in as_list(value) if not is_year(v)]
    return f"year: not a year: {', '.join(bad)[:80]}" if bad else None
