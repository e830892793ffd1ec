-- Capacity by setting (institution, residential, family, community, home) per municipality and plan year
-- (the chart draws one line per municipality, or adds them up per year when asked).
-- (selected_plan_types, derived.sql: the selection per plan and service type)
with

final as (
    select municipality, year, setting, sum(services)::bigint as services, sum(capacity) as capacity, municipality_code,
        municipality_label
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
    where setting is not null
    group by all
)

select * from final order by municipality_label, year, setting
