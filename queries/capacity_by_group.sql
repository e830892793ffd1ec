-- Capacity of the selected services per municipality, year and service type (with its target
-- group and setting), for grouping by any of the three.
-- (selected_plan_types, derived.sql: the selection per plan and service type)
with

final as (
    select municipality, year, service_type, type_bg, type_en, target_group, setting, services, capacity,
        municipality_code, municipality_label
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
)

select * from final order by municipality_label, year, service_type
