-- The records of the selection for the data grid's CSV (all rows, every column), with source file, line and
-- original text, and one page of the grid when it has five or more column filters (data_grid.sql gives the
-- page with up to four, data_page.sql without filter or sort: the same rows, with the grid's columns).
-- The parameters come from dashboard/pages/data.py (grid_params):
--   $lang         the UI language ('bg' or 'en'); $section_labels, $target_group_labels, $setting_labels,
--                 $status_labels: map code -> readable label in it (one map per kind: cheaper to bind)
--   $no_grid_filters  true when the grid has no column filter; otherwise every filter must hold (none is false
--                 and one is true; a filter that is null counts as neither), tested as follows:
--   $f1_col, $f1_numeric, $f1_op, $f1_text, $f1_num, $f1_num_to  the first filter (AG Grid text and number filter
--                 types): the column it reads (a column of `grid` below, named by the page from its fixed list,
--                 never from the request; no_column when unknown), whether that column is a number, and the filter
--                 (op null: there is no such filter); and $f2_col … $f2_num_to the second, up to $f4_col …
--                 $f4_num_to the fourth
--   $grid_rest    the further filters (rare): list of struct(col, op, text, num, num_to, text_at, number_at),
--                 with the positions of their column in the lists of `tested` below
--   $sort_key / $sort_dir  the grid's sort column (a column of `grid`; no_column: plan order; source_text_rank for
--                 the original text, the same order) and 'asc' / 'desc'
--   $type_columns true when a sort or filter reads a service-type column (type_name, target_group_text, setting_text)
--   $limit / $offset  the page (limit null: all rows); total_rows = rows after all filters
-- The columns a sort or filter reads are chosen when the query is planned (columns(lambda …) with a parameter):
-- only those are computed for the selection's rows; the page's rows are read in full by rowid.
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

-- the sort key and the first four filters' values (as text, not lower-cased, and as a number), each read from the
-- one column its parameter names
valued as (
    select *,
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

tested as (
    select row_id, municipality, year, seq, sort_key,
        case when $f1_op is not null then grid_filter_test($f1_op, v1, n1, $f1_text, $f1_num, $f1_num_to) end
            as f1,
        case when $f2_op is not null then grid_filter_test($f2_op, v2, n2, $f2_text, $f2_num, $f2_num_to) end
            as f2,
        case when $f3_op is not null then grid_filter_test($f3_op, v3, n3, $f3_text, $f3_num, $f3_num_to) end
            as f3,
        case when $f4_op is not null then grid_filter_test($f4_op, v4, n4, $f4_text, $f4_num, $f4_num_to) end
            as f4,
        -- every filter is tested by grid_filter_test (queries/derived.sql); further filters with their column's value
        -- (text_at / number_at: positions in these lists, as in data.py TEXT_AT / NUMBER_AT)
        case when len($grid_rest) > 0 then list_bool_and(list_transform(list_transform($grid_rest, lambda f: struct_pack(
            f := f,
            v := coalesce([municipality, item_no, section_text, name, type_name, target_group_text, setting_text,
                settlements, funding_raw, status_text, provider, source_file, source_text, source_ref, year::varchar,
                source_line::varchar, amount_bgn::varchar, capacity::varchar, capacity_before::varchar][f.text_at], ''),
            n := [year::double, source_line::double, amount_bgn, capacity::double, capacity_before::double][f.number_at])),
            lambda g: grid_filter_test(g.f.op, g.v, g.n, g.f.text, g.f.num, g.f.num_to))) end as f_rest
    from valued
),

-- with column filters: the rows that pass them, kept once (counted and ordered); without: all rows, not kept.
-- DuckDB tests these conditions one after another, each on the rows the ones before it kept (the further filters'
-- list, the costliest, last): a filter reads its column only for the rows the others let through
filtered as materialized (
    select row_id, municipality, year, seq, sort_key
    from tested
    where not $no_grid_filters and f1 is not false and f2 is not false and f3 is not false and f4 is not false
        and f_rest is not false and (f1 or f2 or f3 or f4 or f_rest)
),

unfiltered as not materialized (
    select row_id, municipality, year, seq, sort_key
    from valued
    where $no_grid_filters
),

-- sort and page on narrow rows; the wide columns are read for the page's rows only (by rowid)
page as (
    select row_id, municipality, year, seq
    from (from filtered union all from unfiltered)
    order by
        case when $sort_dir = 'asc' then sort_key end asc nulls last,
        case when $sort_dir = 'desc' then sort_key end desc nulls last,
        municipality, year, seq
    limit $limit offset $offset
),

numbered as (
    select row_id, row_number() over () as position from page
)

select i.municipality, p.oblast, i.year, i.item_no, i.section,
    coalesce($section_labels[i.section], i.section) as section_text, i.name, i.service_type,
    st.name_bg as type_bg, st.name_en as type_en,
    case when $lang = 'en' then st.name_en else st.name_bg end as type_name,
    st.target_group, coalesce($target_group_labels[st.target_group], st.target_group) as target_group_text,
    st.setting, coalesce($setting_labels[st.setting], st.setting) as setting_text,
    i.settlements, i.scope, i.funding, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
    i.capacity_unit, i.staff, i.units, i.status, coalesce($status_labels[i.status], i.status) as status_text,
    i.provider, i.description, i.place_raw, i.term_raw, i.q1, i.q2, i.q3, i.q4, i.source_file, i.source_line,
    i.source_ref, i.source_text, i.item_id, i.plan_id, i.seq, (select count(*) from filtered) + (select count(*) from unfiltered) as total_rows
from numbered n
join items i on i.rowid = n.row_id
join plans p using (plan_id)
left join service_types st on st.code = i.service_type
order by n.position
