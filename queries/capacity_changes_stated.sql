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
limit $limit
