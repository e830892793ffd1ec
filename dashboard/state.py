"""Presentation stage: the view state (filters, language, page options) <-> the URL query string."""

from __future__ import annotations

from urllib.parse import urlencode

FILTER_KEYS = ("oblast", "municipality", "year", "target_group", "service_type")
VIEW_KEYS = ("dim", "measure", "plan")  # page options that also live in the URL

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


def as_years(value) -> list[int]:
    return [int(v) for v in as_list(value) if v.isdigit()]


def state_from_query(query: dict) -> dict:
    """The view state from the page's query parameters (as Dash pages passes them to layout)."""
    state = {key: as_list(query.get(key)) for key in FILTER_KEYS}
    state["year"] = as_years(query.get("year"))
    state["lang"] = "en" if query.get("lang") == "en" else "bg"
    for key in VIEW_KEYS:
        value = query.get(key)
        state[key] = value[0] if isinstance(value, list) else value
    return state


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
    if state.get("lang") == "en":
        pairs.append(("lang", "en"))
    return "?" + urlencode(pairs, safe=",") if pairs else ""


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
