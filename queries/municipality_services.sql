-- For the map: number of services in the latest selected plan of each municipality.
-- (selected_plan_funding, derived.sql: the selection per plan and funding mix)
with

selected as (
    select * from selected_plan_funding($oblasts, $municipalities, $years, $target_groups, $service_types)
),

latest as (
    select municipality, max(year) as year from selected group by all
),

final as (
    select s.municipality_code, s.municipality, s.year, sum(s.services)::bigint as services,
        sum(s.items_capacity) as capacity
    from selected s
    semi join latest l on l.municipality = s.municipality and l.year = s.year
    group by all
)

select * from final where municipality_code is not null order by municipality
