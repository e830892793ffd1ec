-- Capacity chart: capacity per series and service type (with target group, setting and kind under the Social
-- Services Act: 'none' for a type that is not a social service under it).
-- one series per municipality-year when the selection has at most $max_series plans, else one per
-- year (municipality null, summed over the municipalities; `municipalities` says how many)
-- (selected_plan_types, derived.sql: the selection per plan and service type). A municipality is its EKATTE code
-- (municipality_code; its name without EKATTE): two of one name are two series; municipality_label shows it.
with

services as (
    select plan_no, municipality, municipality_code, municipality_label, year, service_type, capacity,
        coalesce(municipality_code, municipality) as municipality_key
    from selected_plan_types($oblasts, $municipalities, $years, $target_groups, $service_types)
    where capacity is not null
),

per_plan as (
    select count(distinct plan_no) <= $max_series as by_plan from services
),

year_municipalities as (
    select year, count(distinct municipality_key) as municipalities from services group by year
),

final as (
    select case when (select by_plan from per_plan) then municipality end as municipality,
        case when (select by_plan from per_plan) then municipality_code end as municipality_code,
        case when (select by_plan from per_plan) then municipality_label end as municipality_label, year,
        service_type, sum(capacity) as capacity
    from services
    group by all
)

select f.municipality, f.municipality_code, f.municipality_label, f.year, f.service_type, st.name_bg as type_bg, st.name_en as type_en,
    st.target_group, st.setting, coalesce(st.ssa_kind, 'none') as ssa_kind, f.capacity, y.municipalities,
    -- the municipality as the filter bar chooses it: what a click on its bar narrows /data to
    municipality_value(f.municipality, f.municipality_code) as municipality_value
from final f
left join service_types st on st.code = f.service_type
join year_municipalities y using (year)
order by f.municipality_label, f.year, f.service_type
