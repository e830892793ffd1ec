-- Capacity changes a plan states for its year ("от 20 на 30 места"): before, after, change.
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
-- The rows are chosen, counted and ordered on narrow columns; only the shown ones are read in full (rowid).
with

selected as (
    select i.rowid as row_id, i.municipality, i.year, i.plan_id, i.source_line
    from items i
    where i.capacity_before is not null
      and item_chosen($oblasts, $municipalities, $years, $target_groups, $service_types,
                      i.plan_id, i.municipality, i.year, i.service_type)
),

shown as (
    select row_id, municipality, year, plan_id, source_line
    from selected
    order by municipality, year, plan_id, source_line
    limit $limit
)

select i.municipality, k.municipality_code, k.municipality_label,
    i.year, i.item_no, i.name, i.service_type, st.name_bg as type_bg, st.name_en as type_en,
    i.capacity_before, i.capacity, i.capacity - i.capacity_before as change, i.capacity_unit, i.status,
    i.source_file, i.source_line,
    (select count(*) from selected) as total_rows
from shown s
join items i on i.rowid = s.row_id
join plan_keys k on k.plan_id = i.plan_id
left join service_types st on st.code = i.service_type
order by s.municipality, s.year, s.plan_id, s.source_line
