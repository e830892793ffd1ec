"""The charts' sums made in SQL: queries/deinstitutionalisation_chart.sql returns the lines the deinstitutionalisation
chart draws (per municipality, or per year added up over the municipalities) and nothing more; its numbers equal a
Python sum over the records, and the chart drawn from them is the chart drawn from the per-municipality rows
(queries/deinstitutionalisation.sql, the chart's CSV). Also: the build summary counts a municipality by its EKATTE
code; the review notice is drawn with the page.

Golden values are read from the documents:
- data/plans/stara-zagora-2015.txt: institutions: line 25 "ДДУИ с. Петрово ... намаление капацитета от 82 на 35
  места" and line 26 "ДДУИ с. Сл. кладенец ... от 82 на 35 места" (35 + 35 = 70); community: line 14 ЦОП "от 80 на
  100 места", line 21 ЦСРИ на деца "от 20 на 35 места", line 36 ЦСРИ на възрастни "от 35 на 50 места"
  (100 + 35 + 50 = 185); residential: line 71 Център за временно настаняване "с капацитет 15 места" (15);
- tests/fixtures/byala/ (see tests/test_identity.py): Бяла (Варна) 2021 home 60 and community 25 places, Бяла (Русе)
  2021 home 40 places; with data/plans/dupnitsa-2021.txt, three municipalities.
"""

from __future__ import annotations

import json

import pytest

from dashboard import db
from tests.helpers import QUERIES, filter_states, run

from .test_identity import byala_db, needs_reference  # noqa: F401  (the two Бяла and Дупница, built once)

CHART = (QUERIES / "deinstitutionalisation_chart.sql").read_text(encoding="utf-8")
DETAIL = (QUERIES / "deinstitutionalisation.sql").read_text(encoding="utf-8")
NO_FILTERS = dict.fromkeys(("oblasts", "municipalities", "years", "target_groups", "service_types"), [])


def chart_rows(con, params: dict, max_municipalities: int) -> dict:
    """(municipality_code or name, or None when added up, year, setting) -> capacity, from the chart query."""
    df = run(con, CHART, {**params, "max_municipalities": max_municipalities})
    keys = df["municipality_code"].where(df["municipality_code"].notna(), df["municipality"])
    return {(None if k is None or k != k else k, int(y), s): c
            for k, y, s, c in zip(keys, df["year"], df["setting"], df["capacity"], strict=True)}


def python_sums(con, params: dict, max_municipalities: int) -> dict:
    """The same, added up in Python over the records (items) the filter bar selects (selected_items, schema.sql)."""
    records = con.execute(
        "select coalesce(municipality_code, municipality), year, setting, capacity "
        "from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types) "
        "where setting is not null and service_type is not null", params).fetchall()
    stated = [(m, y, s, c) for m, y, s, c in records if c is not None]
    by_municipality = len({m for m, *_ in stated}) <= max_municipalities
    sums: dict = {}
    for m, y, s, c in stated:
        key = (m if by_municipality else None, y, s)
        sums[key] = sums.get(key, 0) + c
    return sums


def test_the_chart_sums_equal_a_python_sum_over_the_records(con):
    for params in filter_states(con):
        for max_municipalities in (0, 1, 2, 12, 1000):
            assert chart_rows(con, params, max_municipalities) == python_sums(con, params, max_municipalities), \
                (params, max_municipalities)


def test_the_chart_query_says_how_many_municipalities_it_added_up(con):
    for params in filter_states(con):
        df = run(con, CHART, {**params, "max_municipalities": 0})
        want = len({m for m, *_ in python_sums(con, params, 1000)})
        assert set(df["municipalities"]) <= {want}, params


def test_stara_zagora_2015_as_written(sample_db):
    import duckdb

    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = chart_rows(con, {**NO_FILTERS, "municipalities": ["Стара Загора"]}, 12)
    assert len({m for m, _, _ in rows}) == 1  # one line per setting, of Стара Загора
    assert {(y, s): c for (_, y, s), c in rows.items()} == {(2015, "institution"): 70, (2015, "community"): 185,
                                                            (2015, "residential"): 15}


@needs_reference
def test_the_two_byala_are_two_lines_or_added_up_as_two(byala_db):  # noqa: F811
    import duckdb

    both = {**NO_FILTERS, "municipalities": ["VAR05", "RSE04"]}
    with duckdb.connect(str(byala_db), read_only=True) as con:
        assert chart_rows(con, both, 12) == {("VAR05", 2021, "home"): 60, ("VAR05", 2021, "community"): 25,
                                             ("RSE04", 2021, "home"): 40}
        assert chart_rows(con, both, 1) == {(None, 2021, "home"): 100, (None, 2021, "community"): 25}
        assert set(run(con, CHART, {**both, "max_municipalities": 1})["municipalities"]) == {2}
        summary = con.execute((QUERIES / "report_summary.sql").read_text(encoding="utf-8")).df().iloc[0]
    # three documents of three municipalities: the two Бяла are two
    assert (summary["plans"], summary["municipalities"]) == (3, 3)


def test_the_build_summary_of_the_sample(sample_db):
    import duckdb

    with duckdb.connect(str(sample_db), read_only=True) as con:
        summary = con.execute((QUERIES / "report_summary.sql").read_text(encoding="utf-8")).df().iloc[0]
    # five documents (data/plans), of five municipalities, from 2013 (Любимец) to 2021 (Дупница)
    assert (summary["plans"], summary["municipalities"], summary["first_year"], summary["last_year"]) == (5, 5, 2013, 2021)
    assert summary["lines_nonempty"] == summary["lines_in_records"] + summary["lines_not_in_records"]


@pytest.mark.parametrize("lang", ["bg", "en"])
def test_the_chart_is_the_same_from_the_added_up_rows_as_from_the_detail(con, lang):
    """figures.deinstitutionalisation draws the same figure from the chart query's rows as from the per-municipality
    rows it was drawn from before (in either combine mode, with the page's MAX_COMPARE)."""
    from dashboard import figures

    for params in filter_states(con):
        detail = run(con, DETAIL, params)
        for combine, most in (("compare", figures.MAX_COMPARE), ("sum", 1)):  # as dashboard/pages/capacity.py asks
            chart = run(con, CHART, {**params, "max_municipalities": most})
            want = figures.deinstitutionalisation(detail, lang, combine)
            got = figures.deinstitutionalisation(chart, lang, combine)
            assert json.dumps(got, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str), \
                (params, combine)


def test_the_review_notice_is_drawn_with_the_page(sample_db):
    """The Pages router's answer holds the notice (no callback on the page's load), the same as the callback gives
    when the filters change."""
    import app  # noqa: F401  (registers the pages)
    from dashboard import review_notice
    from dashboard.pages import capacity

    db.set_database(sample_db)
    page = capacity.layout(municipality="Дупница")
    found = []

    def walk(node):
        if getattr(node, "id", None) == "review-notice":
            found.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children] if children is not None else []:
            walk(child)

    walk(page)
    assert len(found) == 1
    values = {"oblast": [], "municipality": ["Дупница"], "year": [], "target_group": [], "service_type": []}
    want = review_notice.notice("bg", values)
    assert "записа в избора" in str(want) and str(found[0].children) == str(want)
