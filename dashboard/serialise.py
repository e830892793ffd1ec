"""Faster JSON for Dash responses: the same bytes as plotly's encoder, without its cleaning walk.

Dash encodes every response (page layouts from the Pages router, callback outputs) with plotly's
`to_json_plotly`. With orjson installed, that first tries orjson as is; a response holding Dash
components fails that try, and plotly then rebuilds the whole tree in Python ("cleaning": a call per
value), which took 15-45 ms for a national page of charts and tables, most of a cached page's cost.

`to_json` here gives orjson a `default` hook for what it cannot encode itself: Dash components become
their `to_plotly_json()` dict, exactly what the cleaning walk does with them. Anything else it cannot
encode (pandas objects, dates, ...) makes it fall back to plotly's encoder for the whole value, so the
output is never different, only faster (tests/test_dashboard_db.py compares both on every page).
"""

from __future__ import annotations

import orjson
from plotly.io._json import _safe, _swap_orjson
from plotly.io.json import to_json_plotly

OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # what plotly's orjson engine uses


class _Fallback(TypeError):
    """A value the fast path leaves to plotly's encoder."""


def _component(obj):
    to_plotly_json = getattr(obj, "to_plotly_json", None)
    if to_plotly_json is None:
        raise _Fallback(type(obj).__name__)
    return to_plotly_json()


def to_json(value) -> str:
    """JSON of a Dash response, as dash._utils.to_json (plotly's encoder) would write it."""
    try:
        text = orjson.dumps(value, default=_component, option=OPTIONS).decode("utf8")
    except TypeError:
        return to_json_plotly(value)
    return _safe(text, _swap_orjson)


def install() -> None:
    """Use to_json for Dash's responses (its modules import the name directly, so each is set)."""
    import dash._callback
    import dash.dash

    for module in (dash.dash, dash._callback):
        if not callable(getattr(module, "to_json", None)):
            raise RuntimeError(f"{module.__name__}.to_json not found: Dash changed; remove serialise.install()")
        module.to_json = to_json
