-- Funding-mix chart: services and capacity per series and funding class ('mixed': several,
-- 'unknown': none stated).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

classified as (
    select municipality, year, capacity,
        case when funding is null or funding = '' then 'unknown'
             when contains(funding, ';') then 'mixed'
             else funding end as funding_mix
    from selected
    where service_type is not null
),

per_plan as (
    select count(*) <= $max_series as by_plan from (select distinct municipality, year from classified)
),

year_municipalities as (
    select year, count(distinct municipality) as municipalities from classified group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality, year, funding_mix,
        count(*) as services, coalesce(sum(capacity), 0) as capacity
    from classified
    group by all
)

select f.*, y.municipalities
from final f
join year_municipalities y using (year)
order by f.municipality, f.year, funding_mix
