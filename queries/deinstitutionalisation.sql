-- Capacity by setting (institution, residential, family, community, home) per plan year,
-- summed over the selected municipalities.
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

final as (
    select year, setting, count(*) as services, sum(capacity) as capacity,
        count(distinct municipality) as municipalities
    from selected
    where setting is not null
    group by all
)

select * from final order by year, setting
