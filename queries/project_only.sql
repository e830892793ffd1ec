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
limit $limit
