"""Document text in charts is shown literally (issue #17, item 4): plotly.js reads its own HTML-like tags
(<a href>, <sup>, <b>, <br>) in every text it draws, so a municipality, settlement or service name from a
plan must reach a figure escaped. Every page's figures are drawn from a database whose names hold markup,
and no string in them may carry a tag that came from the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import app  # noqa: F401  creates the Dash app, which registers the pages
from dashboard import db, figures
from dashboard.pages import capacity, changes, coverage, funding, overview
from etl.transliteration import latin
from tests.fixtures import make_tiny_db as tiny
from tests.fixtures.hostile import PAYLOADS

LINK = '<a href="https://evil.example/phish">Кликни тук</a>'
SUP = "<sup>x</sup>"
MUNICIPALITY = f"Дупница {LINK} {SUP} %{{x}} & Co"
SETTLEMENT = f"с. Бобошево {LINK}"
SERVICE_BG = f"Център за обществена подкрепа {SUP} {PAYLOADS['img']}"
SERVICE_EN = f"Community support centre <b>bold</b> {LINK}"
# tags the product writes itself (hover templates); any other tag in a figure came from the database
OWN_TAGS = re.compile(r"<(br|extra|/extra)>", re.IGNORECASE)
TAG = re.compile(r"<\s*/?\s*[a-z]", re.IGNORECASE)
NO_FILTERS = (None, None, None, None, None)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """The tiny database with Дупница, its settlement Дупница and the service type COP named in markup."""
    mp = pytest.MonkeyPatch()
    mp.setattr(tiny, "PLANS", [(p[0], MUNICIPALITY if p[1] == "Дупница" else p[1], *p[2:]) for p in tiny.PLANS])
    mp.setattr(tiny, "ITEMS", [(*r[:6], SETTLEMENT if r[6] == "Дупница" else r[6], *r[7:]) for r in tiny.ITEMS])
    derive = tiny.derive

    def hostile_derive(con):
        con.execute("update service_types set name_bg = ?, name_en = ? where code = 'COP'", [SERVICE_BG, SERVICE_EN])
        con.execute("update municipalities set name = ? where municipality_code = 'KNL48'", [MUNICIPALITY])
        derive(con)

    mp.setattr(tiny, "derive", hostile_derive)
    try:
        path = tiny.make_tiny_db(tmp_path_factory.mktemp("hostile-figures") / "plans.duckdb")
    finally:
        mp.undo()
    return path


def strings(value, path="") -> list[tuple[str, str]]:
    """(where, text) of every string in a figure dict."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in strings(v, f"{path}.{k}")]
    if isinstance(value, list | tuple):
        return [s for i, v in enumerate(value) for s in strings(v, f"{path}[{i}]")]
    return []


def all_figures(lang: str) -> dict[str, dict]:
    out = {}
    kpis, counts, out["overview.completeness"] = overview.update(*NO_FILTERS, lang)
    for dim, _ in capacity.DIMENSIONS:
        out[f"capacity.by_{dim}"], _s, _o, out["capacity.di"] = capacity.update(*NO_FILTERS, dim, lang)
    for measure, _ in funding.MEASURES:
        out[f"funding.mix_{measure}"], _p, out["funding.amounts"], _a = funding.update(*NO_FILTERS, measure, lang)
    out["changes.timeline"], _e = changes.update(*NO_FILTERS, lang)
    _towns, town, options, plan = coverage.plan_options(*NO_FILTERS, MUNICIPALITY, None)
    assert town == MUNICIPALITY
    for option in options:
        out[f"coverage.matrix {option['value']}"], _u = coverage.update(option["value"], None, None, lang, options)
    out["coverage.map"], _n = coverage.update_map(*NO_FILTERS, "services", lang)
    return out


def test_escape():
    assert figures.escape('a & <a href="x">b</a> &lt;') == 'a &amp; &lt;a href="x"&gt;b&lt;/a&gt; &amp;lt;'
    assert figures.escape(None) is None and figures.escape(3) == 3
    assert figures.template_safe(figures.escape("X %{x} <b>")) == "X &#37;{x} &lt;b&gt;"


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_document_text_in_figures_is_escaped(hostile_db, lang):
    db.set_database(hostile_db)
    shown = all_figures(lang)
    assert not any(figures.is_empty(fig) for name, fig in shown.items() if name != "coverage.map"), [
        name for name, fig in shown.items() if figures.is_empty(fig)
    ]
    tags = [(name, where, text) for name, fig in shown.items() for where, text in strings(fig)
            if TAG.search(OWN_TAGS.sub("", text))]
    assert tags == []
    # the hostile names did reach the charts, as text plotly.js shows literally
    texts = "\n".join(text for fig in shown.values() for _, text in strings(fig))
    shown_name = latin if lang == "en" else str  # the English UI transliterates place names
    assert figures.escape(shown_name(MUNICIPALITY)) in texts
    assert figures.escape(shown_name(SETTLEMENT)) in texts
    assert figures.escape(SERVICE_EN if lang == "en" else SERVICE_BG) in texts
    # a name holding '%{x}' is not a placeholder where it is written into a hover template
    templates = [text for fig in shown.values() for trace in fig["data"] for text in [trace.get("hovertemplate")]
                 if text]
    assert not any("%{x} &amp; Co" in text for text in templates)
