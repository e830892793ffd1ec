-- Funding mix of the selected services per municipality and year: the single funding class,
-- 'mixed' when a service has several, 'unknown' when none is stated.
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix)
with

final as (
    select municipality, year, funding_mix, sum(services)::bigint as services, coalesce(sum(capacity), 0) as capacity,
        municipality_code, municipality_label
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
    where services > 0
    group by all
)

select * from final order by municipality_label, year, funding_mix
