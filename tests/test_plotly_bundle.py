"""The trimmed plotly.js (dashboard/plotly_bundle.py): which trace modules it keeps, and how it is served.

The mini bundles below are written by hand in the shape of plotly.min.js (an esbuild bundle, read in
plotly 7.1's package_data/plotly.min.js): modules are `var X=W((exports,module)=>{…})`, each trace is a
one-line entry `…exports=index()` whose index module names the trace, and one call registers them all.
"""

from __future__ import annotations

import pytest

from dashboard import plotly_bundle

MINI = (
    b'var W=(a,b)=>()=>(b||a((b={exports:{}}).exports,b),b.exports);'
    b'var bI=W((e,m)=>{"use strict";m.exports={moduleType:"trace",name:"bar",categories:["bar-like"]}});'
    b'var bE=W((e,m)=>{"use strict";m.exports=bI()});'
    b'var pI=W((e,m)=>{"use strict";m.exports={moduleType:"trace",name:"pie"}}),'
    b'pE=W((e,m)=>{"use strict";m.exports=pI()});'
    b'var hI=W((e,m)=>{"use strict";var x=1;m.exports={moduleType:"trace",name:"heatmap"}});'
    b'var hE=W((e,m)=>{"use strict";m.exports=hI()});'
    b'var cI=W((e,m)=>{"use strict";m.exports={moduleType:"trace",name:"choroplethmap"}});'
    b'var cE=W((e,m)=>{"use strict";m.exports=cI()});'
    b'var kI=W((e,m)=>{"use strict";m.exports={moduleType:"component",name:"calendars"}});'
    b'var kE=W((e,m)=>{"use strict";m.exports=kI()});'
    b'var R=core();R.register([bE(),pE(),hE(),cE(),kE()]);window.Plotly=R;'
)


def test_a_bundle_keeps_only_the_traces_asked_for():
    text, kept = plotly_bundle.trim(MINI)
    assert kept == ("bar", "heatmap", "choroplethmap")
    assert b"R.register([bE(),hE(),cE()]);" in text
    # nothing else changes: the dropped modules stay in the file, never called
    assert text == MINI.replace(b"R.register([bE(),pE(),hE(),cE(),kE()])", b"R.register([bE(),hE(),cE()])")


def test_register_entries_are_named_by_their_index_module():
    assert plotly_bundle._entry_name(MINI, b"pE") == "pie"
    assert plotly_bundle._entry_name(MINI, b"kE") == "component:calendars"
    assert plotly_bundle._entry_name(MINI, b"bI") is None  # an index module is not an entry


def test_a_name_read_past_another_module_is_not_trusted():
    # the index module of "bar" names nothing itself; the first name after it belongs to the next module
    odd = MINI.replace(b'm.exports={moduleType:"trace",name:"bar",categories:["bar-like"]}', b"m.exports={}")
    assert plotly_bundle._entry_name(odd, b"bE") is None
    with pytest.raises(ValueError, match="bar"):
        plotly_bundle.trim(odd)


@pytest.mark.parametrize("bundle, message", [
    (b"var x=1;", "found 0"),
    (MINI + b"S.register([bE(),pE(),hE(),cE()]);", "found 2"),
    (MINI.replace(b'name:"heatmap"', b'name:"histogram"'), "heatmap"),
    (MINI.replace(b'name:"pie"', b'name:"bar"'), "bar"),  # found twice
])
def test_a_bundle_of_another_shape_is_refused(bundle, message):
    with pytest.raises(ValueError, match=message):
        plotly_bundle.trim(bundle)


def test_the_installed_plotly_bundle_is_trimmed():
    """Read in plotly 7.1 (plotly.js 4.1): one call registers 46 trace types and the calendars component."""
    from pathlib import Path

    import plotly

    served = plotly_bundle.bundle()
    assert served.trimmed
    assert served.registered == plotly_bundle.TRACES
    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    (call,) = [c for c in plotly_bundle._register_calls(full) if c.group(2).count(b"()") > 3]
    entries = call.group(2)[:-2].split(b"(),")
    names = [plotly_bundle._entry_name(full, entry) for entry in entries]
    assert len(entries) >= 40 and {"pie", "scattergeo", "sankey", "component:calendars"} <= set(names)
    kept = [entry for entry, name in zip(entries, names, strict=True) if name in plotly_bundle.TRACES]
    assert len(kept) == 3
    register = call.group(1) + b".register([" + b"(),".join(kept) + b"()])"
    assert served.text == full[:call.start()] + register + full[call.end():]


def test_a_bundle_that_cannot_be_trimmed_is_served_whole(monkeypatch, caplog):
    def refuse(bundle, keep=plotly_bundle.TRACES):
        raise ValueError("not this shape")

    plotly_bundle.bundle.cache_clear()
    monkeypatch.setattr(plotly_bundle, "trim", refuse)
    try:
        served = plotly_bundle.bundle()
        assert not served.trimmed and served.registered == ()
        assert served.text == __import__("pathlib").Path(served.source).read_bytes()
        assert "serving the full plotly.js" in caplog.text and "not this shape" in caplog.text
    finally:
        plotly_bundle.bundle.cache_clear()


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/plotly/package_data/plotly.min.js",
    "/_dash-component-suites/plotly/package_data/plotly.min.v7_1_0m1795365724.js",
])
def test_the_server_answers_dcc_graph_with_the_trimmed_bundle(sample_db, path):
    import app

    client = app.server.test_client()
    response = client.get(path)
    assert response.status_code == 200
    assert response.data == plotly_bundle.bundle().text
    assert response.headers["X-Plotly-Traces"] == "bar,heatmap,choroplethmap"
    assert response.headers["Cache-Control"] == "no-cache"  # revalidated: the address does not change with the trimming
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_other_component_files_are_served_by_dash(sample_db):
    import app

    response = app.server.test_client().get("/_dash-component-suites/dash/dcc/async-graph.js")
    assert response.status_code == 200 and "X-Plotly-Traces" not in response.headers
