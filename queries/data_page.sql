-- The records of the selection for the data grid when the grid has no column filter and no sort: exactly
-- the rows, columns and order of data_items.sql then (plan order: municipality, year, seq), without its
-- per-row labels and filters. The page is chosen on narrow columns; only its rows are read in full (rowid).
--   $labels       map 'kind:code' -> readable label (section, target_group, setting, status) in the UI language
--   $limit / $offset  the page (limit null: all rows); total_rows = rows of the selection
with

selected as (
    select i.rowid as row_id, i.municipality, i.year, i.seq
    from items i
    where item_chosen($oblasts, $municipalities, $years, $target_groups, $service_types,
                      i.plan_id, i.municipality, i.year, i.service_type)
),

page as (
    select row_id, municipality, year, seq
    from selected
    order by municipality, year, seq
    limit $limit offset $offset
)

select i.municipality, p.oblast, i.year, i.item_no, i.section,
    coalesce($labels['section:' || i.section], i.section) as section_text, i.name, i.service_type,
    st.name_bg as type_bg, st.name_en as type_en,
    case when $labels['lang:en'] = 'en' then st.name_en else st.name_bg end as type_name,
    st.target_group, coalesce($labels['target_group:' || st.target_group], st.target_group) as target_group_text,
    st.setting, coalesce($labels['setting:' || st.setting], st.setting) as setting_text,
    i.settlements, i.scope, i.funding, i.funding_raw, i.amount_bgn, i.capacity, i.capacity_before,
    i.capacity_unit, i.staff, i.units, i.status, coalesce($labels['status:' || i.status], i.status) as status_text,
    i.provider, i.description, i.place_raw, i.term_raw, i.q1, i.q2, i.q3, i.q4, i.source_file, i.source_line,
    i.source_ref, i.source_text, i.item_id, i.plan_id, i.seq, (select count(*) from selected) as total_rows
from page g
join items i on i.rowid = g.row_id
join plans p using (plan_id)
left join service_types st on st.code = i.service_type
order by g.municipality, g.year, g.seq
