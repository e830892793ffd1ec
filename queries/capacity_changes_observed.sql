-- Capacity per service type compared between consecutive plans of the same municipality
-- (only pairs where the capacity differs, including a type that appears or disappears).
-- total_rows: rows of the whole selection; $limit: at most that many rows (null: all).
with

selected as (
    select * from selected_items($oblasts, $municipalities, $years, $target_groups, $service_types)
),

per_plan as (
    select municipality, year, service_type, any_value(type_bg) as type_bg, any_value(type_en) as type_en,
        coalesce(sum(capacity), 0) as capacity
    from selected
    where service_type is not null
    group by all
),

plan_years as (
    select distinct municipality, year from selected
),

consecutive as (
    select municipality, year,
        lag(year) over (partition by municipality order by year) as previous_year
    from plan_years
),

pairs as (
    select c.municipality, c.previous_year, c.year, t.service_type, t.type_bg, t.type_en
    from consecutive c
    join (select distinct municipality, service_type, type_bg, type_en from per_plan) t using (municipality)
    where c.previous_year is not null
),

final as (
    select p.municipality, p.previous_year, p.year, p.service_type, p.type_bg, p.type_en,
        coalesce(before.capacity, 0) as capacity_before, coalesce(after.capacity, 0) as capacity,
        coalesce(after.capacity, 0) - coalesce(before.capacity, 0) as change
    from pairs p
    left join per_plan before
        on before.municipality = p.municipality and before.year = p.previous_year
        and before.service_type = p.service_type
    left join per_plan after
        on after.municipality = p.municipality and after.year = p.year and after.service_type = p.service_type
    where before.service_type is not null or after.service_type is not null
)

select *, count(*) over () as total_rows from final where change <> 0 order by municipality, year, service_type
limit $limit
