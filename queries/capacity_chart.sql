-- Capacity chart: capacity per series and service type (with target group and setting).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

services as (
    select * from selected where service_type is not null and capacity is not null
),

per_plan as (
    select count(*) <= $max_series as by_plan from (select distinct municipality, year from services)
),

year_municipalities as (
    select year, count(distinct municipality) as municipalities from services group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality, year,
        service_type, any_value(type_bg) as type_bg, any_value(type_en) as type_en,
        any_value(target_group) as target_group, any_value(setting) as setting,
        sum(capacity) as capacity
    from services
    group by all
)

select f.*, y.municipalities
from final f
join year_municipalities y using (year)
order by f.municipality, f.year, service_type
