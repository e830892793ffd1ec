-- Capacity chart: capacity per series and service type (with target group and setting).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
-- (selected_plan_types, derived.sql: the selection per plan and service type)
with

services as (
    select plan_no, municipality, year, service_type, capacity
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
    where capacity is not null
),

per_plan as (
    select count(distinct plan_no) <= $max_series as by_plan from services
),

year_municipalities as (
    select year, count(distinct municipality) as municipalities from services group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality, year,
        service_type, sum(capacity) as capacity
    from services
    group by all
)

select f.municipality, f.year, f.service_type, st.name_bg as type_bg, st.name_en as type_en,
    st.target_group, st.setting, f.capacity, y.municipalities
from final f
left join service_types st on st.code = f.service_type
join year_municipalities y using (year)
order by f.municipality, f.year, f.service_type
