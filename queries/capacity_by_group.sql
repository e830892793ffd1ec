-- Capacity of the selected services per municipality, year and service type (with its target
-- group and setting), for grouping by any of the three.
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select municipality, year, service_type, type_bg, type_en, target_group, setting,
        count(*) as services, sum(capacity) as capacity
    from selected
    where service_type is not null
    group by all
)

select * from final order by municipality, year, service_type
