"""The row-table queries that choose, count and order their rows on narrow columns and read only the shown
rows in full (by rowid) give exactly what their earlier formulations over selected_items give; data_grid.sql,
written for each grid state (sort, any number of column filters), gives what the grid's query gave before, with the
grid's columns (a page) and with the CSV's (all rows); data_page.sql (a grid without column filter or sort) gives the
same rows; on the sample plans and on a small synthetic corpus, for many filter states, limits, offsets and both UI
languages."""

from __future__ import annotations

import pytest

from dashboard import db
from dashboard.grid import (
    COLUMNS,
    CSV_COLUMNS,
    CSV_COLUMNS_SQL,
    GRID_FIELDS,
    NUMBER_COLUMNS,
    grid_params,
    grid_query_params,
)

from .helpers import QUERIES, assert_same, filter_states, run

# the sample database and the small synthetic one (fixtures of test_query_summaries)

# The page tables as they were before (selected_items, then a window count over the whole selection).
pytestmark = pytest.mark.slow  # oracle comparisons over many grid states, on the sample and a synthetic corpus

ORIGINAL = {
    "project_only": """
-- Services funded by projects alone: at risk when the programme ends.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label, year,
        item_no, name, service_type, type_bg, type_en, capacity, status, funding_raw, provider, source_file,
        source_line, plan_id
    from selected
    where service_type is not null and funding = 'project'
)

-- two municipalities of one name (Бяла) have plans of one year: each plan's rows together
select * exclude (plan_id), count(*) over () as total_rows from final order by municipality, year, plan_id, source_line
limit $limit""",
    "capacity_changes_stated": """
-- Capacity changes a plan states for its year ("от 20 на 30 места"): before, after, change.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label, year,
        item_no, name, service_type, type_bg, type_en,
        capacity_before, capacity, capacity - capacity_before as change, capacity_unit, status,
        source_file, source_line, plan_id
    from selected
    where capacity_before is not null
)

-- two municipalities of one name (Бяла) have plans of one year: each plan's rows together
select * exclude (plan_id), count(*) over () as total_rows from final order by municipality, year, plan_id, source_line
limit $limit""",
    "funding_amounts": """
-- Rows for which the plan states an amount in leva, with their funding.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, municipality_code, municipality_label(municipality, oblast) as municipality_label, year,
        item_no, name, service_type, type_bg, type_en, funding, funding_raw,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix,
        amount_bgn, source_file, source_line, plan_id
    from selected
    where amount_bgn is not null
)

-- two municipalities of one name (Бяла) have plans of one year: each plan's rows together
select * exclude (plan_id), count(*) over () as total_rows from final order by municipality, year, plan_id, source_line
limit $limit""",
}
LIMITS = (200, None, 1, 0)

# The /data grid's query as it was before (selected_items, rows read back by item_id).
DATA_ITEMS = """
-- The records of the selection for the data grid (one page) and its CSV (all rows), with source
-- file, line and original text.
--   $labels       map 'kind:code' -> readable label (section, target_group, setting, status) in the UI language
--   $grid_filters the grid's column filters: list of struct(col, op, text, num, num_to) (AG Grid text and
--                 number filter types; every one must hold); $no_grid_filters: true when there are none
--   $sort_col / $sort_dir  the grid's sort column ('' = plan order) and 'asc' / 'desc'
--   $limit / $offset  the page (limit null: all rows); total_rows = rows after all filters
with

selected as (
    select s.item_id, s.municipality, s.year, s.seq, s.item_no, s.section, s.name, s.settlements, s.funding_raw,
        s.status, s.provider, s.source_file, s.source_line, s.source_ref, s.source_text, s.amount_bgn, s.capacity,
        s.capacity_before, s.type_bg, s.type_en, s.target_group, s.setting, s.review, s.corrected
    from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types) s
    left join service_types kinds on kinds.code = s.service_type
    -- what a chart's click narrows the records to ($settings, $ssa_kinds, $funding_mixes: empty = all; a kind
    -- or setting belongs to a service type, so a record without one has none; 'none': a type of no kind)
    where (len($settings) = 0 or coalesce(list_contains($settings, s.setting), false))
      and (len($ssa_kinds) = 0
           or (s.service_type is not null and list_contains($ssa_kinds, coalesce(kinds.ssa_kind, 'none'))))
      and (len($funding_mixes) = 0
           or list_contains($funding_mixes, case when coalesce(s.funding, '') = '' then 'unknown'
                                                 when s.funding like '%;%' then 'mixed'
                                                 else s.funding end))
      and (not $services_only or s.service_type is not null)
),

labelled as (
    select item_id, municipality, year, seq, item_no, name, settlements, funding_raw, provider, source_file,
        source_line, source_ref, source_text, amount_bgn, capacity, capacity_before, review, corrected,
        coalesce($labels['section:' || section], section) as section_text,
        case when $labels['lang:en'] = 'en' then type_en else type_bg end as type_name,
        coalesce($labels['target_group:' || target_group], target_group) as target_group_text,
        coalesce($labels['setting:' || setting], setting) as setting_text,
        coalesce($labels['status:' || status], status) as status_text
    from selected
),

filtered as materialized (
    select * from labelled
    where $no_grid_filters or list_bool_and(list_transform(
        -- each filter with the value of its column in this row (as lower-case text and as a number)
        list_transform($grid_filters, lambda f: struct_pack(
            op := f.op, text := lower(f.text), num := f.num, num_to := f.num_to,
            v := lower(coalesce(case f.col
                when 'municipality' then municipality when 'item_no' then item_no
                when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
                when 'target_group_text' then target_group_text when 'setting_text' then setting_text
                when 'settlements' then settlements when 'funding_raw' then funding_raw
                when 'status_text' then status_text when 'provider' then provider
                when 'source_file' then source_file when 'source_text' then source_text
                when 'source_ref' then source_ref when 'review' then review when 'corrected' then corrected
                when 'year' then year::varchar when 'source_line' then source_line::varchar
                when 'amount_bgn' then amount_bgn::varchar when 'capacity' then capacity::varchar
                when 'capacity_before' then capacity_before::varchar end, '')),
            n := case f.col
                when 'year' then year::double when 'source_line' then source_line::double
                when 'amount_bgn' then amount_bgn when 'capacity' then capacity::double
                when 'capacity_before' then capacity_before::double end
        )),
        lambda g: case g.op
            when 'none' then true
            when 'contains' then contains(g.v, g.text)
            when 'notContains' then not contains(g.v, g.text)
            when 'startsWith' then starts_with(g.v, g.text)
            when 'endsWith' then ends_with(g.v, g.text)
            when 'blank' then g.v = ''
            when 'notBlank' then g.v <> ''
            when 'equals' then coalesce(case when g.num is null then g.v = g.text else g.n = g.num end, false)
            when 'notEqual' then coalesce(case when g.num is null then g.v <> g.text
                                               else g.n is distinct from g.num end, true)
            when 'lessThan' then coalesce(g.n < g.num, false)
            when 'lessThanOrEqual' then coalesce(g.n <= g.num, false)
            when 'greaterThan' then coalesce(g.n > g.num, false)
            when 'greaterThanOrEqual' then coalesce(g.n >= g.num, false)
            when 'inRange' then coalesce(g.n >= g.num and g.n <= g.num_to, false)
            else true end
    ))
),

-- sort and page on narrow rows; the wide columns are read for the page's rows only
page as (
    select item_id,
        case $sort_col
            when 'municipality' then municipality when 'item_no' then item_no
            when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
            when 'target_group_text' then target_group_text when 'setting_text' then setting_text
            when 'settlements' then settlements when 'funding_raw' then funding_raw
            when 'status_text' then status_text when 'provider' then provider
            when 'source_file' then source_file when 'source_text' then source_text
            when 'source_ref' then source_ref when 'review' then review
            when 'corrected' then corrected end as sort_text,
        case $sort_col
            when 'year' then year::double when 'source_line' then source_line::double
            when 'amount_bgn' then amount_bgn when 'capacity' then capacity::double
            when 'capacity_before' then capacity_before::double end as sort_num,
        municipality, year, seq
    from filtered
    order by
        case when $sort_dir = 'asc' then sort_text end asc nulls last,
        case when $sort_dir = 'desc' then sort_text end desc nulls last,
        case when $sort_dir = 'asc' then sort_num end asc nulls last,
        case when $sort_dir = 'desc' then sort_num end desc nulls last,
        municipality, year, seq
    limit $limit offset $offset
),

numbered as (
    select item_id, row_number() over () as position from page
),

-- the corrections applied to a record, one line each: field, parsed -> corrected value (reason; author, date)
notes as (
    select c.item_id, string_agg(format('{}: {} → {} ({}; {}, {})', c.field,
                                        case when coalesce(c.parsed, '') = '' then '—' else c.parsed end,
                                        case when coalesce(c.value, '') = '' then '—' else c.value end,
                                        coalesce(c.reason, ''), coalesce(c.author, ''), coalesce(c.corrected_at, '')),
                                 chr(10) order by c.correction_file, c.correction_row) as correction_note
    from corrections c
    where c.status = 'applied' and c.item_id in (select item_id from numbered)
    group by c.item_id
),

final as (
    select i.municipality, p.municipality_code, p.oblast, i.year, i.item_no, i.section,
        coalesce($labels['section:' || i.section], i.section) as section_text, i.name, i.service_type,
        st.name_bg as type_bg, st.name_en as type_en,
        case when $labels['lang:en'] = 'en' then st.name_en else st.name_bg end as type_name,
        st.target_group, coalesce($labels['target_group:' || st.target_group], st.target_group) as target_group_text,
        st.setting, coalesce($labels['setting:' || st.setting], st.setting) as setting_text,
        i.settlements, i.scope, i.funding, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
        i.capacity_unit, i.staff, i.units, i.status, coalesce($labels['status:' || i.status], i.status) as status_text,
        i.provider, i.description, i.place_raw, i.term_raw, i.q1, i.q2, i.q3, i.q4, i.source_file, i.source_line,
        i.source_ref, i.source_text, i.review, i.corrected, i.item_id, i.plan_id, i.seq, notes.correction_note,
        n.position
    from numbered n
    join items i using (item_id)
    left join notes using (item_id)
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
)

select * exclude (position), (select count(*) from filtered) as total_rows
from final
order by position"""


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


def grid_page(state: dict, lang: str, limit: int | None, offset: int = 0, sort: list | None = None,
              filters: dict | None = None) -> dict:
    """The data_grid parameters of a grid request (by default without column filters or sort), as the /data page
    passes them, plus those of the original formulation."""
    request = {"startRow": offset, "endRow": offset + (limit or 0), "sortModel": sort or [], "filterModel": filters or {}}
    return with_original({**state, **grid_params(request, lang, limit, offset)})


def with_original(params: dict) -> dict:
    """`params` plus what the original formulation takes: the labels as one map ('kind:code' -> label, 'lang:en' ->
    the language), the filters as one list (one that holds when there are none) and the sort's direction."""
    keys, values = ["lang:en"], [params["lang"]]
    for kind in ("section", "target_group", "setting", "status"):
        keys += [f"{kind}:{code}" for code in params[f"{kind}_labels"]["key"]]
        values += params[f"{kind}_labels"]["value"]
    none = [{"col": "", "op": "none", "text": "", "num": None, "num_to": None}]
    return {**params, "labels": {"key": keys, "value": values}, "grid_filters": params["grid_filters"] or none,
            "no_grid_filters": not params["grid_filters"], "sort_dir": params["sort_dir"]}


def grid_queries(params: dict) -> dict[str, tuple[str, list]]:
    """data_grid.sql written for the grid state of `params`, as the grid runs it (a page with the grid's columns)
    and as the CSV does (its columns), with the columns of the original formulation each gives."""
    return {"data_grid": (db.bound("data_grid", params)[0], GRID_ROW),
            "data_grid csv": (db.bound("data_grid", {**params, "columns": CSV_COLUMNS_SQL})[0], CSV_ROW)}


# the columns of a grid row as data_page and data_grid give them, and of a CSV row
GRID_ROW = [*GRID_FIELDS, "total_rows"]
CSV_ROW = [*CSV_COLUMNS, "total_rows"]


def columns_of(frame, columns: list | None):
    return frame if columns is None else frame[columns]


def test_data_page_equals_the_original_formulation_without_grid_filters_or_sort(con):
    data_page = (QUERIES / "data_page.sql").read_text(encoding="utf-8")
    total = con.execute("select count(*) from items").fetchone()[0]
    compared = 0
    for state in filter_states(con):
        pages = [("bg", 100, 0), ("bg", 100, 100), ("bg", 7, 3), ("bg", 1, 0), ("bg", None, 0), ("bg", None, 5),
                 ("bg", 100, total), ("en", 100, 0)]
        for lang, limit, offset in pages:
            params = grid_page(state, lang, limit, offset)
            assert params["no_grid_filters"] and params["sort_col"] == ""
            want = run(con, DATA_ITEMS, params)[GRID_ROW]
            assert_same(run(con, data_page, params), want, f"data_page {lang} {limit} {offset} {state}")
            compared += len(want)
    assert compared


GRID_REQUESTS = [  # (sortModel, filterModel) as AG Grid sends them
    ([], {}),
    ([{"colId": "name", "sort": "desc"}], {}),
    ([{"colId": "capacity", "sort": "asc"}], {}),
    ([{"colId": "target_group_text", "sort": "asc"}], {}),
    ([], {"name": {"filterType": "text", "type": "contains", "filter": "Център"}}),  # compared in lower case
    ([{"colId": "year", "sort": "desc"}], {"capacity": {"filterType": "number", "type": "greaterThan", "filter": 10}}),
    ([], {"status_text": {"filterType": "text", "type": "notBlank"}, "year": {"filterType": "number",
                                                                          "type": "inRange", "filter": 2015,
                                                                          "filterTo": 2022}}),
]


def test_data_grid_equals_its_original_formulation(con):
    compared = 0
    for state in filter_states(con)[::2]:
        for sort, filters in GRID_REQUESTS:
            for lang, limit, offset in (("bg", 100, 0), ("en", 7, 3), ("bg", None, 0)):
                params = grid_page(state, lang, limit, offset, sort, filters)
                want = run(con, DATA_ITEMS, params)
                for name, (sql, columns) in grid_queries(params).items():
                    assert_same(run(con, sql, params), columns_of(want, columns),
                                f"{name} {sort} {filters} {lang} {state}")
                    compared += len(want)
    assert compared


def column_requests() -> list[tuple[list, dict]]:
    """(sortModel, filterModel): every column sorted both ways; every column filtered by each of its filter
    types (values met and not met, blank and not blank); two and three filters with a sort."""
    out = []
    for col in COLUMNS:
        out += [([{"colId": col, "sort": "asc"}], {}), ([{"colId": col, "sort": "desc"}], {})]
        if col in NUMBER_COLUMNS:
            for op, value, to in (("equals", 2020, None), ("notEqual", 10, None), ("lessThan", 2016, None),
                                  ("lessThanOrEqual", 10, None), ("greaterThan", 10, None),
                                  ("greaterThanOrEqual", 2021, None), ("inRange", 5, 30), ("blank", None, None),
                                  ("notBlank", None, None)):
                out.append(([], {col: {"filterType": "number", "type": op, "filter": value, "filterTo": to}}))
        else:
            for op, value in (("contains", "а"), ("notContains", "Е"), ("startsWith", "с"), ("endsWith", "а"),
                              ("equals", "дупница"), ("notEqual", "дупница"), ("blank", ""), ("notBlank", ""),
                              ("contains", "няма такъв текст")):
                out.append(([], {col: {"filterType": "text", "type": op, "filter": value}}))
    text = {"filterType": "text", "type": "contains", "filter": "а"}
    out += [
        ([{"colId": "capacity", "sort": "desc"}], {"type_name": text, "amount_bgn": {"filterType": "number",
                                                                                     "type": "notBlank"}}),
        ([{"colId": "setting_text", "sort": "asc"}], {"name": text, "year": {"filterType": "number",
                                                                          "type": "greaterThan", "filter": 2014},
                                                   "status_text": {"filterType": "text", "type": "notBlank"}}),
        ([], {"year": {"filterType": "number", "type": "notBlank"}, "name": {"filterType": "text", "type": "contains",
                                                                           "filter": "ЦЕНТЪР"},
              "source_text": {"filterType": "text", "type": "contains", "filter": "Ц"}}),  # compared in lower case
        ([], {"target_group_text": text, "source_text": text, "settlements": {"filterType": "text", "type": "blank"},
              "capacity": {"filterType": "number", "type": "lessThan", "filter": 40}}),
    ]
    return out


def test_data_grid_equals_its_original_formulation_for_every_column(con):
    states = filter_states(con)
    compared = dict.fromkeys(("data_grid", "data_grid csv"), 0)
    for i, (sort, filters) in enumerate(column_requests()):
        state = states[i % 3]  # all, then two others: every request on some selection
        for lang, limit, offset in (("bg", 100, 0), ("en", 5, 2)):
            params = grid_page(state, lang, limit, offset, sort, filters)
            want = run(con, DATA_ITEMS, params)
            for name, (sql, columns) in grid_queries(params).items():
                assert_same(run(con, sql, params), columns_of(want, columns),
                            f"{name} {sort} {filters} {lang} {state}")
                compared[name] += len(want)
    assert all(compared.values())


def raw_filter(col: str, op: str, text: str | None = "", num: float | None = None, num_to: float | None = None) -> dict:
    return {"col": col, "op": op, "text": text, "num": num, "num_to": num_to}


RAW_GRID_FILTERS = [  # lists the page does not send, for the edges: many filters, null text, none at all
    [raw_filter("name", "contains", "център"), raw_filter("year", "inRange", "", 2015, 2022),
     raw_filter("status_text", "notBlank"), raw_filter("capacity", "greaterThan", "", 5)],
    [raw_filter("name", "notContains", "x"), raw_filter("year", "greaterThanOrEqual", "", 2015),
     raw_filter("source_text", "contains", "Ц"), raw_filter("capacity", "lessThan", "", 50),
     raw_filter("municipality", "startsWith", "с")],
    # a filter with no text counts as neither true nor false, in any place
    [raw_filter("year", "greaterThan", "", 2015), raw_filter("capacity", "lessThan", "", 50),
     raw_filter("name", "contains", None), raw_filter("settlements", "endsWith", "а")],
    [raw_filter("year", "greaterThan", "", 2015), raw_filter("capacity", "lessThan", "", 50),
     raw_filter("name", "contains", "а"), raw_filter("settlements", "notBlank"), raw_filter("provider", "startsWith", None)],
    [raw_filter("name", "contains", None), raw_filter("provider", "endsWith", None), raw_filter("settlements", "contains", None),
     raw_filter("source_text", "startsWith", None), raw_filter("item_no", "notBlank")],
    [raw_filter("name", "contains", None), raw_filter("provider", "endsWith", None), raw_filter("settlements", "contains", None),
     raw_filter("source_text", "startsWith", None)],
    [raw_filter("name", "contains", None), raw_filter("year", "equals", "2020", 2020)],
    [raw_filter("name", "contains", None)],
    [raw_filter("item_no", "blank"), raw_filter("capacity", "notEqual", "10", 10), raw_filter("name", "endsWith", "а")],
    [],
]


def test_data_grid_equals_its_original_formulation_for_any_filter_list(con):
    compared = dict.fromkeys(("data_grid", "data_grid csv"), 0)
    for state in filter_states(con)[:6]:
        for filters in RAW_GRID_FILTERS:
            params = with_original({**grid_page(state, "bg", 100, 0), **grid_query_params(filters, "")})
            want = run(con, DATA_ITEMS, params)
            for name, (sql, columns) in grid_queries(params).items():
                assert_same(run(con, sql, params), columns_of(want, columns), f"{name} {filters} {state}")
                compared[name] += len(want)
    assert all(compared.values())


def many_filter_requests() -> list[tuple[list, dict]]:
    """(sortModel, filterModel): every text and number filter type as the third, fifth and seventh of the grid's
    filters (data_grid.sql is written with every one of them), after filters that keep most rows; a sort with some."""
    leading = {"year": {"filterType": "number", "type": "greaterThan", "filter": 2000},
               "municipality": {"filterType": "text", "type": "notBlank"},
               "section_text": {"filterType": "text", "type": "notContains", "filter": "няма такъв текст"},
               "source_line": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 1},
               "source_file": {"filterType": "text", "type": "notBlank"},
               "source_ref": {"filterType": "text", "type": "notContains", "filter": "няма такъв текст"}}
    # upper-case texts: the test lower-cases both sides
    text = [("name", "contains", "ЦЕНТЪР"), ("source_text", "contains", "а"), ("settlements", "notContains", "Е"),
            ("type_name", "startsWith", "С"), ("provider", "endsWith", "дсп"), ("item_no", "equals", "1"),
            ("name", "notEqual", "дупница"), ("settlements", "blank", ""), ("funding_raw", "notBlank", ""),
            ("status_text", "contains", "няма такъв текст")]
    number = [("equals", 10, None), ("notEqual", 10, None), ("lessThan", 16, None), ("lessThanOrEqual", 10, None),
              ("greaterThan", 10, None), ("greaterThanOrEqual", 21, None), ("inRange", 5, 30), ("blank", None, None),
              ("notBlank", None, None)]
    number_columns = ["capacity", "amount_bgn", "capacity_before"]
    tests = [(col, {"filterType": "text", "type": op, "filter": value}) for col, op, value in text]
    tests += [(number_columns[i % len(number_columns)], {"filterType": "number", "type": op, "filter": value,
                                                         "filterTo": to}) for i, (op, value, to) in enumerate(number)]
    sorts = [[], [{"colId": "source_text", "sort": "desc"}], [{"colId": "capacity", "sort": "asc"}]]
    out = []
    for i, (col, spec) in enumerate(tests):
        for place in (3, 5, 7):
            model = dict(list(leading.items())[:place - 1])
            out.append((sorts[(i + place) % len(sorts)], {**model, col: spec}))
    return out


def test_three_to_seven_filters_of_every_type_equal_the_original_formulation(con):
    states = filter_states(con)
    compared = dict.fromkeys(("data_grid", "data_grid csv"), 0)
    places = set()
    for i, (sort, filters) in enumerate(many_filter_requests()):
        params = grid_page(states[(0, 2, 4)[i % 3]], "bg", 100, 0, sort, filters)  # all, the last years, a municipality
        places.add(len(params["grid_filters"]))
        want = run(con, DATA_ITEMS, params)
        for name, (sql, columns) in grid_queries(params).items():
            assert_same(run(con, sql, params), columns_of(want, columns), f"{name} {sort} {filters}")
            compared[name] += len(want)
    assert places == {3, 5, 7} and all(compared.values())


def test_a_sort_by_the_original_text_orders_by_its_rank_made_with_the_database(con, request):
    """source_text_rank is the place of the item's text among the distinct texts in code point order (DuckDB
    compares text by its UTF-8 bytes, which sort as the code points do), equal texts with equal ranks; the grid
    sorts the original text by it, in either direction and on any page, as the original formulation sorts the
    texts."""
    rows = con.execute("select source_text, source_text_rank from items").fetchall()
    place = {text: n for n, text in enumerate(sorted({text for text, _ in rows}), 1)}
    assert [rank for _, rank in rows] == [place[text] for text, _ in rows]
    if request.node.callspec.params["con"] == "synthetic":
        assert len(place) < len(rows)  # texts repeated in several plans: equal ranks, ordered by plan and row
    assert grid_params({"sortModel": [{"colId": "source_text", "sort": "asc"}]}, "bg", 100)["sort_key"] == \
        "i.source_text_rank"
    states = filter_states(con)
    for direction in ("asc", "desc"):
        sort = [{"colId": "source_text", "sort": direction}]
        pages = [(100, 0), (7, 3), (None, 0), (100, 100), (50, 25), (100, 0)]
        for state, (limit, offset) in zip(states[:6], pages, strict=True):
            params = grid_page(state, "en", limit, offset, sort)
            want = run(con, DATA_ITEMS, params)
            for name, (sql, columns) in grid_queries(params).items():
                assert_same(run(con, sql, params), columns_of(want, columns), f"{name} {direction} {limit} {offset}")


def test_the_original_text_is_stored_uncompressed(con):
    """A grid page's rows lie scattered over the table, and reading one text from a compressed vector
    decompresses the whole vector: the /data grid sorted by the original text (descending, national) read 26
    vectors for its 100 rows, 35 of its 47 ms p95. Stored uncompressed, the same query took 25/32 ms
    (median/p95, interleaved), for a database 38 MB larger (111 against 73 MB)."""
    kinds = con.execute("select distinct compression from pragma_storage_info('items') "
                        "where column_name = 'source_text' and segment_type = 'VARCHAR'").fetchall()
    assert kinds == [("Uncompressed",)]


def test_the_grid_statement_is_written_from_fixed_lists_only(con):
    """What a request sends reaches data_grid.sql as parameter values only: a hostile filter text or number, an
    unknown column or filter type never becomes SQL text; every filter the page keeps gets its own parameters; a
    slot takes SqlText only."""
    hostile = "x'); drop table items; --"
    filters = [raw_filter("name", "contains", hostile), raw_filter("capacity", "inRange", hostile, 5, 30),
               raw_filter("items; drop table items", "contains", "a"), raw_filter("name", "1=1) or (true", "a")]
    params = with_original({**grid_page({**filter_states(con)[0]}, "bg", 100, 0),
                            **grid_query_params(filters, "nope; drop table items", "desc")})
    sql, values = db.bound("data_grid", params)
    assert "drop table" not in sql and "1=1" not in sql and "nope" not in sql
    assert values["f1_text"] == hostile and values["f2_num_to"] == 30 and "f4_text" not in values
    assert "contains(lower(coalesce(null::varchar, '')), lower($f3_text))" in sql
    assert "sort_key desc nulls last" in sql and "null::varchar as sort_key" in sql
    assert_same(run(con, sql, params), run(con, DATA_ITEMS, params)[GRID_ROW], "hostile filters")
    with pytest.raises(TypeError, match="slots"):
        db.bound("data_grid", {**params, "filters": "true or 1=1"})  # a plain str is not SqlText


def test_the_grid_knows_every_column_as_sql():
    from dashboard.grid import CSV_SQL, GRID_SQL

    assert list(GRID_SQL) == list(COLUMNS) and list(CSV_SQL) == CSV_COLUMNS


NARROWINGS = [  # what a chart's bar or cell narrows /data to (dashboard/state.py NARROW_KEYS)
    {"setting": ["home"]},
    {"setting": ["residential", "institution"]},
    {"ssa_kind": ["residential_care"]},
    {"ssa_kind": ["none"]},
    {"ssa_kind": ["day_care", "none"]},
    {"funding_mix": ["municipal"], "only": ["services"]},
    {"funding_mix": ["mixed"]},
    {"funding_mix": ["unknown"], "only": ["services"]},
    {"funding_mix": ["unknown"]},
    {"only": ["services"]},
    {"setting": ["community"], "ssa_kind": ["day_care"], "funding_mix": ["project", "state_delegated"],
     "only": ["services"]},
    {"setting": ["not a setting"], "ssa_kind": ["x'); drop table items; --"]},  # unknown values narrow nothing
]


def test_a_narrowing_gives_the_records_of_its_original_formulation(con):
    """data_page (the grid as it opens), data_grid (sorted, filtered) and the CSV, narrowed as a chart's click
    narrows them, give what the original formulation gives with the same narrowing; a narrowing selects fewer
    records than none, and some."""
    data_page = (QUERIES / "data_page.sql").read_text(encoding="utf-8")
    compared = dict.fromkeys(("data_page", "data_grid", "data_grid csv"), 0)
    narrower = 0  # narrowings that keep some records of the selection, not all
    for state in filter_states(con)[:4]:
        everything = len(run(con, DATA_ITEMS, grid_page(state, "bg", None)))
        for narrowing in NARROWINGS:
            plain = {**state, **grid_params({}, "bg", None, narrow=narrowing)}
            params = with_original(plain)
            want = run(con, DATA_ITEMS, params)
            if narrowing == NARROWINGS[-1]:
                assert len(want) == everything
            else:
                assert len(want) <= everything
                narrower += 0 < len(want) < everything
            assert_same(run(con, data_page, params), want[GRID_ROW], f"data_page {narrowing} {state}")
            compared["data_page"] += len(want)
            sort, filters = [{"colId": "capacity", "sort": "desc"}], {"name": {"filterType": "text",
                                                                               "type": "notContains", "filter": "я"}}
            params = with_original({**state, **grid_params({"sortModel": sort, "filterModel": filters}, "bg", 50,
                                                           narrow=narrowing)})
            want = run(con, DATA_ITEMS, params)
            for name, (sql, columns) in grid_queries(params).items():
                assert_same(run(con, sql, params), columns_of(want, columns), f"{name} {narrowing} {state}")
                compared[name] += len(want)
    assert all(compared.values()) and narrower >= 10
