-- Funding mix of the selected services per municipality and year: the single funding class,
-- 'mixed' when a service has several, 'unknown' when none is stated.
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

classified as (
    select *,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix
    from selected
    where service_type is not null
),

final as (
    select municipality, year, funding_mix, count(*) as services, coalesce(sum(capacity), 0) as capacity
    from classified
    group by all
)

select * from final order by municipality, year, funding_mix
