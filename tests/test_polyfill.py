"""The renderer's polyfill cut down to regenerator-runtime (dashboard/polyfill.py): the entry it picks, when it
refuses, and how it is served.

The mini bundle below is written by hand in the shape of Dash 4.4's deps/polyfill@7.12.1.min.js (a browserify
bundle): `{id:[function(t,n,r){…},{deps}],…},{},[entry]);`, where the entry requires core-js and
regenerator-runtime, and regenerator-runtime (no dependencies) sets the global in a try/catch.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import polyfill

HEAD = b'!function r(c,a,f){return o}({'
CORE = b'1:[function(t,n,r){String.prototype.trim=function(){return 1}},{}],'
REGENERATOR = (b'2:[function(t,n,r){var e=function(u){return u}({});try{regeneratorRuntime=e}'
               b'catch(t){Function("r","regeneratorRuntime = r")(e)}},{}],')
ENTRY = b'3:[function(t,n,r){"use strict";t(1),t(2)},{1:1,2:2}]},{},[3]);\n'
MINI = HEAD + CORE + REGENERATOR + ENTRY


def test_the_entry_becomes_regenerator_runtime():
    trimmed = polyfill.trim(MINI)
    assert trimmed == HEAD + CORE + REGENERATOR + ENTRY.replace(b"[3]);", b"[2]);")  # nothing else changes


@pytest.mark.parametrize("broken, reason", [
    (HEAD + CORE + REGENERATOR + ENTRY.replace(b"},{},[3]);", b"})(3);"), "no browserify entry list"),
    (HEAD + CORE + ENTRY, "found 0"),
    (HEAD + CORE + REGENERATOR + REGENERATOR.replace(b"2:", b"4:") + ENTRY, "found 2"),
    # regenerator-runtime with a dependency: running it alone would not be enough
    (HEAD + CORE + REGENERATOR.replace(b"}},{}],", b"}},{1:1}],") + ENTRY, "does not end without dependencies"),
])
def test_a_bundle_of_another_shape_is_refused(broken, reason):
    with pytest.raises(ValueError, match=reason):
        polyfill.trim(broken)


def test_the_installed_polyfill_is_trimmed_to_its_regenerator_module():
    served = polyfill.bundle()
    full = Path(served.source).read_bytes()
    assert served.trimmed and len(served.text) == len(full)
    (old_entry,) = re.findall(rb"\},\{\},\[(\d+)\]\);\s*$", full)
    (new_entry,) = re.findall(rb"\},\{\},\[(\d+)\]\);\s*$", served.text)
    assert new_entry != old_entry
    module = re.search(rb"[{,]" + new_entry + rb":\[function\(t,n,r\)\{(.*?)\},\{\}\],", served.text, re.S).group(1)
    assert b'Function("r","regeneratorRuntime = r")' in module and b"core-js" not in module
    assert served.text.replace(b"[" + new_entry + b"]);", b"[" + old_entry + b"]);") == full


def test_a_polyfill_that_cannot_be_trimmed_is_served_whole(monkeypatch, caplog):
    def refuse(bundle):
        raise ValueError("not this shape")

    polyfill.bundle.cache_clear()
    monkeypatch.setattr(polyfill, "trim", refuse)
    try:
        served = polyfill.bundle()
        assert not served.trimmed and served.text == Path(served.source).read_bytes()
        assert "serving the whole polyfill" in caplog.text and "not this shape" in caplog.text
    finally:
        polyfill.bundle.cache_clear()


@pytest.mark.parametrize("path, served", [
    ("/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js", True),
    ("/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1795365724.12.1.min.js", True),
    ("/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1795365724.12.1.js", False),
    ("/_dash-component-suites/dash/deps/react@18.v4_4_1m1795365724.3.1.min.js", False),
])
def test_the_address_with_and_without_dash_fingerprint(path, served):
    assert bool(polyfill.served_path("deps/polyfill@7.12.1.min.js").fullmatch(path)) is served


def test_the_server_answers_the_page_with_the_trimmed_polyfill(sample_db):
    import app

    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    (address,) = re.findall(r'<script src="([^"]*polyfill[^"]*)"', page)
    response = client.get(address)
    assert response.status_code == 200 and response.data == polyfill.bundle().text
    assert response.headers["X-Polyfill"] == "regenerator-runtime"
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get(address, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    other = client.get(re.sub(r"polyfill@7\.", "react@18.", address).replace("12.1", "3.1"))
    assert other.status_code == 200 and "X-Polyfill" not in other.headers
