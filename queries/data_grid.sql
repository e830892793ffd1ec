-- One page of the data grid once it is sorted or filtered by at most four columns (the usual case): the rows
-- and order of data_items.sql for those grid states, with the columns the grid shows (dashboard/pages/data.py
-- GRID_FIELDS), from a shorter statement. DuckDB binds and optimises a statement on every run, which was half
-- of data_items' time: this one has no list of further filters (a lambda over every column), keeps the rows
-- that pass in one narrow table that is both counted and ordered, and reads 20 columns of the page's rows, not
-- 46 (each is read from every stored vector that holds one of the page's rows). Grids with five or more
-- column filters, and the CSV, use data_items.sql. Each filter costs ≈ 1 ms to bind, used or not: hence four.
-- Parameters (dashboard/pages/data.py grid_params), as in data_items.sql:
--   $lang         the UI language ('bg' or 'en'); $section_labels, $target_group_labels, $setting_labels,
--                 $status_labels: map code -> readable label in it (one map per kind: cheaper to bind)
--   $no_grid_filters  true when the grid has no column filter; otherwise every filter must hold (none is false
--                 and one is true; a filter that is null counts as neither)
--   $f1_col, $f1_numeric, $f1_op, $f1_text, $f1_num, $f1_num_to  the first filter: the column it reads (a column
--                 of `grid` below, named by the page from its fixed list, never from the request; no_column when
--                 unknown), whether that column is a number, and the filter (op null: there is no such filter);
--                 and $f2_col … $f2_num_to the second, up to $f4_col … $f4_num_to the fourth
--   $sort_key / $sort_dir  the grid's sort column (a column of `grid`; no_column: plan order; source_text_rank for
--                 the original text, the same order) and 'asc' / 'desc'
--   $type_columns true when a sort or filter reads a service-type column (type_name, target_group_text, setting_text)
--   $limit / $offset  the page; total_rows = rows after the filters
with

chosen_rows as (
    select i.rowid as row_id, i.municipality, i.year, i.seq, i.item_no, i.section, i.name, i.service_type,
        i.settlements, i.funding_raw, i.status, i.provider, i.source_file, i.source_line, i.source_ref,
        i.source_text, i.source_text_rank, i.amount_bgn, i.capacity, i.capacity_before
    from items i
    where item_chosen($oblasts, $municipalities, $years, $target_groups, $service_types,
                      i.plan_id, i.municipality, i.year, i.service_type)
),

-- the grid's columns by their field names (dashboard/pages/data.py COLUMNS), plus no_column (nulls)
grid as (
    select c.row_id, c.seq, null::varchar as no_column, c.municipality, c.year, c.item_no,
        coalesce($section_labels[c.section], c.section) as section_text, c.name,
        case when $lang = 'en' then st.name_en else st.name_bg end as type_name,
        coalesce($target_group_labels[st.target_group], st.target_group) as target_group_text,
        coalesce($setting_labels[st.setting], st.setting) as setting_text,
        c.settlements, c.funding_raw, c.amount_bgn, c.capacity, c.capacity_before,
        coalesce($status_labels[c.status], c.status) as status_text,
        c.provider, c.source_file, c.source_line, c.source_ref, c.source_text, c.source_text_rank
    from chosen_rows c
    left join service_types st on st.code = c.service_type and $type_columns
),

-- the sort key and the filters' values (as text, not lower-cased, and as a number), each read from the one column its
-- parameter names (chosen when the statement is planned)
valued as (
    select row_id, municipality, year, seq,
        columns(lambda c: c = $sort_key) as sort_key,
        coalesce(columns(lambda c: c = $f1_col)::varchar, '') as v1,
        case when $f1_numeric then columns(lambda c: c = $f1_col)::double end as n1,
        coalesce(columns(lambda c: c = $f2_col)::varchar, '') as v2,
        case when $f2_numeric then columns(lambda c: c = $f2_col)::double end as n2,
        coalesce(columns(lambda c: c = $f3_col)::varchar, '') as v3,
        case when $f3_numeric then columns(lambda c: c = $f3_col)::double end as n3,
        coalesce(columns(lambda c: c = $f4_col)::varchar, '') as v4,
        case when $f4_numeric then columns(lambda c: c = $f4_col)::double end as n4
    from grid
),

-- each filter tested by grid_filter_test (queries/derived.sql)
tested as (
    select row_id, municipality, year, seq, sort_key,
        case when $f1_op is not null then grid_filter_test($f1_op, v1, n1, $f1_text, $f1_num, $f1_num_to) end
            as f1,
        case when $f2_op is not null then grid_filter_test($f2_op, v2, n2, $f2_text, $f2_num, $f2_num_to) end
            as f2,
        case when $f3_op is not null then grid_filter_test($f3_op, v3, n3, $f3_text, $f3_num, $f3_num_to) end
            as f3,
        case when $f4_op is not null then grid_filter_test($f4_op, v4, n4, $f4_text, $f4_num, $f4_num_to) end
            as f4
    from valued
),

-- the rows that pass, kept once (narrow): counted and ordered. DuckDB moves these conditions into the scan of items
-- and tests them one after another, each on the rows the ones before it kept: a filter reads its column (and
-- lower-cases it, for the text tests) only for the rows the other filters let through
filtered as materialized (
    select row_id, municipality, year, seq, sort_key
    from tested
    where $no_grid_filters
        or (f1 is not false and f2 is not false and f3 is not false and f4 is not false and (f1 or f2 or f3 or f4))
),

-- sort and page on narrow rows; the wide columns are read for the page's rows only (by rowid)
page as (
    select row_id
    from filtered
    order by
        case when $sort_dir = 'asc' then sort_key end asc nulls last,
        case when $sort_dir = 'desc' then sort_key end desc nulls last,
        municipality, year, seq
    limit $limit offset $offset
),

numbered as (
    select row_id, row_number() over () as position from page
)

select i.municipality, i.year, i.item_no,
    coalesce($section_labels[i.section], i.section) as section_text, i.name,
    case when $lang = 'en' then st.name_en else st.name_bg end as type_name,
    coalesce($target_group_labels[st.target_group], st.target_group) as target_group_text,
    coalesce($setting_labels[st.setting], st.setting) as setting_text,
    i.settlements, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
    coalesce($status_labels[i.status], i.status) as status_text,
    i.provider, i.source_file, i.source_line, i.source_ref, i.source_text, i.item_id,
    (select count(*) from filtered) as total_rows
from numbered n
join items i on i.rowid = n.row_id
left join service_types st on st.code = i.service_type
order by n.position
