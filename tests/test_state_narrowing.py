"""What a chart's mark narrows /data to (dashboard/state.py NARROW_KEYS, queries/derived.sql item_narrowed): values
checked against fixed lists or patterns, and each narrowing giving exactly the records behind the mark, derived here
from the tables independently of the macro."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs

import duckdb
import pytest

from dashboard import figures
from dashboard.grid import grid_params
from dashboard.i18n import label
from dashboard.state import link_query, narrow_allowed, narrow_params, state_from_query, validate_state
from queries import text as sql_text

from .helpers import REPO, reference_dir


@pytest.mark.parametrize("key, value, ok", [
    ("event", "disappeared", True), ("event", "vanished", False),
    ("event_year", "2021", True), ("event_year", "20211", False), ("event_year", "２０２１", False),
    ("settlement", "14492", True), ("settlement", "whole", True), ("settlement", "1449", False),
    ("settlement", "14492' or 1=1", False), ("only", "amounts", True), ("only", "everything", False),
])
def test_narrowing_values_are_a_fixed_list_or_a_pattern(key, value, ok):
    assert narrow_allowed(key, value) is ok
    clean, ignored = validate_state({**state_from_query({}), key: [value]}, {})
    assert (clean[key], ignored) == (([value], []) if ok else ([], [(key, value)]))


def test_an_empty_link_value_removes_the_key_and_none_keeps_the_page_s():
    assert link_query({"municipality": None, "year": "", "event": "new", "event_year": 2020}) == \
        "year=&event=new&event_year=2020"


def test_narrow_params():
    params = narrow_params({"event": ["appeared"], "event_year": ["2021"], "settlement": ["whole", "14492"],
                            "only": ["amounts"]})
    assert params["events"] == ["appeared"] and params["event_years"] == [2021]
    assert params["settlements"] == ["14492"] and params["whole_municipality"] and params["amounts_only"]
    assert not params["services_only"]


def records(con, link: str) -> set[str]:
    """The item ids /data shows for a chart's link (its query string) as data_page.sql selects them."""
    state = state_from_query({k: v[0] for k, v in parse_qs(link, keep_blank_values=True).items()})
    params = {"oblasts": [], "municipalities": state["municipality"], "years": state["year"], "target_groups": [],
              "service_types": state["service_type"], **grid_params({}, "bg", None, narrow=state)}
    sql = sql_text("data_page")
    wanted = {k: v for k, v in params.items() if f"${k}" in sql}
    return {row[0] for row in con.execute(f"select item_id from ({sql})", wanted).fetchall()}


@pytest.fixture(scope="module")
def kresna_years(tmp_path_factory):
    """data/plans/kresna-2020.txt and two made-up neighbours of it: a plan for 2019 without lines 34 and 40 ("Развитие
    на Приемната грижа" and its continuation after the page break), and one for 2021 without line 44 (the ЦСРИ of
    "гр. Кресна, с. Сливница, с. Долна Градешница"). Between consecutive plans foster care appears in 2020 (the plan
    states no change to it: "Развитие") and the ЦСРИ disappears in 2021."""
    work = tmp_path_factory.mktemp("kresna")
    plans = work / "plans"
    plans.mkdir()
    lines = (REPO / "data" / "plans" / "kresna-2020.txt").read_text(encoding="utf-8").split("\n")
    (plans / "kresna-2020.txt").write_text("\n".join(lines), encoding="utf-8")
    for year, drop in ((2019, {34, 40}), (2021, {44})):
        kept = [line for n, line in enumerate(lines, start=1) if n not in drop]
        (plans / f"kresna-{year}.txt").write_text("\n".join(kept).replace("2020", str(year)), encoding="utf-8")
    db = work / "plans.duckdb"
    done = subprocess.run([sys.executable, "-m", "etl", "build", "--plans", str(plans), "--db", str(db),
                           "--reference", str(reference_dir()), "--quiet"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def lines_of(con, ids: set[str]) -> list[tuple[str, int]]:
    return sorted(con.execute("select source_file, source_line from items where list_contains($ids, item_id)",
                              {"ids": sorted(ids)}).fetchall())


@pytest.mark.parametrize("event, year, expected", [
    ("disappeared", 2021, [("kresna-2020.txt", 44)]),  # the previous plan's record: its year is 2020
    ("appeared", 2020, [("kresna-2020.txt", 34)]),
    ("new", 2020, [("kresna-2020.txt", 100)]),  # "Откриване Клуб на ..." (stated)
])
def test_a_timeline_bar_opens_its_changes(kresna_years, event, year, expected):
    """The changes timeline's bar of Кресна for `event` in `year` (its link as figures.timeline writes it) narrows
    /data to the records of that change, read from the documents."""
    timeline = kresna_years.execute(sql_text("changes_timeline"), {
        "oblasts": [], "municipalities": [], "years": [], "target_groups": [], "service_types": []}).df()
    bar = timeline[(timeline["event"] == event) & (timeline["year"] == year)]
    assert list(bar["events"]) == [1]
    fig = figures.timeline(timeline, "bg")
    links = [link for trace in fig["data"] for x, link in zip(trace["x"], trace["customdata"], strict=True)
             if trace["name"] == label("status", event, "bg") and x == str(year)]
    assert links == [f"year=&event={event}&event_year={year}"]  # one municipality: the filter bar's is kept
    assert lines_of(kresna_years, records(kresna_years, "municipality=Кресна&" + links[0])) == expected


def test_filter_values_of_a_shared_name_are_its_code():
    import pandas as pd

    df = pd.DataFrame({"municipality": ["Бяла", "Дупница"], "municipality_code": ["VAR05", "KNL48"],
                       "municipality_label": ["Бяла (Варна)", "Дупница"]})
    assert figures.filter_values(df) == ["VAR05", "Дупница"]
