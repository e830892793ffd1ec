"""The row-table queries that choose, count and order their rows on narrow columns and read only the shown
rows in full (by rowid) give exactly what their earlier formulations over selected_items give, and
data_page.sql gives exactly what data_items.sql gives for a grid without column filter or sort; on the sample
plans and on a small synthetic corpus, for many filter states, limits, offsets and both UI languages."""

from __future__ import annotations

import pytest

import app  # noqa: F401  (creates the Dash app, which registers the pages: dashboard.pages.data needs it)
from dashboard.pages.data import grid_params

from . import test_query_summaries as summaries
from .test_query_summaries import QUERIES, assert_same, filter_states, run

# the sample database and the small synthetic one (fixtures of test_query_summaries)
synthetic_db = summaries.synthetic_db
con = summaries.con

# The page tables as they were before (selected_items, then a window count over the whole selection).
ORIGINAL = {
    "project_only": """
-- Services funded by projects alone: at risk when the programme ends.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, year, item_no, name, service_type, type_bg, type_en, capacity, status,
        funding_raw, provider, source_file, source_line
    from selected
    where service_type is not null and funding = 'project'
)

select *, count(*) over () as total_rows from final order by municipality, year, source_line
limit $limit""",
    "capacity_changes_stated": """
-- Capacity changes a plan states for its year ("от 20 на 30 места"): before, after, change.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, year, item_no, name, service_type, type_bg, type_en,
        capacity_before, capacity, capacity - capacity_before as change, capacity_unit, status,
        source_file, source_line
    from selected
    where capacity_before is not null
)

select *, count(*) over () as total_rows from final order by municipality, year, source_line
limit $limit""",
    "funding_amounts": """
-- Rows for which the plan states an amount in leva, with their funding.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, year, item_no, name, service_type, type_bg, type_en, funding, funding_raw,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix,
        amount_bgn, source_file, source_line
    from selected
    where amount_bgn is not null
)

select *, count(*) over () as total_rows from final order by municipality, year, source_line
limit $limit""",
}
LIMITS = (200, None, 1, 0)


@pytest.mark.parametrize("name", sorted(ORIGINAL))
def test_row_tables_equal_their_original_formulation(con, name):
    sql = (QUERIES / f"{name}.sql").read_text(encoding="utf-8")
    compared = 0
    for state in filter_states(con):
        for limit in LIMITS:
            params = {**state, "limit": limit}
            want = run(con, ORIGINAL[name], params)
            assert_same(run(con, sql, params), want, f"{name} {params}")
            compared += len(want)
    assert compared  # some states select rows


def grid_page(state: dict, lang: str, limit: int | None, offset: int) -> dict:
    """The data_items parameters of a grid without column filters or sort, as the /data page passes them."""
    request = {"startRow": offset, "endRow": offset + (limit or 0), "sortModel": [], "filterModel": {}}
    return {**state, **grid_params(request, lang, limit, offset)}


def test_data_page_equals_data_items_without_grid_filters_or_sort(con):
    data_items = (QUERIES / "data_items.sql").read_text(encoding="utf-8")
    data_page = (QUERIES / "data_page.sql").read_text(encoding="utf-8")
    total = con.execute("select count(*) from items").fetchone()[0]
    compared = 0
    for state in filter_states(con):
        pages = [("bg", 100, 0), ("bg", 100, 100), ("bg", 7, 3), ("bg", 1, 0), ("bg", None, 0), ("bg", None, 5),
                 ("bg", 100, total), ("en", 100, 0)]
        for lang, limit, offset in pages:
            params = grid_page(state, lang, limit, offset)
            assert params["no_grid_filters"] and params["sort_col"] == ""
            want = run(con, data_items, params)
            assert_same(run(con, data_page, params), want, f"data_page {lang} {limit} {offset} {state}")
            compared += len(want)
    assert compared
