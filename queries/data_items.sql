-- The records of the selection for the data grid (one page) and its CSV (all rows), with source
-- file, line and original text.
--   $labels       map 'kind:code' -> readable label (section, target_group, setting, status) in the UI language
--   $grid_filters the grid's column filters: list of struct(col, op, text, num, num_to) (AG Grid text and
--                 number filter types; every one must hold); $no_grid_filters: true when there are none
--   $sort_col / $sort_dir  the grid's sort column ('' = plan order) and 'asc' / 'desc'
--   $limit / $offset  the page (limit null: all rows); total_rows = rows after all filters
-- Without column filters and sort, data_page.sql gives the same rows for less.
with

selected as (
    select i.rowid as row_id, i.municipality, i.year, i.seq, i.item_no, i.section, i.name, i.settlements,
        i.funding_raw, i.status, i.provider, i.source_file, i.source_line, i.source_ref, i.source_text, i.amount_bgn,
        i.capacity, i.capacity_before, st.name_bg as type_bg, st.name_en as type_en, st.target_group, st.setting
    from items i
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
    where chosen($oblasts, p.oblast)
      and chosen($municipalities, i.municipality)
      and chosen($years, i.year)
      and chosen($target_groups, st.target_group)
      and chosen($service_types, i.service_type)
),

labelled as (
    select row_id, municipality, year, seq, item_no, name, settlements, funding_raw, provider, source_file,
        source_line, source_ref, source_text, amount_bgn, capacity, capacity_before,
        coalesce($labels['section:' || section], section) as section_text,
        case when $labels['lang:en'] = 'en' then type_en else type_bg end as type_name,
        coalesce($labels['target_group:' || target_group], target_group) as target_group_text,
        coalesce($labels['setting:' || setting], setting) as setting_text,
        coalesce($labels['status:' || status], status) as status_text
    from selected
),

-- the grid's first two column filters, each with the value of its column in this row (as lower-case text and
-- as a number): the column is known when the query is planned, so each value is read from one column
valued as (
    select *,
        lower(coalesce(case $grid_filters[1].col
            when 'municipality' then municipality when 'item_no' then item_no
            when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
            when 'target_group_text' then target_group_text when 'setting_text' then setting_text
            when 'settlements' then settlements when 'funding_raw' then funding_raw
            when 'status_text' then status_text when 'provider' then provider
            when 'source_file' then source_file when 'source_text' then source_text
            when 'source_ref' then source_ref
            when 'year' then year::varchar when 'source_line' then source_line::varchar
            when 'amount_bgn' then amount_bgn::varchar when 'capacity' then capacity::varchar
            when 'capacity_before' then capacity_before::varchar end, '')) as v1,
        case $grid_filters[1].col
            when 'year' then year::double when 'source_line' then source_line::double
            when 'amount_bgn' then amount_bgn when 'capacity' then capacity::double
            when 'capacity_before' then capacity_before::double end as n1,
        lower(coalesce(case $grid_filters[2].col
            when 'municipality' then municipality when 'item_no' then item_no
            when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
            when 'target_group_text' then target_group_text when 'setting_text' then setting_text
            when 'settlements' then settlements when 'funding_raw' then funding_raw
            when 'status_text' then status_text when 'provider' then provider
            when 'source_file' then source_file when 'source_text' then source_text
            when 'source_ref' then source_ref
            when 'year' then year::varchar when 'source_line' then source_line::varchar
            when 'amount_bgn' then amount_bgn::varchar when 'capacity' then capacity::varchar
            when 'capacity_before' then capacity_before::varchar end, '')) as v2,
        case $grid_filters[2].col
            when 'year' then year::double when 'source_line' then source_line::double
            when 'amount_bgn' then amount_bgn when 'capacity' then capacity::double
            when 'capacity_before' then capacity_before::double end as n2
    from labelled
),

-- every filter holds (grid_filter_holds, derived.sql): none is false and one is true (a filter that is null
-- counts as neither, as in list_bool_and); further filters (rare) are tried one by one on each row
filtered as materialized (
    select * exclude (v1, n1, v2, n2, f1, f2, f_rest)
    from (
        select *,
            case when len($grid_filters) >= 1 then grid_filter_holds($grid_filters[1], v1, n1) end as f1,
            case when len($grid_filters) >= 2 then grid_filter_holds($grid_filters[2], v2, n2) end as f2,
            case when len($grid_filters) > 2 then list_bool_and(list_transform(
                list_transform(list_slice($grid_filters, 3, len($grid_filters)), lambda f: struct_pack(
                    f := f,
                    v := lower(coalesce(case f.col
                        when 'municipality' then municipality when 'item_no' then item_no
                        when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
                        when 'target_group_text' then target_group_text when 'setting_text' then setting_text
                        when 'settlements' then settlements when 'funding_raw' then funding_raw
                        when 'status_text' then status_text when 'provider' then provider
                        when 'source_file' then source_file when 'source_text' then source_text
                        when 'source_ref' then source_ref
                        when 'year' then year::varchar when 'source_line' then source_line::varchar
                        when 'amount_bgn' then amount_bgn::varchar when 'capacity' then capacity::varchar
                        when 'capacity_before' then capacity_before::varchar end, '')),
                    n := case f.col
                        when 'year' then year::double when 'source_line' then source_line::double
                        when 'amount_bgn' then amount_bgn when 'capacity' then capacity::double
                        when 'capacity_before' then capacity_before::double end
                )),
                lambda g: grid_filter_holds(g.f, g.v, g.n)
            )) end as f_rest
        from valued
    )
    where $no_grid_filters
       or (f1 is not false and f2 is not false and f_rest is not false and (f1 or f2 or f_rest))
),

-- sort and page on narrow rows; the wide columns are read for the page's rows only (by rowid)
page as (
    select row_id,
        case $sort_col
            when 'municipality' then municipality when 'item_no' then item_no
            when 'section_text' then section_text when 'name' then name when 'type_name' then type_name
            when 'target_group_text' then target_group_text when 'setting_text' then setting_text
            when 'settlements' then settlements when 'funding_raw' then funding_raw
            when 'status_text' then status_text when 'provider' then provider
            when 'source_file' then source_file when 'source_text' then source_text
            when 'source_ref' then source_ref end as sort_text,
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
    select row_id, row_number() over () as position from page
),

final as (
    select i.municipality, p.oblast, i.year, i.item_no, i.section,
        coalesce($labels['section:' || i.section], i.section) as section_text, i.name, i.service_type,
        st.name_bg as type_bg, st.name_en as type_en,
        case when $labels['lang:en'] = 'en' then st.name_en else st.name_bg end as type_name,
        st.target_group, coalesce($labels['target_group:' || st.target_group], st.target_group) as target_group_text,
        st.setting, coalesce($labels['setting:' || st.setting], st.setting) as setting_text,
        i.settlements, i.scope, i.funding, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
        i.capacity_unit, i.staff, i.units, i.status, coalesce($labels['status:' || i.status], i.status) as status_text,
        i.provider, i.description, i.place_raw, i.term_raw, i.q1, i.q2, i.q3, i.q4, i.source_file, i.source_line,
        i.source_ref, i.source_text, i.item_id, i.plan_id, i.seq, n.position
    from numbered n
    join items i on i.rowid = n.row_id
    join plans p using (plan_id)
    left join service_types st on st.code = i.service_type
)

select * exclude (position), (select count(*) from filtered) as total_rows
from final
order by position
