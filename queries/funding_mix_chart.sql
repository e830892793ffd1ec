-- Funding-mix chart: services and capacity per series and funding class ('mixed': several,
-- 'unknown': none stated).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix)
with

classified as (
    select plan_no, municipality, year, funding_mix, services, capacity
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
    where services > 0
),

per_plan as (
    select count(distinct plan_no) <= $max_series as by_plan from classified
),

year_municipalities as (
    select year, count(distinct municipality) as municipalities from classified group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality, year, funding_mix,
        sum(services)::bigint as services, coalesce(sum(capacity), 0) as capacity
    from classified
    group by all
)

select f.*, y.municipalities
from final f
join year_municipalities y using (year)
order by f.municipality, f.year, funding_mix
