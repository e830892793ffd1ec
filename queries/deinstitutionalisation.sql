-- Capacity by setting (institution, residential, family, community, home) per plan year,
-- summed over the selected municipalities.
-- (selected_plan_types, derived.sql: the selection per plan and service type)
with

final as (
    select year, setting, sum(services)::bigint as services, sum(capacity) as capacity,
        count(distinct municipality) as municipalities
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
    where setting is not null
    group by all
)

select * from final order by year, setting
