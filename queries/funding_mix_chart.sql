-- Funding-mix chart: services and capacity per series and funding class ('mixed': several,
-- 'unknown': none stated).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix). A municipality is its EKATTE code
-- (municipality_code; its name without EKATTE): two of one name are two series; municipality_label shows it.
with

classified as (
    select plan_no, municipality, municipality_code, municipality_label, year, funding_mix, services, capacity,
        coalesce(municipality_code, municipality) as municipality_key
    from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
    where services > 0
),

per_plan as (
    select count(distinct plan_no) <= $max_series as by_plan from classified
),

year_municipalities as (
    select year, count(distinct municipality_key) as municipalities from classified group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality,
        case when (select by_plan from per_plan) then municipality_code end as municipality_code,
        case when (select by_plan from per_plan) then municipality_label end as municipality_label, year, funding_mix,
        sum(services)::bigint as services, coalesce(sum(capacity), 0) as capacity
    from classified
    group by all
)

select f.*, y.municipalities,
    -- the municipality as the filter bar chooses it: what a click on its bar narrows /data to
    municipality_value(f.municipality, f.municipality_code) as municipality_value
from final f
join year_municipalities y using (year)
order by f.municipality_label, f.year, funding_mix
