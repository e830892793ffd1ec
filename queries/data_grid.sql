-- The records of the /data grid in any grid state (sorted, column-filtered or both; without either, the plan order
-- of data_page.sql): one page of them with the grid's columns, or all with the CSV's (the download of exactly the
-- rows left after filtering). A statement written for the state it serves: the page fills its slots ({{…}} below)
-- (dashboard/pages/data.py grid_query_params) from fixed lists only, the column expressions of GRID_SQL and CSV_SQL
-- and AG Grid's filter types, and passes every value from the request as a parameter. DuckDB binds and optimises a
-- statement on every run: one generic statement (a sort key and four filter slots chosen at bind time by
-- columns(lambda …)) spent more time there than this one spends in all (national, sort by name: 18 → 12 ms).
--   sort_key:      the sort column's expression (source_text: its rank made with the database, the same order;
--                  null: plan order)
--   order:         asc / desc nulls last, for the sort key
--   type_join:     the join to service_types when the sort or a filter reads a service-type column, else nothing
--   filters:       every column filter, each the test of one filter type (dashboard/grid.py FILTER_TESTS) on one
--                  column with its parameters fN_text, fN_num, fN_num_to (N = 1, 2, …); `true` without filters. Every filter
--                  must hold; a text filter without text (null) counts as neither (the page leaves it out; the
--                  condition is `false` when no other filter remains)
--   columns:       the columns given (GRID_SQL or CSV_SQL, over items `i`, plans `p` and service_types `st`)
--   $lang         the UI language ('bg' or 'en'); $section_labels, $target_group_labels, $setting_labels,
--                 $status_labels: map code -> readable label in it (one map per kind: cheaper to bind)
--   $settings, $ssa_kinds, $funding_mixes, $services_only, $amounts_only, $events, $event_years, $settlements,
--   $whole_municipality  what a chart's bar, point or cell narrows the records to
--                 (dashboard/state.py narrow_params)
--   $limit / $offset  the page (limit null: all rows); total_rows = rows after the filters
with

-- the rows that pass, kept once (narrow): counted and ordered. DuckDB tests the filters one after another in the
-- scan of items, each on the rows the ones before it kept
filtered as materialized (
    select i.rowid as row_id, i.municipality, i.year, i.seq, {{sort_key}} as sort_key
    from items i
    {{type_join}}
    where item_chosen($oblasts, $municipalities, $years, $target_groups, $service_types,
                      i.plan_id, i.municipality, i.year, i.service_type)
        -- what a chart's bar or cell narrows /data to (derived.sql item_narrowed)
        and item_narrowed($settings, $ssa_kinds, $funding_mixes, $services_only, $amounts_only, $events,
                          $event_years, $settlements, $whole_municipality, i.item_id, i.plan_id, i.year,
                          i.service_type, i.funding, i.status, i.amount_bgn, i.scope)
        and {{filters}}
),

-- sort and page on narrow rows; the wide columns are read for the page's rows only (by rowid)
page as (
    select row_id
    from filtered
    order by sort_key {{order}}, municipality, year, seq
    limit $limit offset $offset
),

numbered as (
    select row_id, row_number() over () as position from page
)

select {{columns}}, (select count(*) from filtered) as total_rows
from numbered n
join items i on i.rowid = n.row_id
join plans p on p.plan_id = i.plan_id
left join service_types st on st.code = i.service_type
order by n.position
